"""One meaning per key across the app: a key does the same kind of thing on every screen."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import HelpPanel

import acctmgr.screens
import acctmgr.widgets
from acctmgr.app import AcctmgrApp
from acctmgr.screens.dialog import ConfirmScreen
from tests.ui_support import build_app, settle

# Keys whose one meaning is worded for its screen: Escape leaves (saving, keeping a draft,
# cancelling or quitting, as the screen says), Enter opens or does what is highlighted,
# Ctrl+S saves what the screen holds (a form, a step, a quote, a template).
WORDED_FOR_THEIR_SCREEN = frozenset({"escape", "enter", "ctrl+s"})
# A yes-or-no question is answered with y and n, and nothing else is asked of the keyboard then.
ANSWERS = (ConfirmScreen,)


def bound_classes() -> list[type[DOMNode]]:
    found: dict[str, type[DOMNode]] = {"AcctmgrApp": AcctmgrApp}
    for package in (acctmgr.screens, acctmgr.widgets):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            for _, value in inspect.getmembers(importlib.import_module(module.name)):
                ours = inspect.isclass(value) and value.__module__.startswith("acctmgr.")
                if ours and issubclass(value, DOMNode) and not issubclass(value, ANSWERS):
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def test_every_key_has_one_meaning() -> None:
    """The same key never means two things on two screens (r was recall, retry, refresh,
    retire and revert)."""
    meanings: dict[str, set[str]] = defaultdict(set)
    where: dict[str, set[str]] = defaultdict(set)
    for cls in bound_classes():
        for binding in cls.__dict__.get("BINDINGS", []):
            assert isinstance(binding, Binding), cls
            for key in binding.key.split(","):
                if key in WORDED_FOR_THEIR_SCREEN:
                    continue
                # The verb is the meaning: "New rule" and "New SKU" are one, "Recall" another.
                meanings[key].add((binding.description or binding.action).split()[0])
                where[key].add(cls.__name__)
    clashes = {key: sorted(found) for key, found in meanings.items() if len(found) > 1}
    assert clashes == {}, {key: sorted(where[key]) for key in clashes}


async def test_f1_and_question_mark_show_the_keys_of_the_screen(
    tmp_path: Path, office: Path
) -> None:
    """F1 (or ?) opens the keys panel of the current screen; pressed again, it closes."""
    app = build_app(tmp_path, "cms", office)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.query(HelpPanel)
        await pilot.press("f1")
        await pilot.pause()
        assert not app.screen.query(HelpPanel)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query(HelpPanel)
