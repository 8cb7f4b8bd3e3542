"""My day's approvals waiting: the plain-SQL twin of the approvals inbox (F4).

It admits exactly what ``approvals.inbox`` admits (a test holds the two equal for every kind of
user): approvals pending in a pending request, addressed to the user or to a group they belong
to, not of a request they submitted, and not one they already voted on; and, for a delegate,
those of the people they stand in for today that they may decide (``routing.decides_for``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from acctmgr.db.reader import Reader, as_instant
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import ALL_SEGMENT_ROLES, Role
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, Urgency, urgency

# Stored value of ApprovalStatus and ApprovalRequestStatus (a test holds it to the enums).
PENDING = "pending"
# Stored value of ApproverKind.ROLE_IN_SEGMENT.
ROLE_IN_SEGMENT = "role_in_segment"

# Approvals are of quotes today; other record types will join their own tables. ``:principal``
# is whose approvals they are: the reader's own, or those of someone they stand in for.
WAITING_FOR = """
    SELECT ap.id, ap.due_at, r.record_type, r.record_id, r.record_version, r.submitted_at,
           q.number, acc.id, acc.name, rl.approver_kind, rl.approver_role, acc.segment_id
    FROM approvals ap
    JOIN approval_requests r ON r.id = ap.request_id
    LEFT OUTER JOIN quotes q ON r.record_type = 'quote' AND q.id = r.record_id
    LEFT OUTER JOIN accounts acc ON acc.id = q.account_id
    LEFT OUTER JOIN approval_rules rl ON rl.id = ap.rule_id
    WHERE ap.status = :pending AND r.status = :pending AND r.submitted_by_id != :user
      AND (ap.approver_id = :principal OR ap.approver_group_id IN (
            SELECT m.group_id FROM approval_group_members m WHERE m.user_id = :principal))
      AND NOT EXISTS (
            SELECT 1 FROM approval_decisions d
            WHERE d.approval_id = ap.id AND COALESCE(d.on_behalf_of_id, d.user_id) = :principal)
      {delegated}
    ORDER BY ap.due_at IS NULL, ap.due_at, ap.id
    LIMIT :limit
"""
# A delegate decides neither what they (nor the person they stand in for) submitted or own.
DELEGATED = """
      AND r.submitted_by_id != :principal
      AND (q.owner_id IS NULL OR (q.owner_id != :user AND q.owner_id != :principal))
"""


def waiting(reader: Reader, actor: Actor, now: datetime) -> list[MyDayItem]:
    """The approvals the actor may decide now, soonest due first."""
    params: dict[str, Any] = {"user": actor.id, "pending": PENDING, "limit": LIST_LIMIT}
    own = reader.rows(WAITING_FOR.format(delegated=""), **params, principal=actor.id)
    rows = [(row, "") for row in own]
    seen = {row[0] for row in own}
    theirs = WAITING_FOR.format(delegated=DELEGATED)
    for user_id, name in _standing_in_for(reader, actor, now):
        for row in reader.rows(theirs, **params, principal=user_id):
            if row[0] not in seen and _may_take(actor, row[9], row[10], row[11]):
                seen.add(row[0])
                rows.append((row, name))
    rows.sort(key=lambda found: _due_order(found[0]))
    return [_item(row, name, now) for row, name in rows[:LIST_LIMIT]]


def _standing_in_for(reader: Reader, actor: Actor, now: datetime) -> list[tuple[int, str]]:
    """The active users the actor stands in for today (``approvals.delegates``)."""
    today = now.astimezone(UTC).date()
    return [
        (user_id, name)
        for user_id, name in reader.rows(
            """
            SELECT u.id, u.name FROM delegations dl JOIN users u ON u.id = dl.user_id
            WHERE dl.delegate_id = :user AND u.active = :yes AND dl.revoked_at IS NULL
              AND dl.starts_on <= :today AND dl.ends_on >= :today
            ORDER BY u.id
            """,
            user=actor.id,
            yes=True,
            today=today,
        )
    ]


def _may_take(actor: Actor, kind: str | None, role: str | None, segment_id: int | None) -> bool:
    """Whether the delegate has the role (and segment) the rule asks for (``role_refusal``)."""
    if kind != ROLE_IN_SEGMENT:
        return True
    if role is None or not actor.has(Role(role)):
        return False
    return Role(role) in ALL_SEGMENT_ROLES or actor.segment_id == segment_id


def _due_order(row: tuple[Any, ...]) -> tuple[bool, datetime, int]:
    due = as_instant(row[1]) if row[1] is not None else datetime.min.replace(tzinfo=UTC)
    return (row[1] is None, due, row[0])


def _item(row: tuple[Any, ...], on_behalf_of: str, now: datetime) -> MyDayItem:
    approval_id, due_at, record_type, record_id, record_version, submitted_at = row[:6]
    quote_number, account_id, account_name = row[6:9]
    when = as_instant(due_at).date() if due_at is not None else None
    what = quote_number or f"{record_type} {record_id}"
    detail = f"submitted {as_instant(submitted_at):%d %b}"
    return MyDayItem(
        key=f"approval-{approval_id}",
        title=f"Approve {what}" + (f" for {account_name}" if account_name else ""),
        detail=detail + (f" · for {on_behalf_of}" if on_behalf_of else ""),
        when=when,
        urgency=urgency(when, now.date()) if when else Urgency.SOON,
        account_id=account_id,
        record_type=RecordType(record_type),
        record_id=record_id,
        version=record_version,
    )


WAITING = Section("approvals", "Approvals waiting for me", waiting)
