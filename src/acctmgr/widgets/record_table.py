"""A DataTable whose rows are records keyed by id and updated in place on refresh."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

Row = tuple[str, Sequence[Text | str]]


Column = str | tuple[str, int]


class RecordTable(DataTable[Text | str]):
    """Rows keyed by record key. ``show`` changes only the cells, rows and order that differ,
    so the cursor stays on the record it was on.

    A column is a label, or (label, width) to keep a long column from pushing the others off
    an 80-column terminal.
    """

    DEFAULT_CSS = """
    RecordTable { height: 1fr; }
    """
    BINDINGS = [Binding("enter", "select_cursor", "Open", show=True)]

    def __init__(self, *columns: Column, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns = columns

    def on_mount(self) -> None:
        for column in self._columns:
            label, width = column if isinstance(column, tuple) else (column, None)
            self.add_column(label, width=width)

    @property
    def keys(self) -> list[str]:
        return [str(row.key.value) for row in self.ordered_rows]

    def show(self, rows: Iterable[Row]) -> None:
        """Make the table hold exactly these rows in this order."""
        wanted = _unique(rows)
        wanted_keys = [key for key, _ in wanted]
        if self.keys == wanted_keys:
            for key, cells in wanted:
                for column, value in zip(self.columns, cells, strict=False):
                    self.update_cell(key, column, value)
            return
        if set(self.keys) & set(wanted_keys):
            selected = self.selected_key
            self.clear()
            self.add_rows_keyed(wanted)
            self.move_to(selected)
            return
        self.clear()
        self.add_rows_keyed(wanted)

    def append(self, rows: Iterable[Row]) -> None:
        """Add rows at the end (the next page), skipping any already shown."""
        existing = set(self.keys)
        self.add_rows_keyed(row for row in rows if row[0] not in existing)

    def add_rows_keyed(self, rows: Iterable[Row]) -> None:
        for key, cells in rows:
            self.add_row(*cells, key=key)

    @property
    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)
        except RowDoesNotExist:
            return None

    def move_to(self, key: str | None) -> None:
        if key is None:
            return
        with contextlib.suppress(RowDoesNotExist):
            self.move_cursor(row=self.get_row_index(key))


def _unique(rows: Iterable[Row]) -> list[Row]:
    """The rows with repeated keys suffixed, since a DataTable refuses a key twice."""
    seen: dict[str, int] = {}
    unique: list[Row] = []
    for key, cells in rows:
        count = seen.get(key, 0)
        seen[key] = count + 1
        unique.append((f"{key}#{count}" if count else key, cells))
    return unique
