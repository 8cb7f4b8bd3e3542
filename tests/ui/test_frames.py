"""What keeps a keystroke quick: results painted as soon as they arrive, and the screens that live
as long as the app kept out of the garbage collector's way (benchmarks/search.py measures both)."""

from __future__ import annotations

import asyncio
import gc
import itertools
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from textual import events
from textual import screen as textual_screen

from acctmgr import app as app_module
from acctmgr.screens import base
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.accounts.search import AccountsScreen
from acctmgr.widgets.record_table import RecordTable, Row
from tests.ui_support import build_app, settle

SIZE = (80, 24)


@pytest.mark.parametrize("frame_due", [True, False])
async def test_search_results_are_painted_when_they_arrive_once_a_frame_is_due(
    tmp_path: Path, office: Path, monkeypatch: pytest.MonkeyPatch, frame_due: bool
) -> None:
    """With Textual's frame timer stopped, the rows still reach the terminal as soon as they
    are shown; and never when a frame period has not passed since the last paint."""
    monkeypatch.setattr(textual_screen, "UPDATE_PERIOD", 3600.0)  # the timer never fires
    if not frame_due:
        monkeypatch.setattr(base, "FRAME", float("inf"))
    shown_at: list[float] = []
    show = RecordTable.show

    def show_and_note(table: RecordTable, rows: Iterable[Row]) -> None:
        show(table, rows)
        shown_at.append(time.monotonic())

    monkeypatch.setattr(RecordTable, "show", show_and_note)
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)  # Pilot's pause paints by itself; not from here on
        await pilot.press("f3")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AccountsScreen)
        shown_at.clear()
        await pilot.press("z")
        await app.workers.wait_for_complete()
        for _ in range(20):
            await asyncio.sleep(0.01)
        assert shown_at, "the search answered"
        assert (screen._painted_at > shown_at[-1]) is frame_due


async def test_a_frame_painted_when_due_is_a_period_from_its_neighbours(
    tmp_path: Path, office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keystroke's echo and its results, a few milliseconds apart, are two frames at least
    a period apart: painting when due does not raise the frame rate above its limit. (Frames
    the timer paints keep their own pace, which a late tick can shorten.)"""
    frames: list[tuple[float, bool]] = []  # when, and whether painted when the screen idled
    idle = base._PaintsWhenDue._on_idle
    frame = base._PaintsWhenDue._on_timer_update
    idling: list[bool] = []

    async def idle_and_note(screen: base._PaintsWhenDue, event: events.Idle) -> None:
        idling.append(True)
        try:
            await idle(screen, event)
        finally:
            idling.pop()

    def frame_and_note(screen: base._PaintsWhenDue) -> None:
        before = screen._painted_at
        frame(screen)  # one frame may write twice (a layout, then what changed)
        if screen._painted_at != before:
            frames.append((screen._painted_at, bool(idling)))

    monkeypatch.setattr(base._PaintsWhenDue, "_on_idle", idle_and_note)
    monkeypatch.setattr(base._PaintsWhenDue, "_on_timer_update", frame_and_note)
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(app, pilot)
        for key in "nor":
            await asyncio.sleep(0.1)  # the timer rests between keys, as between a person's
            frames.clear()
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await asyncio.sleep(0.1)
            assert len(frames) >= 2, "the echo and the results"
            assert frames[0][1], "the echo is painted as soon as the screen idles"
            for (sooner, sooner_idled), (later, later_idled) in itertools.pairwise(frames):
                if sooner_idled or later_idled:
                    assert later - sooner >= 0.9 * base.FRAME, key


async def test_a_mode_screen_is_settled_and_a_record_screen_is_not(
    tmp_path: Path, office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Accounts lives as long as the app and leaves the collector's sight once shown alone; an
    account's screen, opened and closed all day, stays collectable, even when it was opened
    before Accounts settled."""
    monkeypatch.setattr(app_module, "SETTLE_AFTER_SECONDS", 3600.0)  # settled by hand below
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        accounts = app.screen
        assert isinstance(accounts, AccountsScreen)
        await pilot.press("enter", "enter")  # from the search box to the list, then open
        await settle(app, pilot)
        account = app.screen
        assert isinstance(account, AccountScreen)
        app._settle("accounts")  # its time came while the account was open: not now
        young = {id(thing) for thing in gc.get_objects()}
        assert {id(accounts), id(account)} <= young
        await pilot.press("escape")
        await settle(app, pilot)
        app.go("accounts")
        app._settle("accounts")
        await pilot.press("enter")
        await settle(app, pilot)
        again = app.screen
        assert isinstance(again, AccountScreen)
        young = {id(thing) for thing in gc.get_objects()}
        assert id(accounts) not in young
        assert id(again) in young
