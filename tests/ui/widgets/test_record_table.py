"""The record table: its cursor row is always on screen, whatever the table's height, and its
columns share the width by what they hold."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from acctmgr.services.kernel.sorting import Sort
from acctmgr.widgets.column_widths import fit_columns
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


def test_columns_that_fit_are_whole_and_the_room_left_goes_to_the_unfixed() -> None:
    assert fit_columns([10, 20, 5], [10, 20, 5], [14, None, None], 50) == [10, 28, 12]


def test_a_column_of_a_few_long_cells_does_not_cut_a_column_of_many() -> None:
    """Nine rows in ten of the second column are 6 wide: the first keeps its 30 cells."""
    widths = fit_columns([30, 40], [30, 6], [None, None], 50)
    assert widths == [30, 20]


def test_no_column_is_cut_below_its_fixed_width_while_room_is_free() -> None:
    """A fixed width limits a column only while room is short (the accounts list's names
    were cut at 16 cells with 20 free)."""
    assert fit_columns([25, 5], [25, 5], [16, 5], 40) == [25, 5]
    assert fit_columns([40, 30], [40, 30], [20, 20], 50) == [25, 25]


def test_when_nothing_fits_every_column_keeps_the_least_width() -> None:
    assert fit_columns([30, 30, 30], [30, 30, 30], [None, None, None], 12) == [8, 8, 8]


class WideTable(App[None]):
    def compose(self) -> ComposeResult:
        yield RecordTable(("Name", 16), ("City", 10), "Detail")


async def test_a_cell_is_not_cut_while_the_line_has_room() -> None:
    app = WideTable()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RecordTable)
        table.show([("1", ["Alpine Brewing Company Ltd.", "Boston", "x"])])
        await pilot.pause()
        assert "Alpine Brewing Company Ltd." in table.render_line(1).text


class SortedTable(App[None]):
    def compose(self) -> ComposeResult:
        yield RecordTable(("Name", 30), ("City", 10), sorts=("name", None), sort=Sort("name"))


async def test_an_empty_sorted_column_shows_its_whole_label_and_arrow() -> None:
    app = SortedTable()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.query_one(RecordTable).render_line(0).text.split()[:3] == ["Name", "▲", "City"]
