"""Migration 0014: an entitlement without a deadline gets its contract's end, or a year after
its start without a contract; it is logged and audited, and a second upgrade sets nothing."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from alembic import command
from sqlalchemy import select, text

from acctmgr.db import Database
from acctmgr.db.migrate import alembic_config, upgrade
from acctmgr.models import AuditEvent, Entitlement, SkuKind
from acctmgr.services.kernel.context import Context
from tests import factories
from tests.quote_support import new_customer, sku


def test_the_upgrade_gives_entitlements_without_a_deadline_one(
    admin: Context, caplog: pytest.LogCaptureFixture
) -> None:
    account_id = new_customer(admin)
    contract_id = factories.contract(admin, account_id, "CT-0000014", date(2027, 6, 30))
    workshop = sku(admin, "WS-0014", SkuKind.SERVICE, 1_000_00, consumption_months=12)
    with admin.database.read_session() as session:
        version_id = session.scalar(
            text("SELECT current_version_id FROM skus WHERE id = :id"), {"id": workshop}
        )
    now = admin.clock.now()
    rows = [
        Entitlement(
            account_id=account_id,
            contract_id=contract,
            sku_version_id=version_id,
            quantity=2,
            starts_on=date(2026, 7, 1),
            consume_by=deadline,
            created_at=now,
        )
        for contract, deadline in (
            (contract_id, None),
            (None, None),
            (contract_id, date(2026, 12, 31)),
        )
    ]
    ids = [factories.insert(admin, row) for row in rows]
    database = admin.database
    _downgrade(database, "0013")
    with database.engine.begin() as connection:  # 0013 let a deadline be missing
        connection.execute(
            text("UPDATE entitlements SET consume_by = NULL WHERE id IN (:a, :b)"),
            {"a": ids[0], "b": ids[1]},
        )
    with caplog.at_level(logging.INFO, logger="alembic.runtime.migration"):
        upgrade(database)
        upgrade(database)  # at head: nothing more
    with database.read_session() as session:
        deadlines = {
            row.id: row.consume_by
            for row in session.execute(select(Entitlement.id, Entitlement.consume_by))
        }
        audited = session.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.action == "migration.0014")
        ).all()
    assert deadlines == {
        ids[0]: date(2027, 6, 30),  # the contract's end
        ids[1]: date(2027, 7, 1),  # no contract: a year after the start
        ids[2]: date(2026, 12, 31),  # had one: untouched
    }
    assert set(audited) == set(ids[:2])
    assert "Set a deadline on 2 entitlements that had none." in caplog.text
    assert "the end of contract CT-0000014" in caplog.text


def _downgrade(database: Database, revision: str) -> None:
    with database.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
