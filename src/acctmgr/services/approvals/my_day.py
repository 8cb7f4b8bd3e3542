"""My day's approvals waiting: the plain-SQL twin of the approvals inbox (F4).

It admits exactly what ``approvals.inbox`` admits (a test holds the two equal for every kind of
user): approvals pending in a pending request, addressed to the user, to a group they belong
to, or escalated to them (``inbox.escalated_to``), not of a request they submitted, and not one
they already voted on; and those a delegate may decide for the people they stand in for today
(``delegated_day``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from acctmgr.db.reader import Reader, as_instant
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import ALL_SEGMENT_ROLES
from acctmgr.services.approvals import delegated_day
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, Urgency, urgency

# Stored value of ApprovalStatus and ApprovalRequestStatus (a test holds it to the enums).
PENDING = "pending"


def waiting(reader: Reader, actor: Actor, now: datetime) -> list[MyDayItem]:
    """The approvals the actor may decide now, soonest due first."""
    everywhere = [role for role in actor.roles if role in ALL_SEGMENT_ROLES]
    in_segment = [role for role in actor.roles if role not in ALL_SEGMENT_ROLES]
    roles = {f"everywhere{i}": role for i, role in enumerate(everywhere)} | {
        f"in_segment{i}": role for i, role in enumerate(in_segment)
    }
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
                SELECT m.group_id FROM approval_group_members m WHERE m.user_id = :user)
            OR (ap.escalation_sent_at IS NOT NULL
                AND (q.owner_id IS NULL OR q.owner_id != :user)
                AND ap.rule_id IN (
                    SELECT ru.id FROM approval_rules ru
                    WHERE ru.escalate_to_user_id = :user
                       OR ru.escalate_to_role IN (EVERYWHERE)
                       OR (ru.escalate_to_role IN (IN_SEGMENT) AND r.segment_id = :segment))
                AND ap.id = (
                    SELECT MIN(s.id) FROM approvals s
                    WHERE s.request_id = ap.request_id AND s.rule_id = ap.rule_id
                      AND s.tier = ap.tier AND s.status = :pending)))
          AND NOT EXISTS (
                SELECT 1 FROM approval_decisions d
                WHERE d.approval_id = ap.id AND COALESCE(d.on_behalf_of_id, d.user_id) = :user)
        ORDER BY ap.due_at IS NULL, ap.due_at, ap.id
        LIMIT :limit
        """.replace("EVERYWHERE", _placeholders(roles, "everywhere")).replace(
            "IN_SEGMENT", _placeholders(roles, "in_segment")
        ),
        user=actor.id,
        segment=actor.segment_id,
        pending=PENDING,
        limit=LIST_LIMIT,
        **roles,
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


def _placeholders(params: Mapping[str, object], prefix: str) -> str:
    """``:everywhere0, :everywhere1`` for an IN list; NULL (which matches nothing) for none."""
    names = [f":{name}" for name in params if name.startswith(prefix)]
    return ", ".join(names) or "NULL"


WAITING = Section("approvals", "Approvals waiting for me", waiting)
