"""Migration 0011: quotes made before it get the contract terms' defaults, and a case's quote
its contract's notice period."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from acctmgr.db import Database
from acctmgr.db.migrate import alembic_config, upgrade
from acctmgr.services.kernel.context import Context
from acctmgr.services.sales import quote_builder
from acctmgr.services.sales.quote_builder import NewQuoteIn
from tests.quote_support import STARTS, catalogue, new_customer
from tests.retention_support import customer, to_quote


def test_the_upgrade_gives_quotes_their_terms(admin: Context) -> None:
    """A quote of its own gets 60 days' notice and 30 to pay; a case's quote keeps the notice
    period of the contract it reduces, which the contract made from it goes on with."""
    catalogue(admin)
    acme = customer(admin)
    case = to_quote(admin, acme)
    plain = quote_builder.new_quote(
        admin.as_user("ae"), NewQuoteIn(account_id=new_customer(admin), starts_on=STARTS)
    )
    database = admin.database
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE contracts SET notice_days = 90 WHERE id = :id"), {"id": acme.contract_id}
        )
    _migrate(database, "0010")
    upgrade(database)
    with database.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, notice_days, payment_terms_days FROM quotes")
        ).all()
        relations = connection.execute(text("SELECT count(*) FROM sku_relations")).scalar()
    stored = {row[0]: (row[1], row[2]) for row in rows}
    assert stored == {case.quote_id: (90, 30), plain.id: (60, 30)}
    assert relations == 0


def _migrate(database: Database, revision: str) -> None:
    with database.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
