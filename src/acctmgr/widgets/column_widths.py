"""How a record table's columns share its width, from the widths of the cells they hold.

Columns are as wide as their longest cell when they all fit; when they do not, each is fitted
by its typical cell (nine rows in ten are no wider), so a column of a few long names does not
cut a column of many, and no column is cut while there is room to spare.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.text import Text

GAP = 1  # blank columns between cells
FLEX_MIN = 8  # the narrowest a column without a fixed width becomes


class ColumnWidths:
    """The widths of the cells each column holds, and the column widths that follow."""

    def __init__(self, labels: Sequence[str], fixed: Sequence[int | None]) -> None:
        self._labels = list(labels)
        self._fixed = list(fixed)
        self.restart()

    def restart(self) -> None:
        """Forget every row measured (the table shows new rows)."""
        self._lengths: list[list[int]] = [[] for _ in self._labels]
        self._natural = [cell_len(label) for label in self._labels]
        self._typical = list(self._natural)

    def measure(self, rows: Iterable[Sequence[Text | str]]) -> None:
        """Note the widths of these rows' cells."""
        lengths = self._lengths
        for cells in rows:
            for index, cell in enumerate(cells[: len(lengths)]):
                lengths[index].append(cell.cell_len if isinstance(cell, Text) else cell_len(cell))
        self._natural, self._typical = [], []
        for label, column in zip(self._labels, lengths, strict=True):
            ordered = sorted(column)
            header = cell_len(label)
            self._natural.append(max(header, ordered[-1] if ordered else 0))
            self._typical.append(
                max(header, ordered[(len(ordered) - 1) * 9 // 10] if ordered else 0)
            )

    def widths(self, width: int) -> list[int]:
        """The columns' widths in a table ``width`` cells wide."""
        room = width - GAP * (len(self._fixed) + 1)
        return fit_columns(self._natural, self._typical, self._fixed, room)


def fit_columns(
    natural: Sequence[int], typical: Sequence[int], fixed: Sequence[int | None], room: int
) -> list[int]:
    """The widths of columns whose longest cells are ``natural`` wide, in ``room`` cells.

    When they all fit, every column is whole. Otherwise the columns are first fitted by their
    ``typical`` cell (nine rows in ten are no wider), a fixed width being a column's limit:
    the narrow ones whole, the others sharing what is left equally, never under ``FLEX_MIN``.
    Room still free lets the cut columns grow towards their longest cell, and what is left
    goes to the columns without a fixed width. So a column of a few long names does not cut
    a column of many, and no column is cut while there is room to spare.
    """
    if sum(natural) <= room:
        widths = list(natural)
    else:
        limited = [t if f is None else min(t, f) for t, f in zip(typical, fixed, strict=True)]
        widths = _share(limited, room, FLEX_MIN)
        grown = _share([n - w for n, w in zip(natural, widths, strict=True)], room - sum(widths), 0)
        widths = [w + g for w, g in zip(widths, grown, strict=True)]
    spare = room - sum(widths)
    flexible = [i for i, f in enumerate(fixed) if f is None]
    for position, index in enumerate(flexible if spare > 0 else []):
        widths[index] += spare // len(flexible) + (position < spare % len(flexible))
    return widths


def _share(wanted: Sequence[int], room: int, floor: int) -> list[int]:
    """Each what it wants when all fit; else the smallest wants whole and the rest an equal
    share of what is left (at least ``floor``)."""
    shares = [0] * len(wanted)
    left = room
    for position, index in enumerate(sorted(range(len(wanted)), key=wanted.__getitem__)):
        share = max(floor, left // (len(wanted) - position))
        shares[index] = min(wanted[index], share)
        left -= shares[index]
    return shares


def fit_cell(text: str, width: int) -> str:
    """``text`` padded or cut to exactly ``width`` cells, ending in an ellipsis when cut (as
    Rich's ``Text.truncate(overflow="ellipsis")`` followed by padding)."""
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    return set_cell_size(text, width - 1) + "…" if width > 0 else ""
