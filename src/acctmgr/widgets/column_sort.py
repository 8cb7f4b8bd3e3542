"""Which column a record table sorts by, and how a click or F12 changes it.

Kept apart from the painting in ``record_table``: the rule a user learns (a header sorts by its
column, again reverses it; F12 reverses an ascending sort and moves on after a descending one),
and the ▲/▼ the header shows for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from acctmgr.services.kernel.sorting import Sort

ARROWS = {False: " ▲", True: " ▼"}


class ColumnSort:
    """The sort names of a table's columns (None where a column does not sort) and the sort."""

    def __init__(self, names: Sequence[str | None], sort: Sort | None) -> None:
        self.names = list(names)
        self.sort = sort

    @property
    def sortable(self) -> bool:
        return any(self.names)

    def by_column(self, column: int) -> Sort | None:
        """The sort a click on the column's header asks for, or None when it does not sort."""
        name = self.names[column] if 0 <= column < len(self.names) else None
        if name is None:
            return None
        sort = self.sort
        return sort.reversed() if sort and sort.column == name else Sort(name)

    def following(self) -> Sort | None:
        """The sort F6 asks for: an ascending one reversed, else the next column ascending."""
        names = [name for name in self.names if name]
        sort = self.sort
        if sort and sort.column in names and not sort.descending:
            return sort.reversed()
        if not names:
            return None
        now = names.index(sort.column) if sort and sort.column in names else -1
        return Sort(names[(now + 1) % len(names)])

    def arrow(self, column: int) -> str:
        """``" ▲"`` or ``" ▼"`` for the column the list is sorted by, else nothing."""
        sort = self.sort
        name = self.names[column] if 0 <= column < len(self.names) else None
        return ARROWS[sort.descending] if sort and name and sort.column == name else ""


def column_at(x: int, widths: Sequence[int], gap: int) -> int | None:
    """The column under ``x`` in a line of cells ``gap`` apart (the gap before one is its)."""
    start = gap
    for index, width in enumerate(widths):
        if start <= x < start + width + gap:
            return index
        start += width + gap
    return None
