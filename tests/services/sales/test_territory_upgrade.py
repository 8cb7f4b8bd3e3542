"""Migration 0009: the free-text territories of quotes and contracts become codes."""

from __future__ import annotations

import logging

import pytest
from alembic import command
from sqlalchemy import select, text

from acctmgr.db import Database
from acctmgr.db.migrate import alembic_config, upgrade
from acctmgr.models import AuditEvent
from acctmgr.services.kernel.context import Context
from acctmgr.services.sales import quote_builder
from acctmgr.services.sales.quote_builder import NewQuoteIn
from tests import factories
from tests.quote_support import STARTS, catalogue, new_customer, staff

OLD_TEXTS = {
    "Deutschland": "DE",  # the account's locale (de_DE) names it
    "united kingdom": "GB",
    "Germany, Austria and Switzerland": "DACH",
    "Mars 🚀 [blink]colony[/]": "",
    "Germany and France": "",  # two countries no region of the list makes up
}


def test_the_upgrade_turns_free_text_into_codes_and_keeps_what_it_cleared(
    admin: Context, caplog: pytest.LogCaptureFixture
) -> None:
    """A territory that names a country or region becomes its code; anything else is cleared,
    named in the log, and every change is kept in its record's audit trail. On a contract in
    force the unrecognised text stays as it was agreed."""
    staff(admin)
    catalogue(admin)
    ae = admin.as_user("ae")
    quote_ids = {}
    for index, old in enumerate(OLD_TEXTS):
        account_id = new_customer(admin, f"Customer {index}")
        quote = quote_builder.new_quote(ae, NewQuoteIn(account_id=account_id, starts_on=STARTS))
        quote_ids[quote.id] = old
    contract_id = factories.contract(admin, account_id, "CT-1", STARTS)
    in_force = factories.contract(admin, account_id, "CT-2", STARTS)
    database = admin.database
    _migrate(database, "0008")
    with database.engine.begin() as connection:
        for quote_id, old in quote_ids.items():
            connection.execute(
                text("UPDATE quotes SET territory = :old WHERE id = :id"),
                {"old": old, "id": quote_id},
            )
        connection.execute(
            text("UPDATE contracts SET territory = 'Österreich' WHERE id = :id"),
            {"id": contract_id},
        )
        connection.execute(
            text("UPDATE contracts SET territory = 'Mars colony' WHERE id = :id"),
            {"id": in_force},
        )
    with caplog.at_level(logging.WARNING, logger="acctmgr.db.migrations"):
        upgrade(database)
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, territory FROM quotes")).all()
        contract, agreed = connection.execute(
            text("SELECT territory FROM contracts ORDER BY id")
        ).scalars()
    stored: dict[int, str] = {row[0]: row[1] for row in rows}
    assert {quote_ids[quote_id]: code for quote_id, code in stored.items()} == OLD_TEXTS
    assert (contract, agreed) == ("AT", "Mars colony")
    with database.read_session() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "db.upgrade.0009")
        ).all()
    kept = {(event.entity_type.value, event.before["territory"]) for event in events}  # type: ignore[index]
    assert kept == {("quote", old) for old in OLD_TEXTS} | {("contract", "Österreich")}
    warned = " ".join(record.getMessage() for record in caplog.records)
    assert "'Mars 🚀 [blink]colony[/]' is not a country or region" in warned
    assert "'Germany and France'" in warned
    assert "Deutschland" not in warned
    assert "'Mars colony' is not a country or region; it was kept as written" in warned


def _migrate(database: Database, revision: str) -> None:
    with database.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
