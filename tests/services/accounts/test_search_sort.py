"""The accounts list sorts by any of its columns in SQL, pages alike, and refuses other names."""

from __future__ import annotations

import pytest

from acctmgr.errors import InvalidInput
from acctmgr.models import AccountKind
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn
from acctmgr.services.accounts.search import AccountQuery, search_accounts
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.sorting import Sort

# name, kind, iSeries, city, country, segment, under
ACCOUNTS = (
    ("Alpha #11", AccountKind.CUSTOMER, "300", "berlin", "DE", "ENT", "Group #6"),
    ("Alpha #6", AccountKind.CUSTOMER, None, "Dresden", "DE", "SMB", "Group #11"),
    ("Group #11", AccountKind.REGIONAL, "100", "Aachen", "DE", "SMB", None),
    ("Group #6", AccountKind.NATIONAL, "200", "Cottbus", "DE", "ENT", None),
)
# Each column's order, ascending; ties (the two members' NA/RA) fall back to their ids.
EXPECTED = {
    "name": ["Alpha #6", "Alpha #11", "Group #6", "Group #11"],
    "kind": ["Alpha #11", "Alpha #6", "Group #6", "Group #11"],
    "iseries": ["Alpha #6", "Group #11", "Group #6", "Alpha #11"],
    "city": ["Group #11", "Alpha #11", "Group #6", "Alpha #6"],
    "segment": ["Group #6", "Alpha #11", "Group #11", "Alpha #6"],
    "parent": ["Group #11", "Group #6", "Alpha #11", "Alpha #6"],
}


@pytest.fixture
def listed(admin: Context) -> Context:
    """Four accounts whose every column orders them differently, written through use cases."""
    ids: dict[str, int] = {}
    for name, kind, iseries, city, country, segment, under in sorted(ACCOUNTS, key=_groups_first):
        ids[name] = account_service.create_account(
            admin,
            AccountIn(
                name=name,
                kind=kind,
                segment_code=segment,
                iseries_number=iseries,
                billing_city=city,
                billing_country=country,
                parent_id=ids[under] if under else None,
            ),
        ).id
    return admin


def _groups_first(account: tuple[object, ...]) -> bool:
    return account[-1] is not None


def _names(context: Context, sort: Sort, offset: int = 0, limit: int = 100) -> list[str]:
    query = AccountQuery(text="", sort=sort, offset=offset, limit=limit)
    return [row.name for row in search_accounts(context, query).items]


@pytest.mark.parametrize("column", sorted(EXPECTED))
def test_each_column_sorts_the_list_and_again_reverses_it(listed: Context, column: str) -> None:
    """Sorted by a column, the accounts come in its order (names naturally, text without
    regard to case), and descending exactly reversed, ties included."""
    mine = [name for name in _names(listed, Sort(column)) if name[:5] in ("Alpha", "Group")]
    assert mine == EXPECTED[column]
    reversed_ = _names(listed, Sort(column, descending=True))
    assert [name for name in reversed_ if name in mine] == EXPECTED[column][::-1]


@pytest.mark.parametrize("sort", [Sort("city"), Sort("kind", descending=True)])
def test_pages_of_a_sorted_list_neither_repeat_nor_skip(listed: Context, sort: Sort) -> None:
    """Taken a page of one at a time, a sorted list is the whole list in the same order."""
    whole = _names(listed, sort)
    paged = [name for offset in range(len(whole)) for name in _names(listed, sort, offset, 1)]
    assert paged == whole


@pytest.mark.parametrize("column", ["owner", "acc.name; DROP TABLE accounts", ""])
def test_a_column_the_list_does_not_offer_is_refused(listed: Context, column: str) -> None:
    """A sort by anything but the list's columns is refused with a sentence naming them."""
    with pytest.raises(InvalidInput, match="sorts by name, kind, iseries"):
        search_accounts(listed, AccountQuery(sort=Sort(column)))
    assert _names(listed, Sort("name"))
