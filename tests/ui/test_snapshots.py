"""Pictures of the screens people look at most, at 80x24 (fixed clock and data, no blink).

Refresh after an intended change with `python3 run.py test tests/test_snapshots.py
--snapshot-update` and look at the report before committing the new pictures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input

from acctmgr.app import AcctmgrApp
from tests.ui_support import build_app, settle

SIZE = (80, 24)


def settled(*keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        app: AcctmgrApp = pilot.app
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run_before


def test_welcome(snap_compare: Any, tmp_path: Path) -> None:
    """The first screen of a new database."""
    app = build_app(tmp_path, "newbie")
    assert snap_compare(app, terminal_size=SIZE, run_before=settled())


def test_my_day_of_the_segment_leader(snap_compare: Any, tmp_path: Path, office: Path) -> None:
    """My day as the Segment Leader: approvals waiting, tasks due."""
    app = build_app(tmp_path, "leader", office)
    assert snap_compare(app, terminal_size=SIZE, run_before=settled())


def test_accounts_list(snap_compare: Any, tmp_path: Path, office: Path) -> None:
    """The accounts list with its search box and filters."""
    app = build_app(tmp_path, "admin", office)
    assert snap_compare(app, terminal_size=SIZE, run_before=settled("f3"))
