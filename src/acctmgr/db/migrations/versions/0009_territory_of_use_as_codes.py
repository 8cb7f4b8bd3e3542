"""The territory of use of quotes and contracts becomes a code from one list.

It was free text, so nothing could count it and anything reached a PO. Each value is matched by
the rule the services apply to what is typed (``acctmgr.services.kernel.territories.match``, in
the account's locale and in English): one that names a country or region ("Germany", "de",
"Germany, Austria and Switzerland") becomes its code ("DE", "DE", "DACH"). Anything else
("Mars colony", "Germany and France") is cleared on a quote or contract still being worked on,
so it asks for its territory again before it is sent, and listed in the log as a warning; on
one the customer already has (a contract sent or signed, a quote accepted) it stays as it was
written, since that is what was agreed. Every value changed is
kept in its record's audit trail, before and after, where the record's history shows it.
The column stays as it was; downgrading leaves the codes, which are valid free text.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:30:00
"""

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from acctmgr.models.base import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("acctmgr.db.migrations")
ACTION = "db.upgrade.0009"
# The record type each table's rows are audited under (acctmgr.domain.records.RecordType).
TABLES = {"quotes": "quote", "contracts": "contract"}
# The statuses in which a record is still being worked on (QuoteStatus, ContractStatus).
WORKED_ON = {
    "quotes": ("draft", "pending_approval", "approved", "rejected"),
    "contracts": ("draft",),
}

audit_events = sa.table(
    "audit_events",
    sa.column("at", UTCDateTime(timezone=True)),
    sa.column("actor_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("change", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
)


def upgrade() -> None:
    bind = op.get_bind()
    for table, record_type in TABLES.items():
        _convert(bind, table, record_type)


def downgrade() -> None:
    pass


def _convert(bind: sa.Connection, table: str, record_type: str) -> None:
    from acctmgr.services.kernel import territories

    rows = bind.execute(
        sa.text(
            f"SELECT t.id, t.number, t.territory, a.locale, t.status FROM {table} t "
            "JOIN accounts a ON a.id = t.account_id WHERE t.territory <> '' ORDER BY t.id"
        )
    ).all()
    changes = []
    for row_id, number, old, locale, status in rows:
        new = territories.match(old, locale) or ""
        if new == old:
            continue
        if not new and status not in WORKED_ON[table]:
            log.warning(
                "%s %s: the territory of use %r is not a country or region; it was kept as "
                "written, since the customer has the %s.",
                record_type.capitalize(),
                number,
                old,
                record_type,
            )
            continue
        changes.append({"row_id": row_id, "new": new, "old": old})
        if not new:
            log.warning(
                "%s %s: the territory of use %r is not a country or region, so it was "
                "cleared; it is kept in the record's audit trail.",
                record_type.capitalize(),
                number,
                old,
            )
    if not changes:
        return
    bind.execute(
        sa.text(f"UPDATE {table} SET territory = :new WHERE id = :row_id"),
        changes,
    )
    now = datetime.now(UTC)
    bind.execute(
        sa.insert(audit_events),
        [
            {
                "at": now,
                "actor_id": None,
                "action": ACTION,
                "change": "update",
                "entity_type": record_type,
                "entity_id": change["row_id"],
                "before": {"territory": change["old"]},
                "after": {"territory": change["new"]},
            }
            for change in changes
        ],
    )
