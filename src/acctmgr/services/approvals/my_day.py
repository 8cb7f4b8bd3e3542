"""My day's approvals waiting: the plain-SQL twin of the approvals inbox (F4).

It admits exactly what ``approvals.inbox`` admits (a test holds the two equal for every kind of
user): approvals pending in a pending request, addressed to the user or to a group they belong
to, not of a request they submitted, and not one they already voted on; and those a delegate
may decide for the people they stand in for today (``delegated_day``).
"""

from __future__ import annotations

from datetime import datetime

from acctmgr.db.reader import Reader, as_instant
from acctmgr.domain.records import RecordType
from acctmgr.services.approvals import delegated_day
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, Urgency, urgency

# Stored value of ApprovalStatus and ApprovalRequestStatus (a test holds it to the enums).
PENDING = "pending"


def waiting(reader: Reader, actor: Actor, now: datetime) -> list[MyDayItem]:
    """The approvals the actor may decide now, soonest due first."""
    # Approvals are of quotes today; other record types will join their own tables.
    rows = reader.rows(
        """
        SELECT ap.id, ap.due_at, r.record_type, r.record_id, r.record_version, r.submitted_at,
               q.number, acc.id, acc.name
        FROM approvals ap
        JOIN approval_requests r ON r.id = ap.request_id
        LEFT OUTER JOIN quotes q ON r.record_type = 'quote' AND q.id = r.record_id
        LEFT OUTER JOIN accounts acc ON acc.id = q.account_id
        WHERE ap.status = :pending AND r.status = :pending AND r.submitted_by_id != :user
          AND (ap.approver_id = :user OR ap.approver_group_id IN (
                SELECT m.group_id FROM approval_group_members m WHERE m.user_id = :user))
          AND NOT EXISTS (
                SELECT 1 FROM approval_decisions d
                WHERE d.approval_id = ap.id AND COALESCE(d.on_behalf_of_id, d.user_id) = :user)
        ORDER BY ap.due_at IS NULL, ap.due_at, ap.id
        LIMIT :limit
        """,
        user=actor.id,
        pending=PENDING,
        limit=LIST_LIMIT,
    )
    taken = delegated_day.taken_for_others(reader, actor, now, {row[0] for row in rows})
    rows = delegated_day.in_order([*rows, *(row for row, _ in taken.values())])
    today = now.date()
    items = []
    for row in rows:
        approval_id, due_at, record_type, record_id, record_version, submitted_at = row[:6]
        quote_number, account_id, account_name = row[6:]
        when = as_instant(due_at).date() if due_at is not None else None
        what = quote_number or f"{record_type} {record_id}"
        items.append(
            MyDayItem(
                key=f"approval-{approval_id}",
                title=f"Approve {what}" + (f" for {account_name}" if account_name else ""),
                detail=f"submitted {as_instant(submitted_at):%d %b}"
                + (f" · for {taken[approval_id][1]}" if approval_id in taken else ""),
                when=when,
                urgency=urgency(when, today) if when else Urgency.SOON,
                account_id=account_id,
                record_type=RecordType(record_type),
                record_id=record_id,
                version=record_version,
            )
        )
    return items


WAITING = Section("approvals", "Approvals waiting for me", waiting)
