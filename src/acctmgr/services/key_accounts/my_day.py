"""My day's key accounts due a contact: those whose contact cadence has run out, for their KAM.

Plain SQL through the reader (no models: My day paints at launch before they load); its ORM
twin is ``cadence.due_a_contact``, held to it by a parity test.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from acctmgr.db.reader import Reader, as_instant
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, Urgency, urgency
from acctmgr.services.kernel.plain_reads import segment_clause

# Stored values of ActivityKind and AccountStatus (a test holds them to the enums).
CONTACT_KINDS = ("call", "meeting", "email")
ACCOUNT_CHURNED = "churned"


def due_a_contact(reader: Reader, actor: Actor, now: datetime) -> list[MyDayItem] | None:
    """The KAM's key accounts not contacted within their cadence (or never), the longest
    uncontacted first; None for anyone who is not a Key Account Manager."""
    if not actor.has(Role.KEY_ACCOUNT_MANAGER):
        return None
    today = now.date()
    # A KAM manages tens of accounts, not thousands: all are read, and the cadence (date
    # arithmetic that differs between SQLite and PostgreSQL) is checked here.
    rows = reader.rows(
        f"""
        SELECT acc.id, acc.name, acc.version, acc.contact_cadence_days,
               (SELECT MAX(a.created_at) FROM activities a
                WHERE a.account_id = acc.id AND a.kind IN (:call, :meeting, :email))
        FROM accounts acc
        WHERE acc.key_account_manager_id = :user AND acc.contact_cadence_days IS NOT NULL
          AND acc.status <> :churned AND {segment_clause(actor, "acc.segment_id")}
        """,
        user=actor.id,
        segment=actor.segment_id,
        call=CONTACT_KINDS[0],
        meeting=CONTACT_KINDS[1],
        email=CONTACT_KINDS[2],
        churned=ACCOUNT_CHURNED,
    )
    due = []
    for account_id, name, version, days, contacted in rows:
        last = as_instant(contacted) if contacted is not None else None
        due_on = last.date() + timedelta(days=days) if last is not None else None
        if due_on is not None and due_on > today:
            continue
        due.append((last is not None, last, name, account_id, version, days, due_on))
    due.sort(key=lambda row: row[:4])
    items = []
    for _contacted, last, name, account_id, version, days, due_on in due[:LIST_LIMIT]:
        since = f"last contact {last:%d %b %Y}" if last is not None else "never contacted"
        items.append(
            MyDayItem(
                key=f"cadence-{account_id}",
                title=name,
                detail=f"{since}; every {days} days",
                when=due_on,
                urgency=urgency(due_on, today) if due_on is not None else Urgency.OVERDUE,
                account_id=account_id,
                record_type=RecordType.ACCOUNT,
                record_id=account_id,
                version=version,
            )
        )
    return items


DUE_A_CONTACT = Section("key_accounts_due", "Key accounts due a contact", due_a_contact, False)
