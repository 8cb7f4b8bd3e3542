"""My day's entitlements about to expire: workshops and audits still unused whose deadline is
within 30 days, for Customer Success (in their segments) and for the account's KAM, soonest
first, with what is left.

Plain SQL, read at launch before SQLAlchemy loads (``my_day.day``); its ORM twin is
``consumption.entitlements_to_use``, held to it by a parity test.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from acctmgr.db.reader import Reader, as_date
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, urgency
from acctmgr.services.kernel.plain_reads import segment_clause

EXPIRY_LOOKAHEAD = timedelta(days=30)
KEY_PREFIX = "entitlement-"


def about_to_expire(reader: Reader, actor: Actor, now: datetime) -> list[MyDayItem] | None:
    """Entitlements with something left, not expired, whose deadline is from today to 30 days
    on: every one in Customer Success's segments, a KAM's own accounts'; None for other roles."""
    if actor.has(Role.CUSTOMER_SUCCESS):
        scope = segment_clause(actor, "acc.segment_id")
    elif actor.has(Role.KEY_ACCOUNT_MANAGER):
        scope = f"acc.key_account_manager_id = :user AND {segment_clause(actor, 'acc.segment_id')}"
    else:
        return None
    today = now.date()
    rows = reader.rows(
        f"""
        SELECT e.id, v.name, acc.name, e.quantity, e.consumed, e.consume_by, e.account_id,
               e.version
        FROM entitlements e
        JOIN accounts acc ON acc.id = e.account_id
        JOIN sku_versions v ON v.id = e.sku_version_id
        WHERE e.expired_at IS NULL AND e.quantity > e.consumed
          AND e.consume_by >= :today AND e.consume_by <= :until AND {scope}
        ORDER BY e.consume_by, e.id
        LIMIT :limit
        """,
        today=today,
        until=today + EXPIRY_LOOKAHEAD,
        user=actor.id,
        segment=actor.segment_id,
        limit=LIST_LIMIT,
    )
    items = []
    for entitlement_id, product, account_name, quantity, consumed, by, account_id, version in rows:
        deadline = as_date(by)
        items.append(
            MyDayItem(
                key=f"{KEY_PREFIX}{entitlement_id}",
                title=f"{product}, {account_name}",
                detail=f"{quantity - consumed} of {quantity} left, use by {deadline:%d %b %Y}",
                when=deadline,
                urgency=urgency(deadline, today),
                account_id=account_id,
                record_type=RecordType.ENTITLEMENT,
                record_id=entitlement_id,
                version=version,
            )
        )
    return items


ABOUT_TO_EXPIRE = Section(
    "entitlements_expiring", "Entitlements about to expire", about_to_expire, False
)
