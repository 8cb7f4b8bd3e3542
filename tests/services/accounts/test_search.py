"""The accounts search ignores accents and case, covers contacts, and lists names naturally."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import select, text

from acctmgr.db import Database
from acctmgr.db.migrate import alembic_config, upgrade
from acctmgr.db.reader import Reader
from acctmgr.models import Account, AccountKind
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn, ContactIn
from acctmgr.services.accounts.search import AccountQuery, search_accounts
from acctmgr.services.kernel.context import Context


def _create(context: Context, name: str, **fields: object) -> int:
    return account_service.create_account(
        context, AccountIn(name=name, segment_code="SMB", **fields)
    ).id


def _found(context: Context, typed: str, parent_id: int | None = None) -> list[str]:
    query = AccountQuery(text=typed, parent_id=parent_id, limit=100)
    return [row.name for row in search_accounts(context, query).items]


@pytest.mark.parametrize("typed", ["koln", "KÖLN", "Köln", "KOLN", "kÖl"])
def test_a_city_is_found_whatever_its_accents_and_case(admin: Context, typed: str) -> None:
    """ "koln", "KÖLN" and "Köln" all find the account in Köln, and only it."""
    _create(admin, "Rheinland Versand", billing_city="Köln")
    _create(admin, "Berlin Bau", billing_city="Berlin")
    assert _found(admin, typed) == ["Rheinland Versand"]


def test_a_sharp_s_is_found_as_ss(admin: Context) -> None:
    """ "strasse" finds "Hauptstraße", and "STRASSE" and "straße" do too."""
    _create(admin, "Bäckerei Hauptstraße")
    for typed in ("strasse", "STRASSE", "straße", "backerei"):
        assert _found(admin, typed) == ["Bäckerei Hauptstraße"], typed


def test_a_contact_is_found_by_name_and_by_e_mail_address(admin: Context) -> None:
    """A contact's name, without its accents, and e-mail address find the contact's account."""
    account_id = _create(admin, "Quiet Corp")
    _create(admin, "Other Corp")
    account_service.add_contact(
        admin, account_id, ContactIn(name="Zoë Ångström", email="zoe.angstrom@quiet.example")
    )
    for typed in ("zoe angstrom", "ZOË", "zoe.angstrom@quiet", "@QUIET.example"):
        assert _found(admin, typed) == ["Quiet Corp"], typed


def test_numbers_in_names_sort_by_their_value(admin: Context) -> None:
    """Store #6 comes before Store #11, and a name's accents do not move it to the end."""
    for name in ("Store #11", "Store #6", "Store #100", "Store #2", "Ästhetik Studio", "Zeta"):
        _create(admin, name)
    assert _found(admin, "") == [
        "Ästhetik Studio",
        "Store #2",
        "Store #6",
        "Store #11",
        "Store #100",
        "Zeta",
    ]


def test_the_members_of_a_national_account_are_searched_among_themselves(admin: Context) -> None:
    """With the NA/RA filter on, a text finds the matching members only; without one, all."""
    group = _create(admin, "Rhein Gruppe", kind=AccountKind.NATIONAL)
    _create(admin, "Rhein Köln Süd", parent_id=group, billing_city="Köln")
    _create(admin, "Rhein Bonn", parent_id=group, billing_city="Bonn")
    _create(admin, "Kölner Bank", billing_city="Köln")
    assert _found(admin, "", parent_id=group) == ["Rhein Bonn", "Rhein Köln Süd"]
    assert _found(admin, "koln", parent_id=group) == ["Rhein Köln Süd"]
    assert _found(admin, "koln") == ["Kölner Bank", "Rhein Köln Süd"]


def test_the_upgrade_makes_every_search_text_and_sort_name_again(admin: Context) -> None:
    """Migration 0007 folds the search text of accounts written before it, adds their contacts'
    e-mails, and fills the sort name, so that old accounts are found and ordered like new ones."""
    account_id = _create(admin, "Café #9", billing_city="Köln")
    account_service.add_contact(admin, account_id, ContactIn(name="Jürgen", email="j@cafe.example"))
    database = admin.database
    _migrate(database, "0005")
    with database.engine.connect() as connection:
        old = connection.execute(text("SELECT search_text FROM accounts")).scalar_one()
    assert old == "café #9 köln jürgen"
    upgrade(database)
    with database.read_session() as session:
        account = session.scalars(select(Account)).one()
        assert account.search_text == "cafe #9 koln jurgen j@cafe.example"
        assert account.sort_name == "cafe #000000000009"
    assert _found(admin, "KOLN") == _found(admin, "j@cafe") == ["Café #9"]


@pytest.mark.parametrize("login", ["admin", "ae"])
def test_a_page_comes_in_list_order_from_an_index(
    admin: Context, login: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite, a page the trigram index does not narrow (no text, or too short a one), for a
    user of every segment and for a user of one, is read from an index in list order: it sorts
    none of the many accounts it matches (the few the trigrams find are sorted, by design)."""
    if not admin.database.is_sqlite:
        pytest.skip("the plans checked are SQLite's")
    _create(admin, "Small Shop #2")
    plans: list[str] = []
    rows = Reader.rows

    def explained(reader: Reader, sql: str, **params: object) -> list[tuple[object, ...]]:
        if "ORDER BY" in sql:
            plans.extend(
                str(row[-1]) for row in rows(reader, f"EXPLAIN QUERY PLAN {sql}", **params)
            )
        return rows(reader, sql, **params)

    monkeypatch.setattr(Reader, "rows", explained)
    for typed in ("", "sh"):
        _found(admin.as_user(login), typed)
    assert plans
    assert not [plan for plan in plans if "TEMP B-TREE" in plan], plans


def _migrate(database: Database, revision: str) -> None:
    with database.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
