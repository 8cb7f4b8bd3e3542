"""The accounts search, read with plain SQL, is held to the ORM's account read model: what it
finds, and the order it lists them in, for every column it sorts by, both ways."""

from __future__ import annotations

import pytest

from acctmgr.errors import PermissionDenied
from acctmgr.models import AccountKind
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn, ContactIn
from acctmgr.services.accounts.search import SORTS, AccountQuery, search_accounts
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.sorting import Sort
from acctmgr.services.kernel.text import folded, natural_name
from tests.services.conftest import LOGINS

ACCOUNTS = (
    ("Northwind Traders", "SMB", "Lyon", "FR", "ae", "Ana García", "ana@northwind.example"),
    ("Nordic Systems", "ENT", "Oslo", "NO", "ae2", "Ole Nord", ""),
    ("Müller & Söhne", "SMB", "München", "DE", None, "Jürgen Müller", "jm@mueller.example"),
    ("100% Coffee", "ENT", "Seattle", "US", None, "Sam O'Brien", "sam@coffee.example"),
    ("Store #11", "SMB", "Köln", "DE", "ae", "Pia Groß", ""),
    ("Store #6", "SMB", "Straßburg", "FR", "ae", "Éric Roux", "eric@store.example"),
)
TEXTS = (
    *("", "nor", "lyon", "garcia", "müller", "100%", "o'b", "zzqx"),
    *("MULLER", "munchen", "koln", "KÖLN", "strass", "gross", "eric", "@store.example", "store #"),
)


@pytest.fixture
def customers(staffed: Context) -> dict[str, int]:
    """Six accounts in two segments, each with a contact, some with iSeries numbers, the two
    stores under a National Account, written through the use cases."""
    group = account_service.create_account(
        staffed, AccountIn(name="Store Group", segment_code="SMB", kind=AccountKind.NATIONAL)
    )
    ids = {"Store Group": group.id}
    for index, (name, segment, city, country, owner, contact, email) in enumerate(ACCOUNTS):
        account = account_service.create_account(
            staffed,
            AccountIn(
                name=name,
                segment_code=segment,
                owner_login=owner,
                billing_city=city,
                billing_country=country,
                iseries_number=f"{90 + 5 * index}" if index % 2 else None,
                parent_id=group.id if name.startswith("Store #") else None,
            ),
        )
        account_service.add_contact(staffed, account.id, ContactIn(name=contact, email=email))
        ids[name] = account.id
    return ids


SORTED = [Sort(column, descending) for column in SORTS for descending in (False, True)]


@pytest.mark.parametrize("login", LOGINS)
def test_the_search_finds_what_the_read_model_shows_and_nothing_it_refuses(
    staffed: Context,
    customers: dict[str, int],
    login: str,
) -> None:
    """For every kind of user, text and sort, the rows found are the accounts get_account shows
    them whose name, city or contact holds the text, accents and case aside, in the order of the
    sorted column (names naturally) and then id; an account they may not open is never found."""
    user = staffed.as_user(login)
    visible = {}
    for account_id in [*customers.values(), *_others(staffed, customers)]:
        try:
            visible[account_id] = account_service.get_account(user, account_id)
        except PermissionDenied:
            continue
    for text, sort in [(text, sort) for text in TEXTS for sort in SORTED]:
        found = search_accounts(user, AccountQuery(text=text, limit=200, sort=sort)).items
        ids = {row.id for row in found}
        assert ids <= set(visible), (text, sort)
        for row in found:
            view = visible[row.id]
            assert (row.name, row.kind, row.billing_city, row.billing_country) == (
                view.name,
                view.kind,
                view.billing_city,
                view.billing_country,
            )
            assert (row.segment_name, row.owner_name) == (view.segment_name, view.owner_name)
            assert (row.iseries_number, row.parent_name) == (view.iseries_number, view.parent_name)
        assert {row.id for row in found} == {
            key for key, view in visible.items() if folded(text).strip() in _searched(view)
        }, text
        listed = sorted(visible.values(), key=lambda view: _listed(view, sort.column))
        if sort.descending:
            listed.reverse()
        assert [row.id for row in found] == [view.id for view in listed if view.id in ids], (
            text,
            sort,
        )
    everything = search_accounts(user, AccountQuery(limit=200)).items
    assert {row.id for row in everything} == set(visible)


def _searched(view: account_service.AccountView) -> str:
    """What the search reads of an account, from the read model: its name, iSeries number,
    city, and its contacts' names and e-mail addresses, folded."""
    contacts = [part for contact in view.contacts for part in (contact.name, contact.email)]
    parts = [view.name, view.iseries_number or "", view.billing_city, *contacts]
    return folded(" ".join(part for part in parts if part))


def _listed(view: account_service.AccountView, column: str) -> tuple[object, int]:
    """What the list orders an account by, from the read model: the sorted column, then id."""
    keys: dict[str, object] = {
        "name": natural_name(view.name),
        "kind": view.kind.value,
        "iseries": view.iseries_number or "",
        "city": (view.billing_city.lower(), view.billing_country.lower()),
        "segment": view.segment_name.lower(),
        "parent": natural_name(view.parent_name) if view.parent_name else "",
    }
    assert set(keys) == set(SORTS)
    return keys[column], view.id


def _others(context: Context, customers: dict[str, int]) -> list[int]:
    """The accounts the staffed fixture made before these four."""
    everyone = search_accounts(context, AccountQuery(limit=200)).items
    return [row.id for row in everyone if row.id not in customers.values()]
