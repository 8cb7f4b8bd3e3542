"""How a list is ordered when its user sorts it by a column: the one rule every list query keeps.

A list screen asks for a column by name (``Sort("city")``) and a direction. The service holds
the names it offers, each mapped to the expressions it orders by, and refuses any other name:
the name chooses an expression written in the service, it is never put into SQL. The rows
that tie are then ordered by id, in the same direction, so that pages taken one after another
(OFFSET and LIMIT) neither repeat nor skip a row, and a reversed sort is the same list upside
down.

Text columns are ordered by ``lower()`` of the text, with NULL read as empty: SQLite (whose
text order is by code point) and PostgreSQL (the C.UTF-8 collation our databases are created
with) then list ASCII text alike. Beyond ASCII they differ: SQLite's ``lower()`` leaves "Ö"
as it is, PostgreSQL's makes it "ö", so an accented capital sorts after "z" on SQLite only.
Account names sort by their stored folded ``sort_name`` and are the same on both. Kept free of
SQLAlchemy: the plain-SQL reads use it too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from acctmgr.errors import InvalidInput

T = TypeVar("T")


@dataclass(frozen=True)
class Sort:
    """The order a user asked a list for: a column's name, ascending unless ``descending``."""

    column: str
    descending: bool = False

    def reversed(self) -> Sort:
        return Sort(self.column, not self.descending)


def chosen(
    columns: Mapping[str, Sequence[T]], sort: Sort | None, default: Sort, *, what: str
) -> tuple[Sequence[T], bool]:
    """The expressions ``sort`` names among ``columns`` and whether they run descending (the
    default's when no sort is given). A name the list does not offer is refused (InvalidInput),
    with the names it does."""
    asked = sort or default
    expressions = columns.get(asked.column)
    if expressions is None:
        offered = ", ".join(columns)
        raise InvalidInput(
            f"The {what} cannot be sorted by {asked.column!r}; it sorts by {offered}.",
            field="sort",
        )
    return expressions, asked.descending


def sql_order(
    columns: Mapping[str, Sequence[str]],
    sort: Sort | None,
    default: Sort,
    *,
    tie_breaker: str,
    what: str,
) -> str:
    """An ORDER BY list (without the keywords) for a plain-SQL read: the chosen column's
    expressions, then the tie-breaker, all one way."""
    expressions, descending = chosen(columns, sort, default, what=what)
    direction = " DESC" if descending else ""
    return ", ".join(f"{expression}{direction}" for expression in [*expressions, tie_breaker])


class Orderable(Protocol):
    """A SQLAlchemy column or expression, as far as ordering goes."""

    def desc(self) -> Any: ...

    def asc(self) -> Any: ...


E = TypeVar("E", bound=Orderable)


def orm_order(
    columns: Mapping[str, Sequence[E]],
    sort: Sort | None,
    default: Sort,
    *,
    tie_breaker: E,
    what: str,
) -> list[Any]:
    """The ``order_by`` arguments for an ORM read: the chosen column's expressions, then the
    tie-breaker, all one way."""
    expressions, descending = chosen(columns, sort, default, what=what)
    return [e.desc() if descending else e.asc() for e in [*expressions, tie_breaker]]
