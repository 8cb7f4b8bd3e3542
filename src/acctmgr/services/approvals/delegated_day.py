"""My day's approvals a delegate takes for the people they stand in for: the plain-SQL twin
of what the inbox lists "for Lena" (``inbox._stood_in_for``, ``routing.decides_for``).

Read apart from the reader's own approvals (``my_day.waiting``), then merged into them in the
inbox's order. Delegations are active as ``approvals.delegates`` has it: not revoked, today's
UTC day within them, of an active user.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from acctmgr.db.reader import Reader, as_instant
from acctmgr.domain.roles import ALL_SEGMENT_ROLES, Role
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT

# Stored values of ApprovalStatus/ApprovalRequestStatus and ApproverKind.ROLE_IN_SEGMENT.
PENDING = "pending"
ROLE_IN_SEGMENT = "role_in_segment"

# The columns of ``my_day.waiting``'s rows, then the rule's kind, role and the segment.
THEIRS = """
    SELECT ap.id, ap.due_at, r.record_type, r.record_id, r.record_version, r.submitted_at,
           q.number, acc.id, acc.name, rl.approver_kind, rl.approver_role, acc.segment_id
    FROM approvals ap
    JOIN approval_requests r ON r.id = ap.request_id
    LEFT OUTER JOIN quotes q ON r.record_type = 'quote' AND q.id = r.record_id
    LEFT OUTER JOIN accounts acc ON acc.id = q.account_id
    LEFT OUTER JOIN approval_rules rl ON rl.id = ap.rule_id
    WHERE ap.status = :pending AND r.status = :pending
      AND r.submitted_by_id != :user AND r.submitted_by_id != :principal
      AND (q.owner_id IS NULL OR (q.owner_id != :user AND q.owner_id != :principal))
      AND (ap.approver_id = :principal OR ap.approver_group_id IN (
            SELECT m.group_id FROM approval_group_members m WHERE m.user_id = :principal))
      AND NOT EXISTS (
            SELECT 1 FROM approval_decisions d
            WHERE d.approval_id = ap.id AND COALESCE(d.on_behalf_of_id, d.user_id) = :principal)
    ORDER BY ap.due_at IS NULL, ap.due_at, ap.id
    LIMIT :limit
"""


def taken_for_others(
    reader: Reader, actor: Actor, now: datetime, listed: set[int]
) -> dict[int, tuple[tuple[Any, ...], str]]:
    """By approval id, the rows (``my_day.waiting``'s columns) of approvals the actor may
    decide for someone they stand in for today, with that person's name; those already
    ``listed`` as the actor's own are left out."""
    taken: dict[int, tuple[tuple[Any, ...], str]] = {}
    for user_id, name in _standing_in_for(reader, actor, now):
        rows = reader.rows(
            THEIRS, user=actor.id, principal=user_id, pending=PENDING, limit=LIST_LIMIT
        )
        for row in rows:
            if row[0] not in listed and row[0] not in taken and _may_take(actor, *row[9:]):
                taken[row[0]] = (row[:9], name)
    return taken


def in_order(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows in the inbox's order (soonest due, undated last, then id), as many as My day
    lists."""
    undated = datetime.min.replace(tzinfo=UTC)

    def order(row: tuple[Any, ...]) -> tuple[bool, datetime, int]:
        return (row[1] is None, as_instant(row[1]) if row[1] is not None else undated, row[0])

    return sorted(rows, key=order)[:LIST_LIMIT]


def _standing_in_for(reader: Reader, actor: Actor, now: datetime) -> list[tuple[int, str]]:
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
