"""My day's orders to activate: draft orders, for Customer Services, the earliest start first,
so no order waits past its start date unseen.

Plain SQL, read at launch before SQLAlchemy loads (``my_day.day``); its ORM twin is
``order_views.orders_to_activate``, held to it by a parity test.
"""

from __future__ import annotations

from datetime import datetime

from acctmgr.db.reader import Reader, as_date
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, urgency
from acctmgr.services.kernel.plain_reads import segment_clause

# Stored value of OrderStatus (a test holds it to the enum).
ORDER_DRAFT = "draft"
# My day's lines of this section; the screen opens them in the contract's orders.
KEY_PREFIX = "activate-"


def to_activate(reader: Reader, actor: Actor, now: datetime) -> list[MyDayItem] | None:
    """Draft orders in the segments Customer Services serves, the earliest start first; None
    for other roles."""
    if not actor.has(Role.CUSTOMER_SERVICES):
        return None
    rows = reader.rows(
        f"""
        SELECT o.id, o.number, acc.name, o.starts_on, o.account_id, ct.version, o.contract_id
        FROM orders o
        JOIN contracts ct ON ct.id = o.contract_id
        JOIN accounts acc ON acc.id = o.account_id
        WHERE o.status = :draft AND {segment_clause(actor, "acc.segment_id")}
        ORDER BY o.starts_on, o.id
        LIMIT :limit
        """,
        segment=actor.segment_id,
        draft=ORDER_DRAFT,
        limit=LIST_LIMIT,
    )
    items = []
    for order_id, number, account_name, starts_on, account_id, version, contract_id in rows:
        starts = as_date(starts_on)
        items.append(
            MyDayItem(
                key=f"{KEY_PREFIX}{order_id}",
                title=f"{number} {account_name}",
                detail=f"to activate, starts {starts:%d %b %Y}",
                when=starts,
                urgency=urgency(starts, now.date()),
                account_id=account_id,
                # The line opens the contract's orders screen (and carries its version).
                record_type=RecordType.CONTRACT,
                record_id=contract_id,
                version=version,
            )
        )
    return items


TO_ACTIVATE = Section("orders_to_activate", "Orders to activate", to_activate, False)
