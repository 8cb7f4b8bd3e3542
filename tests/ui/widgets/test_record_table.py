"""The record table: its cursor row is always on screen, whatever the table's height."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from acctmgr.widgets.record_table import RecordTable


class ShortTable(App[None]):
    """A titled section of 10 lines, as My day lays one out, holding more rows than fit."""

    CSS = "Vertical { height: 10; }"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Cases in my queue (13)")
            yield RecordTable(("When", 14), ("What", 40), "Detail")


def visible_rows(table: RecordTable) -> list[str]:
    height = table.scrollable_content_region.height
    return [table.render_line(y).text.split()[0] for y in range(1, height)]


async def test_the_last_row_shows_when_the_cursor_reaches_it() -> None:
    """Down to the end of a list longer than its section highlights the last row on screen
    (a horizontal scrollbar took the bottom line, and with it the last row)."""
    app = ShortTable()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RecordTable)
        table.show([(f"case-{i}", [f"RC-{i:02d}", f"Case {i}", "Acme"]) for i in range(13)])
        table.focus()
        await pilot.pause()
        assert not table.show_horizontal_scrollbar
        await pilot.press("end")
        await pilot.pause()
        assert visible_rows(table)[-1] == "RC-12"
        for _ in range(13):
            await pilot.press("up")
        assert visible_rows(table)[0] == "RC-00"
        await pilot.press("pagedown")
        await pilot.pause()
        assert table.selected_key in {f"case-{i}" for i in range(13)}
        assert f"RC-{table.cursor_row:02d}" in visible_rows(table)
