"""My day's renewals: active contracts whose notice deadline is near or has just begun."""

from __future__ import annotations

from datetime import datetime, timedelta

from acctmgr.db.reader import Reader, as_date
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, urgency
from acctmgr.services.kernel.plain_reads import segment_clause

# How far ahead a renewal counts as "entering" its notice window.
RENEWAL_LOOKAHEAD = timedelta(days=30)
# Date arithmetic differs between SQLite and PostgreSQL, so the query bounds ends_on (which is
# indexed) by the longest notice period and the exact deadline is checked in Python.
LONGEST_NOTICE = timedelta(days=180)
RENEWAL_ROLES = (
    Role.ACCOUNT_EXECUTIVE,
    Role.KEY_ACCOUNT_MANAGER,
    Role.CONTRACT_MANAGER,
    Role.SEGMENT_LEADER,
    Role.CUSTOMER_SERVICES,
)
# Stored value of ContractStatus (a test holds it to the enum).
CONTRACT_ACTIVE = "active"


def renewals(reader: Reader, actor: Actor, now: datetime) -> list[MyDayItem] | None:
    """Contracts entering their notice window within the look-ahead; None for roles that do not
    renew contracts. Sellers watch their own accounts; everyone else their segments."""
    if not actor.has(*RENEWAL_ROLES):
        return None
    today = now.date()
    horizon = today + RENEWAL_LOOKAHEAD
    if actor.has(Role.SEGMENT_LEADER, Role.CONTRACT_MANAGER, Role.CUSTOMER_SERVICES):
        scope = segment_clause(actor, "acc.segment_id")
    else:
        scope = "(acc.owner_id = :user OR acc.key_account_manager_id = :user)"
    rows = reader.rows(
        f"""
        SELECT ct.id, ct.number, acc.name, ct.ends_on, ct.notice_days, ct.account_id, ct.version
        FROM contracts ct JOIN accounts acc ON acc.id = ct.account_id
        WHERE ct.status = :active AND ct.ends_on >= :today AND ct.ends_on <= :until
          AND {scope}
        ORDER BY ct.ends_on
        LIMIT :limit
        """,
        user=actor.id,
        segment=actor.segment_id,
        active=CONTRACT_ACTIVE,
        today=today,
        until=horizon + LONGEST_NOTICE,
        limit=LIST_LIMIT * 4,
    )
    items = []
    for contract_id, number, account_name, ends_on, notice_days, account_id, version in rows:
        ends = as_date(ends_on)
        deadline = ends - timedelta(days=notice_days)
        if deadline > horizon:
            continue
        items.append(
            MyDayItem(
                key=f"renewal-{contract_id}",
                title=f"{number} {account_name}",
                detail=f"notice by {deadline:%d %b %Y}, ends {ends:%d %b %Y}",
                when=deadline,
                urgency=urgency(deadline, today),
                account_id=account_id,
                record_type=RecordType.CONTRACT,
                record_id=contract_id,
                version=version,
            )
        )
    items.sort(key=lambda item: item.when or today)
    return items[:LIST_LIMIT]


RENEWALS = Section("renewals", "Renewals entering their notice window", renewals, False)
