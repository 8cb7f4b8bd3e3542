"""A fast table of records keyed by id, painted line by line from cached strips.

Textual's DataTable renders every visible cell through Rich on each repaint, which costs tens
of milliseconds for a page of search results. Here each row is rendered once into a ``Strip``
(cached until its cells, the width or the theme change), and a repaint only looks strips up,
so typing in a search box over 100,000 accounts stays instant. Rows are keyed by record key:
``show`` updates cells in place and keeps the cursor on the record it was on.

A column given a sort name sorts the list: a click on its header (what DataTable's
HeaderSelected is for) sorts by it, and again reverses it; F12 reverses the sort, and after
a descending one sorts by the next column. The header shows ▲ or ▼. The table only says so
(``SortChanged``): the query behind it sorts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from acctmgr.services.kernel.sorting import Sort
from acctmgr.widgets.column_sort import ColumnSort, column_at
from acctmgr.widgets.column_widths import GAP, ColumnWidths, fit_cell

Cell = Text | str
Row = tuple[str, Sequence[Cell]]
Column = str | tuple[str, int]


class RecordTable(ScrollView, can_focus=True):
    """Rows of records with a sticky header and a row cursor.

    A column is a label, or (label, width) to keep a long column from pushing the others off
    an 80-column terminal. Columns are as wide as their longest cell when they all fit; when
    they do not, the widest are cut to one width and no column is cut while another has room.
    """

    DEFAULT_CSS = """
    RecordTable {
        height: 1fr;
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;  /* columns always fit the width; a bar would hide the last row */
        & > .record-table--header { text-style: bold; background: $panel; }
        & > .record-table--odd { background: $surface-lighten-1; }
        & > .record-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .record-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
    }
    """
    COMPONENT_CLASSES = {
        "record-table--header",
        "record-table--odd",
        "record-table--cursor",
    }
    BINDINGS = [
        Binding("enter", "select", "Open", show=True),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "to(0)", "First", show=False),
        Binding("end", "to(-1)", "Last", show=False),
        Binding("f12", "sort", "Sort", tooltip="Reverses the sort, then sorts by the next column"),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class RowHighlighted(Message):
        """The cursor moved onto a row."""

        def __init__(self, table: RecordTable, key: str, index: int) -> None:
            super().__init__()
            self.table = table
            self.key = key
            self.index = index

        @property
        def control(self) -> RecordTable:
            return self.table

    class RowSelected(Message):
        """Enter (or a click on the highlighted row) chose a row."""

        def __init__(self, table: RecordTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> RecordTable:
            return self.table

    class SortChanged(Message):
        """The user sorted the table by a column (``sort.column`` is its sort name)."""

        def __init__(self, table: RecordTable, sort: Sort) -> None:
            super().__init__()
            self.table = table
            self.sort = sort

        @property
        def control(self) -> RecordTable:
            return self.table

    def __init__(
        self,
        *columns: Column,
        id: str | None = None,
        sorts: Sequence[str | None] = (),
        sort: Sort | None = None,
        opens: bool = True,
    ) -> None:
        """``sorts`` names, column by column, what each sorts by (None: it does not sort);
        ``sort`` is the order the rows come in at first; ``opens`` False for a list whose
        rows Enter does not open (the footer then offers no "Open")."""
        super().__init__(id=id)
        self.opens = opens
        self._sorting = ColumnSort(sorts, sort)
        self._labels = [c[0] if isinstance(c, tuple) else c for c in columns]
        self._fixed = [c[1] if isinstance(c, tuple) else None for c in columns]
        self._keys: list[str] = []
        self._cells: dict[str, Sequence[Cell]] = {}
        self._strips: dict[tuple[str, int], Strip] = {}
        self._widths: list[int] = []
        # A column that sorts has room in its header for the arrow.
        headers = [
            label + ("  " if index < len(sorts) and sorts[index] else "")
            for index, label in enumerate(self._labels)
        ]
        self._measured = ColumnWidths(headers, self._fixed)
        self._width = 0
        self._styles: dict[str, Style] = {}

    # Data -------------------------------------------------------------------------------------

    @property
    def keys(self) -> list[str]:
        return list(self._keys)

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def selected_key(self) -> str | None:
        if 0 <= self.cursor_row < len(self._keys):
            return self._keys[self.cursor_row]
        return None

    def cells(self, key: str) -> Sequence[Cell]:
        return self._cells[key]

    def texts(self, column: int = 0) -> list[str]:
        """The plain text of one column, top to bottom."""
        return [_plain(self._cells[key][column]) for key in self._keys]

    def show(self, rows: Iterable[Row]) -> None:
        """Make the table hold exactly these rows in this order; the cursor stays on its
        record when that record is still there."""
        selected = self.selected_key
        wanted = _unique(rows)
        for key, cells in wanted:
            if self._cells.get(key) != cells:
                self._forget(key)
        self._keys = [key for key, _ in wanted]
        self._cells = dict(wanted)
        self._measured.restart()
        self._measured.measure(cells for _, cells in wanted)
        self._changed()
        index = self._keys.index(selected) if selected in self._cells else 0
        self.move_cursor(row=index)

    def append(self, rows: Iterable[Row]) -> None:
        """Add rows at the end (the next page), skipping any already shown."""
        added = []
        for key, cells in rows:
            if key not in self._cells:
                self._keys.append(key)
                self._cells[key] = cells
                added.append(cells)
        self._measured.measure(added)  # once a page: each measure sorts every column's widths
        self._changed()

    def clear(self) -> None:
        self.show([])

    def move_cursor(self, *, row: int) -> None:
        self.cursor_row = max(0, min(row, len(self._keys) - 1))

    def move_to(self, key: str | None) -> None:
        if key is not None and key in self._cells:
            self.move_cursor(row=self._keys.index(key))

    def _forget(self, key: str) -> None:
        for cached in [k for k in self._strips if k[0] == key]:
            del self._strips[cached]

    def _changed(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._keys) + 1)
        self.refresh()

    # Cursor and keys --------------------------------------------------------------------------

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_to_cursor()
        key = self.selected_key
        if key is not None:
            self.post_message(self.RowHighlighted(self, key, new))

    def _scroll_to_cursor(self) -> None:
        visible = self._rows_in_view()
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False)

    def _rows_in_view(self) -> int:
        """How many rows show at once: the height scrolled, less the header on top."""
        return max(1, self.scrollable_content_region.height - 1)

    def _refresh_row(self, index: int) -> None:
        self.refresh_line(index + 1 - int(self.scroll_y))

    def action_move(self, delta: int) -> None:
        self.move_cursor(row=self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(row=self.cursor_row + direction * max(1, self._rows_in_view() - 1))

    def action_to(self, row: int) -> None:
        self.move_cursor(row=row if row >= 0 else len(self._keys) - 1)

    def action_select(self) -> None:
        key = self.selected_key
        if key is not None:
            self.post_message(self.RowSelected(self, key))

    # Sorting ----------------------------------------------------------------------------------

    @property
    def sort(self) -> Sort | None:
        return self._sorting.sort

    def sort_by(self, column: int) -> None:
        """Sort by the column at ``column``: ascending, or reversed when it sorts already."""
        self._sort_to(self._sorting.by_column(column))

    def action_sort(self) -> None:
        self._sort_to(self._sorting.following())

    def _sort_to(self, sort: Sort | None) -> None:
        if sort is not None:
            self._sorting.sort = sort
            self.refresh_line(0)
            self.post_message(self.SortChanged(self, sort))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select":
            return self.opens
        return self._sorting.sortable if action == "sort" else True

    def on_click(self, event: events.Click) -> None:
        index = event.y - 1 + int(self.scroll_y)
        if event.y == 0:
            column = column_at(event.x, self._widths, GAP)
            if column is not None:
                self.sort_by(column)
            return
        if not 0 <= index < len(self._keys):
            return
        if index == self.cursor_row:
            self.action_select()
        else:
            self.move_cursor(row=index)

    def on_focus(self) -> None:
        self._strips.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._strips.clear()
        self.refresh()

    def on_resize(self) -> None:
        self._strips.clear()
        self._changed()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    # Painting ---------------------------------------------------------------------------------

    def _column_widths(self, width: int) -> list[int]:
        return self._measured.widths(width)

    def render_lines(self, crop: Region) -> list[Strip]:
        # The width and the row styles are worked out once a frame, not once a line: looked up
        # for each line they cost as much as painting it from the strip cache.
        width = self.scrollable_content_region.width
        widths = self._column_widths(width)
        if widths != self._widths:
            self._widths = widths
            self._strips.clear()
        self._width = width
        self._styles.clear()
        return super().render_lines(crop)

    def _header(self, column: int, label: str) -> str:
        """The column's label, cut to leave room for the arrow when it sorts the list."""
        arrow = self._sorting.arrow(column)
        if not arrow or column >= len(self._widths):
            return label
        return fit_cell(label, self._widths[column] - len(arrow)).rstrip() + arrow

    def _style(self, part: str) -> Style:
        """The rich style of the table (``""``) or of one of its parts, once a frame."""
        style = self._styles.get(part)
        if style is None:
            style = self.get_component_rich_style(part) if part else self.rich_style
            self._styles[part] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self._width
        if y == 0:
            header = [self._header(index, label) for index, label in enumerate(self._labels)]
            return self._line(header, self._style("record-table--header"), width)
        index = y - 1 + int(self.scroll_y)
        if not 0 <= index < len(self._keys):
            return Strip.blank(width, self._style(""))
        key = self._keys[index]
        cursor = index == self.cursor_row
        cache_key = (key, 2 if cursor else index % 2)
        strip = self._strips.get(cache_key)
        if strip is None:
            if cursor:
                style = self._style("record-table--cursor")
            elif index % 2:
                style = self._style("record-table--odd")
            else:
                style = self._style("")
            strip = self._line(self._cells[key], style, width)
            self._strips[cache_key] = strip
        return strip

    def _line(self, cells: Sequence[Cell], style: Style, width: int) -> Strip:
        segments: list[Segment] = [Segment(" " * GAP, style)]
        for cell, cell_width in zip(cells, self._widths, strict=False):
            if isinstance(cell, str):
                # Plain text (most cells) is fitted directly: through Rich's Text it cost about
                # half of every repaint of a page of search results (benchmarks/search.py).
                segments.append(Segment(fit_cell(cell, cell_width) + " " * GAP, style))
                continue
            text = cell.copy()
            justify = text.justify
            text.truncate(cell_width, overflow="ellipsis")
            padding = cell_width - text.cell_len
            if justify == "right":
                segments.append(Segment(" " * padding, style))
            segments.extend(
                Segment(piece.text, style + piece.style if piece.style else style)
                for piece in text.render(self.app.console, end="")
                if piece.text
            )
            if justify != "right":
                segments.append(Segment(" " * padding, style))
            segments.append(Segment(" " * GAP, style))
        return Strip(segments).adjust_cell_length(width, style)


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def _unique(rows: Iterable[Row]) -> list[Row]:
    """The rows with repeated keys suffixed, since each key must name one row."""
    seen: dict[str, int] = {}
    unique: list[Row] = []
    for key, cells in rows:
        count = seen.get(key, 0)
        seen[key] = count + 1
        unique.append((f"{key}#{count}" if count else key, cells))
    return unique
