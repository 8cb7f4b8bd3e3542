"""Building the real app for Pilot tests: the same factory as the CLI, on a test database.

The database is a copy of the small fixed office (tests/office_support.py, the ``office``
fixture) or, for first-run tests, a new empty one.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from acctmgr.app import AcctmgrApp, create_app
from acctmgr.clock import AdjustableClock
from acctmgr.config import Paths, load_settings
from acctmgr.startup import launch
from tests.conftest import NOW


def build_app(tmp_path: Path, login: str | None, template: Path | None = None) -> AcctmgrApp:
    """The app as `acctmgr --as LOGIN` would build it, on a copy of the template (or on a new
    database when there is none)."""
    path = tmp_path / "acctmgr.db"
    if template is not None:
        shutil.copy(template, path)
    url = f"sqlite:///{path}"
    paths = Paths(tmp_path / "data", tmp_path / "config", tmp_path / "logs")
    loaded = load_settings({"database_url": url, "login": login}, environ={}, paths=paths)
    # As the CLI starts: My day read at launch when the database is ready for it.
    context, first_day = launch(loaded, AdjustableClock(NOW))
    return create_app(context, loaded, first_day)


# Workers that wait for the user's answers (first run, a wizard walking its steps): never done
# while a test is answering them.
WAITING_GROUPS = frozenset(
    {
        "start",
        "case-step",
        "open-case",
        "quote-build",
        "new-quote",
        "new-offer",
        "offer-step",
        "rule-edit",
        # the account, contact, task and My day dialogs
        "account-edit",
        "new-account",
        "activity-edit",
        "my-day-task",
        "people-replace",
        "delegate",
        "case-task",
        "sku-relations-change",
        "finalise-save",  # asks before finalising
        "orders-change",  # asks before activating or cancelling an order; the order dialogs
    }
)


async def settle(app: AcctmgrApp, pilot: Any) -> None:
    """Let workers finish and the screen repaint, except those waiting for the user."""
    await pilot.pause()
    others = [worker for worker in app.workers if worker.group not in WAITING_GROUPS]
    if others:  # an empty list would mean "every worker" to wait_for_complete
        await app.workers.wait_for_complete(others)
    await pilot.pause()


async def until(app: AcctmgrApp, pilot: Any, ready: Any, what: str) -> None:
    """Settle until ``ready()`` holds: for work that goes on after a dialog the test answered."""
    for _ in range(50):
        await settle(app, pilot)
        if ready():
            return
    raise AssertionError(f"never happened: {what}")


async def while_waiting(pilot: Any, ready: Any, what: str) -> None:
    """Pause until ``ready()`` while a worker waits for the user (a question it asked, a save
    in turn), which settling would wait for in vain."""
    for _ in range(250):
        if ready():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


def notifications(app: AcctmgrApp) -> list[str]:
    """The messages of the notifications the app shows from now on, in order, as they come.

    It wraps the app's public ``notify``, through which screens' and widgets' ``notify`` go
    too, rather than reading Textual's private record of what is on screen.
    """
    shown: list[str] = []
    notify = app.notify

    def noting(message: str, **options: Any) -> None:
        shown.append(message)
        notify(message, **options)

    app.notify = noting  # type: ignore[method-assign]
    return shown


def footer_keys(app: AcctmgrApp) -> set[str]:
    """The descriptions of the keys the current screen offers (those its check_action allows)."""
    return {active.binding.description for active in app.screen.active_bindings.values()}


async def run_from_palette(app: AcctmgrApp, pilot: Any, title: str) -> None:
    """Open the command palette, type ``title`` and run the command it finds first."""
    await settle(app, pilot)
    await pilot.press("ctrl+p")
    await settle(app, pilot)
    await pilot.press(*title)
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
