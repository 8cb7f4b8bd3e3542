"""A list searched as you type: a search box over a record table, paged and sorted in the
database, that the accounts, people and catalogue lists share.

Every keystroke asks for the first page (searched, sorted and paged by the service behind the
screen's ``load``); moving near the end of the list fetches the next page. A newer keystroke or
sort makes older answers stale, and stale answers are dropped, so the list always shows the
latest text in the latest order. A header click or F12 sorts (``RecordTable``).

A letter (any printable key) typed while the table has focus goes into the search box, which
takes the focus: typing "Northwind" on a list searches for it. So a list screen binds no
letters of its own; its actions are on Ctrl+ and F-keys. "?" still opens the keys panel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Static

from acctmgr.services.kernel.sorting import Sort
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.search_box import SearchBox
from acctmgr.widgets.text import counted

T = TypeVar("T")
PAGE = 100
NEAR_THE_END = 10  # rows from the end at which the next page is asked for
# The keys panel's own key (the app's "?"), which a letter typed on the list must not take.
KEEP = frozenset({"?"})
# What the list asks its screen for: the rows matching ``text`` in ``sort`` order, from
# ``offset``, at most ``limit`` of them; None when the service refused (it has said why).
Load = Callable[[str, Sort | None, int, int], Awaitable[Sequence[T] | None]]


class SearchList(Vertical, Generic[T]):
    """A search box, the widgets beside and under it, a record table and a status line."""

    DEFAULT_CSS = """
    SearchList {
        height: 1fr;
        & > .search-list--bar { height: 1; width: 100%; margin: 1 0 0 0; }
        & .search-list--box {
            width: 1fr;
            /* A fixed height: with an automatic one, every keystroke laid the whole screen
               out again before its results could be painted (benchmarks/search.py). */
            height: 1;
            background: $boost;
            margin: 0 1;
        }
        & > .search-list--status { width: 100%; height: 1; padding: 0 1; color: $text-muted; }
    }
    """
    BINDINGS = [
        Binding("ctrl+f", "focus_search", "Search"),
        # The table's own F12, for when the search box has the focus (the footer has no room).
        Binding("f12", "sort", "Sort", show=False),
    ]

    def __init__(
        self,
        table: RecordTable,
        load: Load[T],
        row: Callable[[T], Row],
        *,
        box_id: str,
        status_id: str,
        placeholder: str,
        noun: tuple[str, str],
        beside: Sequence[Widget] = (),
        under: Sequence[Widget] = (),
        page: int = PAGE,
    ) -> None:
        """``row`` makes a table row (its key first) of an item ``load`` brought; ``noun`` is
        what the status line counts, one and many."""
        super().__init__()
        self.table = table
        self._load = load
        self._row = row
        self._box_id = box_id
        self._status_id = status_id
        self._placeholder = placeholder
        self._noun = noun
        self._beside = beside
        self._under = under
        self._page = page
        self._generation = 0
        self._exhausted = False
        self.items: dict[str, T] = {}
        self.hint = ""  # said after the count, e.g. which key shows more

    def compose(self) -> ComposeResult:
        with Horizontal(classes="search-list--bar"):
            yield SearchBox(
                placeholder=self._placeholder,
                id=self._box_id,
                compact=True,
                classes="search-list--box",
            )
            yield from self._beside
        yield from self._under
        yield self.table
        yield Static("", id=self._status_id, classes="search-list--status")

    @property
    def box(self) -> SearchBox:
        return self.query_one(f"#{self._box_id}", SearchBox)

    @property
    def text(self) -> str:
        return self.box.value

    def set_text(self, text: str) -> None:
        """Put ``text`` in the box without searching for it (the caller searches)."""
        with self.box.prevent(Input.Changed):
            self.box.value = text

    def highlighted(self) -> T | None:
        """The item under the table's cursor, if any."""
        key = self.table.selected_key
        return self.items.get(key) if key else None

    def search(self, *, to_top: bool = True) -> None:
        """Start a new search from the first page; older answers become stale. The cursor goes
        to the first row, or (``to_top=False``, to show changes) stays on its record."""
        self._generation += 1
        self._exhausted = False
        self._fetch(self._generation, 0, to_top)

    @work(group="list-search")
    async def _fetch(self, generation: int, offset: int, to_top: bool = False) -> None:
        found = await self._load(self.text, self.table.sort, offset, self._page)
        if found is None or generation != self._generation:
            return
        table = self.table
        rows = [self._row(item) for item in found]
        if offset == 0:
            self.items = {key: item for (key, _), item in zip(rows, found, strict=True)}
            table.show(rows)
            if to_top and table.row_count:
                table.move_cursor(row=0)
        else:
            self.items.update({key: item for (key, _), item in zip(rows, found, strict=True)})
            table.append(rows)
        self._exhausted = len(found) < self._page
        one, many = self._noun
        shown = counted(table.row_count, one, many)
        # The status line has a fixed height: no need to lay the screen out again.
        self.query_one(f"#{self._status_id}", Static).update(
            (shown if self._exhausted else f"{shown} shown, more below") + self.hint,
            layout=False,
        )
        self.screen.refresh_bindings()

    @on(Input.Changed)
    def _text_changed(self, event: Input.Changed) -> None:
        if event.input.id == self._box_id:
            self.search()

    @on(Input.Submitted)
    def _text_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == self._box_id:
            self.table.focus()

    @on(RecordTable.SortChanged)
    def _sorted(self, event: RecordTable.SortChanged) -> None:
        if event.table is self.table:
            self.search()

    @on(RecordTable.RowHighlighted)
    def _near_the_end(self, event: RecordTable.RowHighlighted) -> None:
        table = self.table
        if event.table is not table:
            return
        if not self._exhausted and event.index >= table.row_count - NEAR_THE_END:
            self._exhausted = True  # until this page answers
            self._fetch(self._generation, table.row_count)
        self.screen.refresh_bindings()

    def on_key(self, event: events.Key) -> None:
        """A letter typed on the table goes to the end of the search, which takes the focus;
        Down in the search goes to the results, as Enter does."""
        if event.key == "down" and self.box.has_focus and self.table.row_count:
            event.stop()
            self.table.focus()
            return
        character = event.character
        if not (self.table.has_focus and event.is_printable and character):
            return
        if character in KEEP:
            return
        event.stop()
        event.prevent_default()
        self.box.type_in(character)

    def action_focus_search(self) -> None:
        self.box.focus()

    def action_sort(self) -> None:
        self.table.action_sort()
