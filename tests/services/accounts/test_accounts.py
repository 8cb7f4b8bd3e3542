"""Accounts and contacts: rules, permissions, search, and the audit of every change."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, NotFound, PermissionDenied
from acctmgr.models import AccountKind, AuditEvent
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts import search as account_search
from acctmgr.services.accounts.records import AccountIn, ContactIn
from acctmgr.services.accounts.search import AccountQuery
from acctmgr.services.catalogue import browsing
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.context import Context


def _create(context: Context, name: str, **fields: object) -> account_service.AccountView:
    return account_service.create_account(
        context, AccountIn(name=name, segment_code=str(fields.pop("segment", "SMB")), **fields)
    )


def test_creating_an_account_is_audited_in_the_same_transaction(admin: Context) -> None:
    """The insert leaves an audit event with who, when, and the values after."""
    ae = admin.as_user("ae")
    account = _create(ae, "Acme Corp", iseries_number="A1001", billing_city="Lyon")
    events = audit.trail(admin, RecordType.ACCOUNT, account.id)
    assert len(events) == 1
    assert events[0].change == "insert"
    assert events[0].action == "accounts.create"
    assert events[0].after is not None
    assert events[0].after["name"] == "Acme Corp"
    assert events[0].at == admin.clock.now()


def test_an_update_records_before_and_after(admin: Context) -> None:
    """An edit is audited with the old and new values of the changed fields only."""
    account = _create(admin, "Acme Corp")
    data = AccountIn(name="Acme Corporation", segment_code="SMB")
    account_service.update_account(admin.as_user("ae"), account.id, data, account.version)
    latest = audit.trail(admin, RecordType.ACCOUNT, account.id)[0]
    assert latest.change == "update"
    assert latest.before == {
        "name": "Acme Corp",
        "search_text": "acme corp",
        "sort_name": "acme corp",
        "version": 1,
        "updated_at": None,
    }
    assert latest.after is not None
    assert latest.after["name"] == "Acme Corporation"


def test_a_failed_use_case_saves_nothing(admin: Context, database) -> None:  # type: ignore[no-untyped-def]
    """An error part-way leaves no row and no audit event behind."""
    _create(admin, "First", iseries_number="X1")
    with pytest.raises(InvalidInput, match="already belongs to First"):
        _create(admin, "Second", iseries_number="X1")
    with database.read_session() as session:
        names = session.scalars(
            select(AuditEvent.after).where(AuditEvent.entity_type == RecordType.ACCOUNT)
        ).all()
    assert [row["name"] for row in names if row and "name" in row] == ["First"]


def test_users_only_see_and_edit_their_own_segment(admin: Context) -> None:
    """An AE of the Enterprise segment cannot open or edit a Small-business account."""
    account = _create(admin, "Small Shop")
    other = admin.as_user("ae2")
    with pytest.raises(PermissionDenied, match="another segment"):
        account_service.get_account(other, account.id)
    with pytest.raises(PermissionDenied):
        account_service.update_account(
            other, account.id, AccountIn(name="Mine now", segment_code="SMB"), account.version
        )
    with pytest.raises(PermissionDenied, match="another segment"):
        _create(other, "Sneaky", segment="SMB")
    assert account_search.search_accounts(other, AccountQuery()).items == []
    found = account_search.search_accounts(admin.as_user("ae"), AccountQuery(text="small"))
    assert [row.name for row in found.items] == ["Small Shop"]
    # Finance works across segments.
    assert account_service.get_account(admin.as_user("finance"), account.id).name == "Small Shop"


def test_only_account_editors_create_accounts(admin: Context) -> None:
    """A Segment Leader approves, but does not create accounts."""
    with pytest.raises(PermissionDenied, match="Only a"):
        _create(admin.as_user("leader"), "Nope")


def test_hierarchy_rules(admin: Context) -> None:
    """Accounts sit only under National or Regional Accounts."""
    national = _create(admin, "Big Chain", kind=AccountKind.NATIONAL)
    store = _create(admin, "Big Chain Store 12", parent_id=national.id)
    assert store.parent_name == "Big Chain"
    with pytest.raises(InvalidInput, match="National or Regional"):
        _create(admin, "Under a store", parent_id=store.id)
    with pytest.raises(NotFound):
        _create(admin, "Orphan", parent_id=999_999)


def test_bad_field_values_are_refused_before_saving() -> None:
    """Malformed currency, country, locale and iSeries numbers fail validation."""
    for bad in (
        {"currency": "usd"},
        {"billing_country": "France"},
        {"locale": "english"},
        {"iseries_number": "12-34"},
        {"name": ""},
    ):
        with pytest.raises(ValidationError):
            AccountIn(segment_code="SMB", **{"name": "X", **bad})


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("acme", ["Acme 100% Pure", "Acme_Underscore"]),
        ("100%", ["Acme 100% Pure"]),
        ("_", ["Acme_Underscore"]),
        ("back\\slash", ["Back\\Slash Ltd"]),
        ("o'brien", ["O'Brien & Sons"]),
        ("café", ["Café 🚀 Rocket"]),
        ("🚀", ["Café 🚀 Rocket"]),
        ("lyon", ["Acme 100% Pure"]),
        ("b7", ["O'Brien & Sons"]),
        ("dana", ["Back\\Slash Ltd"]),
        ("a/s", ["A/S Nordic"]),
        ("/%", []),
    ],
)
def test_search_matches_text_literally(admin: Context, needle: str, expected: list[str]) -> None:
    """Quotes, %, _, backslashes and emoji are searched as typed, never as wildcards."""
    _create(admin, "Acme 100% Pure", billing_city="Lyon")
    _create(admin, "Acme_Underscore")
    back = _create(admin, "Back\\Slash Ltd")
    _create(admin, "O'Brien & Sons", iseries_number="B7")
    _create(admin, "Café 🚀 Rocket")
    _create(admin, "A/S Nordic")
    _create(admin, "As Nordic")
    account_service.add_contact(admin, back.id, ContactIn(name="Dana Scully"))
    page = account_search.search_accounts(admin, AccountQuery(text=needle))
    assert [row.name for row in page.items] == expected


@pytest.mark.parametrize("needle", ["ab\x00c", "\x1b[31m", "two\nlines"])
def test_a_search_text_with_control_characters_is_refused_with_a_sentence(
    admin: Context, needle: str
) -> None:
    """Accounts or SKUs: the one text rule, not a broken FTS string (SQLite) or a raw
    DataError (PostgreSQL) for a NUL."""
    _create(admin, "Acme ab")
    for search in (
        lambda: account_search.search_accounts(admin, AccountQuery(text=needle)),
        lambda: browsing.search_skus(admin, needle),
    ):
        with pytest.raises(InvalidInput, match=r"^The search text cannot contain control"):
            search()


@pytest.mark.parametrize("few_candidates", [account_search.FEW_CANDIDATES, 1])
def test_search_follows_edits(
    admin: Context, monkeypatch: pytest.MonkeyPatch, few_candidates: int
) -> None:
    """A renamed account or a new contact is found by its new text at once, never by the old
    (whether SQLite reads the trigram index's candidates or scans)."""
    monkeypatch.setattr(account_search, "FEW_CANDIDATES", few_candidates)
    account = _create(admin, "Northwind Traders", billing_city="Lyon")
    _create(admin, "Southwind Traders")
    renamed = AccountIn(name="Eastwind Traders", segment_code="SMB", billing_city="Lyon")
    account_service.update_account(admin, account.id, renamed, account.version)
    account_service.add_contact(admin, account.id, ContactIn(name="Zoë O'Hara"))

    def names(text: str) -> list[str]:
        page = account_search.search_accounts(admin, AccountQuery(text=text))
        return [row.name for row in page.items]

    assert names("northwind") == []
    assert names("eastwind") == ["Eastwind Traders"]
    assert names("wind trad") == ["Eastwind Traders", "Southwind Traders"]
    assert names("zoë o'h") == ["Eastwind Traders"]
    assert names("ly") == ["Eastwind Traders"]


@pytest.mark.parametrize(("offset", "limit"), [(0, 0), (0, account_search.MAX_PAGE + 1), (-1, 50)])
def test_a_page_is_asked_for_within_bounds(offset: int, limit: int) -> None:
    """A page holds 1 to MAX_PAGE accounts and starts at 0 or later."""
    with pytest.raises(InvalidInput, match="A page holds 1 to 500 accounts"):
        AccountQuery(offset=offset, limit=limit)


def test_search_pages_in_the_database(admin: Context) -> None:
    """Pages come back in name order with offset and limit, and a total on request."""
    for number in range(12):
        _create(admin, f"Company {number:02d}")
    first = account_search.search_accounts(admin, AccountQuery(limit=5, count=True))
    second = account_search.search_accounts(admin, AccountQuery(offset=5, limit=5))
    assert [row.name for row in first.items] == [f"Company {n:02d}" for n in range(5)]
    assert [row.name for row in second.items] == [f"Company {n:02d}" for n in range(5, 10)]
    assert first.total == 12
    assert second.total is None


def test_the_invoice_contact_must_belong_to_the_account_and_have_an_email(admin: Context) -> None:
    """An invoice contact without an e-mail, or from another account, is refused."""
    account = _create(admin, "Acme Corp")
    other = _create(admin, "Other Corp")
    nomail = account_service.add_contact(admin, account.id, ContactIn(name="No Mail"))
    stranger = account_service.add_contact(
        admin, other.id, ContactIn(name="Stranger", email="s@example.com")
    )
    good = account_service.add_contact(
        admin, account.id, ContactIn(name="Pay Master", email="pay@acme.example")
    )
    version = account_service.get_account(admin, account.id).version
    with pytest.raises(InvalidInput, match="no e-mail"):
        account_service.set_invoice_contact(admin, account.id, nomail.id, version)
    with pytest.raises(InvalidInput, match="contact of this account"):
        account_service.set_invoice_contact(admin, account.id, stranger.id, version)
    saved = account_service.set_invoice_contact(admin, account.id, good.id, version)
    assert saved.invoice_contact_id == good.id


def test_contact_email_must_look_like_an_address() -> None:
    """A contact's e-mail is checked for shape when given."""
    with pytest.raises(ValidationError, match=r"name@example\.com"):
        ContactIn(name="X", email="not-an-address")
