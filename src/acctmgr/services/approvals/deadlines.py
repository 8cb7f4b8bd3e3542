"""Approval deadlines: the reminder before an approval is due, and the alarm when it is late.

A rule's SLA gives each approval a due time when its tier starts, and a reminder time before it
(Customer Success answers PO exceptions within 48 hours, reminded at 24). ``acctmgr worker``
runs ``follow_up`` every pass: each approver still deciding at the reminder time gets a
reminder in My day (and by e-mail, see ``notices``); when the due time passes the submitter
gets a task to chase it; and when the rule names an escalation target, the approval goes to
them too once the SLA (and the rule's extra hours) has passed. Each happens once, even with
several workers: the approval's mark is taken with a guarded UPDATE.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import InstrumentedAttribute

from acctmgr.domain.records import RecordType
from acctmgr.models import Activity, ActivityKind, Approval, ApprovalRequest, ApprovalStatus
from acctmgr.services.approvals import notices
from acctmgr.services.approvals.record_kinds import Approvable, calendar_of, record_of
from acctmgr.services.approvals.routing import escalation_targets, group_members
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case


class FollowUp(ReadModel):
    reminded: int  # approvals whose approvers were reminded
    overdue: int  # approvals found past their due time
    escalated: int = 0  # approvals that went to their rule's escalation target


@use_case("approvals.follow_up", needs_actor=False)
def follow_up(uow: UnitOfWork) -> FollowUp:
    """Remind approvers whose reminder time came, and alert submitters of late approvals."""
    now = uow.now
    reminded = overdue = 0
    for approval in _pending(uow, Approval.remind_at <= now):
        if not _take(uow, approval, "remind_at", approval.remind_at, None):
            continue  # another worker reminded them
        request = approval.request
        record = record_of(uow, request.record_type, request.record_id)
        due = f"by {approval.due_at:%d %b %H:%M} UTC" if approval.due_at else "soon"
        for user_id in _approvers(uow, approval):
            _add(uow, ActivityKind.REMINDER, f"Decide {due}: {record.label}", record, user_id)
        audit.record(uow, RecordType.APPROVAL, approval.id, "reminded", {"due_at": approval.due_at})
        notices.reminded(uow, request, [approval])
        reminded += 1
    for approval in _pending(uow, Approval.due_at <= now, Approval.escalated_at.is_(None)):
        if not _escalate(uow, approval, now):
            continue  # a sibling (another holder of the role) was escalated already
        request = approval.request
        record = record_of(uow, request.record_type, request.record_id)
        _add(
            uow,
            ActivityKind.TASK,
            f"Approval overdue, chase it: {record.label}",
            record,
            request.submitted_by_id,
        )
        audit.record(uow, RecordType.APPROVAL, approval.id, "overdue", {"due_at": approval.due_at})
        overdue += 1
    escalated = sum(
        _hand_up(uow, approval, now)
        for approval in _pending(
            uow, Approval.escalation_due_at <= now, Approval.escalation_sent_at.is_(None)
        )
    )
    return FollowUp(reminded=reminded, overdue=overdue, escalated=escalated)


def _hand_up(uow: UnitOfWork, approval: Approval, now: datetime) -> bool:
    """Send an approval past its SLA to its rule's escalation target too: a task in their My
    day, the inbox, and an e-mail. Once for the rule's approvals of the tier (each role holder
    has one), whatever the workers; the approvers may still decide."""
    if not _mark_siblings(uow, approval, Approval.escalation_sent_at, now):
        return False
    request = approval.request
    record = record_of(uow, request.record_type, request.record_id)
    targets = escalation_targets(uow, approval, record)
    for user_id in targets:
        _add(uow, ActivityKind.TASK, f"Escalated to you, decide: {record.label}", record, user_id)
    audit.record(uow, RecordType.APPROVAL, approval.id, "escalated", {"to": targets})
    notices.escalated(uow, request, approval, targets)
    return True


def _pending(uow: UnitOfWork, *conditions: ColumnElement[bool]) -> list[Approval]:
    return list(
        uow.session.scalars(
            select(Approval)
            .join(ApprovalRequest, ApprovalRequest.id == Approval.request_id)
            .where(Approval.status == ApprovalStatus.PENDING, *conditions)
            .order_by(Approval.id)
        )
    )


def _take(
    uow: UnitOfWork,
    approval: Approval,
    name: str,
    expected: datetime | None,
    value: datetime | None,
) -> bool:
    """Set column ``name`` from ``expected`` to ``value`` unless another worker got there first."""
    current = getattr(Approval, name)
    guard = current.is_(None) if expected is None else current == expected
    taken = uow.session.execute(
        update(Approval)
        .where(Approval.id == approval.id, guard)
        .values({name: value})
        .execution_options(synchronize_session=False)
    )
    uow.session.refresh(approval)
    return bool(getattr(taken, "rowcount", 0))


def _escalate(uow: UnitOfWork, approval: Approval, now: datetime) -> bool:
    """Mark an approval overdue with the others of its rule (each Customer Success user holds
    one), so the submitter gets one task for it, not one per approver."""
    return _mark_siblings(uow, approval, Approval.escalated_at, now)


def _mark_siblings(
    uow: UnitOfWork,
    approval: Approval,
    column: InstrumentedAttribute[datetime | None],
    now: datetime,
) -> bool:
    """Set ``column`` on the approval and the others of its rule and tier, unless another worker
    did it first; True for the worker that did."""
    taken = uow.session.execute(
        update(Approval)
        .where(
            Approval.request_id == approval.request_id,
            Approval.tier == approval.tier,
            Approval.rule_id.is_(None)
            if approval.rule_id is None
            else Approval.rule_id == approval.rule_id,
            column.is_(None),
            # Decided meanwhile (by another transaction): nobody is told any more.
            Approval.status == ApprovalStatus.PENDING,
        )
        .values({column.key: now})
        .execution_options(synchronize_session=False)
    )
    uow.session.refresh(approval)
    return bool(getattr(taken, "rowcount", 0))


def _approvers(uow: UnitOfWork, approval: Approval) -> list[int]:
    if approval.approver_id is not None:
        return [approval.approver_id]
    if approval.approver_group_id is not None:
        return group_members(uow, approval.approver_group_id)
    return []


def _add(
    uow: UnitOfWork, kind: ActivityKind, subject: str, record: Approvable, user_id: int
) -> None:
    uow.add(
        Activity(
            kind=kind,
            subject=subject[:200],
            account_id=record.account_id,
            record_type=record.record_type,
            record_id=record.record_id,
            # Written by the worker on the submitter's behalf: the request is theirs.
            created_by_id=record.owner_id or user_id,
            assigned_to_id=user_id,
            # Due at once, in working hours: a chase raised overnight waits for the morning.
            due_at=calendar_of(uow, record).next_opening(uow.now),
        )
    )
