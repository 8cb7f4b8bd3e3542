"""Deciding an approval: who may, what a rejection needs, and how a request moves on.

Only the approver (a member, for a group), or the delegate standing in for them, decides; never
the submitter or the record's owner, and never on a record changed since it was submitted.
Anyone may reject, with a comment that goes back to the submitter; a rejection ends the request.
When the last approval of a tier is given, the next tier starts, or the request is approved.
"""

from __future__ import annotations

from sqlalchemy import func, select

from acctmgr.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from acctmgr.models import (
    Approval,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRequestStatus,
    ApprovalStatus,
    Decision,
    GroupMode,
)
from acctmgr.services.approvals import delegates
from acctmgr.services.approvals.record_kinds import kind_of
from acctmgr.services.approvals.requests import end_request, locked_request, start_tier
from acctmgr.services.approvals.routing import decides_for, escalation_targets, group_members
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.text import free_text
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

REJECT_NEEDS_COMMENT = "Say why you reject it; the comment goes back to the submitter."


@use_case(
    "approvals.decide",
    on_conflict=(
        "Someone else decided on this request at the same moment, so your decision was not "
        "recorded; open it again to see where it stands."
    ),
)
def decide(uow: UnitOfWork, approval_id: int, decision: Decision, comment: str = "") -> str:
    """Approve or reject one approval of a request; returns the request's status afterwards.

    Only the approver (a member, for a group) may decide; never the submitter or the record's
    owner; a Segment Leader approval needs the role in the record's segment at the moment of
    deciding. A rejection needs a comment and ends the request. Nobody decides twice, nor on a
    recalled, stale or already decided request, nor on a record changed since it was submitted.
    """
    request_id = uow.session.scalar(select(Approval.request_id).where(Approval.id == approval_id))
    if request_id is None:
        raise NotFound(f"There is no approval with number {approval_id}.")
    request = locked_request(uow, request_id)
    approval = uow.get(Approval, approval_id, "approval")
    actor = uow.user
    comment = free_text(comment, what="comment", field="comment").strip()
    part = _check_may_decide(uow, actor, approval, request)
    if decision is Decision.REJECT and not comment:
        raise InvalidInput(REJECT_NEEDS_COMMENT, field="comment")
    _record_vote(uow, approval, decision, comment, None if part == actor.id else part)
    if decision is Decision.REJECT:
        _finish_approval(uow, approval, ApprovalStatus.REJECTED, actor, comment)
        end_request(uow, request, ApprovalRequestStatus.REJECTED, comment)
        return request.status.value
    if _group_needs_more(uow, approval, request):
        uow.session.flush()
        return request.status.value
    _finish_approval(uow, approval, ApprovalStatus.APPROVED, actor, comment)
    _skip_siblings(approval, request)
    _move_on(uow, request, comment)
    return request.status.value


def _check_may_decide(
    uow: UnitOfWork, actor: Actor, approval: Approval, request: ApprovalRequest
) -> int:
    """Refuse a decision the actor may not make; returns whom their vote counts for (themselves,
    or the user they stand in for as delegate: ``routing.decides_for``)."""
    record = kind_of(request.record_type).load(uow, request.record_id)
    if request.status is ApprovalRequestStatus.RECALLED:
        raise InvalidInput(
            "This request was recalled by its submitter; there is nothing to decide."
        )
    if request.status is ApprovalRequestStatus.STALE:
        raise InvalidInput(
            f"The {record.label} changed after it was submitted; this request no longer applies."
        )
    if request.status is not ApprovalRequestStatus.PENDING:
        raise InvalidInput(f"This request was already {request.status.value}.")
    if actor.id == request.submitted_by_id:
        raise PermissionDenied("You submitted this request; someone else must decide it.")
    if actor.id == record.owner_id:
        raise PermissionDenied(f"You own the {record.label}; someone else must approve it.")
    part = decides_for(uow, actor, approval, record)
    if part is None:
        raise PermissionDenied(
            "This approval is in someone else's inbox; only its approver can decide it."
        )
    if approval.status is ApprovalStatus.WAITING:
        raise InvalidInput(
            "This approval's tier has not started yet; the tier before it decides first."
        )
    if approval.status is not ApprovalStatus.PENDING or part in delegates.voted_for(approval):
        raise InvalidInput("You have already decided this approval.")
    if record.version != request.record_version:
        raise Conflict(
            f"The {record.label} changed after it was submitted; it must be submitted again."
        )
    return part


def _record_vote(
    uow: UnitOfWork,
    approval: Approval,
    decision: Decision,
    comment: str,
    on_behalf_of_id: int | None = None,
) -> None:
    """Keep the decision itself (a group's members each vote; a delegate votes on behalf of
    the person they stand in for), and audit it."""
    request = approval.request
    uow.session.add(
        ApprovalDecision(
            approval_id=approval.id,
            user_id=uow.user.id,
            on_behalf_of_id=on_behalf_of_id,
            decision=decision,
            comment=comment,
            decided_at=uow.now,
        )
    )
    uow.session.flush()
    audit.record(
        uow,
        request.record_type,
        request.record_id,
        f"approval_{decision.value}",
        {
            "request_id": request.id,
            "approval_id": approval.id,
            "comment": comment,
            "on_behalf_of_id": on_behalf_of_id,
        },
    )


def _group_needs_more(uow: UnitOfWork, approval: Approval, request: ApprovalRequest) -> bool:
    """An all-members group approves only when every eligible member has approved (a member
    whose delegate approved for them counts as approved)."""
    if approval.approver_group_id is None or approval.group_mode is not GroupMode.ALL:
        return False
    record = kind_of(request.record_type).load(uow, request.record_id)
    if approval.escalation_sent_at is not None and uow.user.id in escalation_targets(
        uow, approval, record
    ):
        return False  # escalated: its target decides for the whole group
    members = set(group_members(uow, approval.approver_group_id, record, request.submitted_by_id))
    uow.session.flush()
    voted = set(
        uow.session.scalars(
            select(func.coalesce(ApprovalDecision.on_behalf_of_id, ApprovalDecision.user_id)).where(
                ApprovalDecision.approval_id == approval.id,
                ApprovalDecision.decision == Decision.APPROVE,
            )
        )
    )
    return not members <= voted


def _finish_approval(
    uow: UnitOfWork, approval: Approval, status: ApprovalStatus, actor: Actor, comment: str
) -> None:
    approval.status = status
    approval.decided_by_id = actor.id
    approval.decided_at = uow.now
    approval.comment = comment


def _skip_siblings(approval: Approval, request: ApprovalRequest) -> None:
    """Role holders for one rule share it: the first to approve decides for the rule."""
    for sibling in request.approvals:
        if (
            sibling is not approval
            and sibling.rule_id == approval.rule_id
            and sibling.tier == approval.tier
            and sibling.status is ApprovalStatus.PENDING
        ):
            sibling.status = ApprovalStatus.SKIPPED


def _move_on(uow: UnitOfWork, request: ApprovalRequest, comment: str) -> None:
    """Once its tier has no approval pending: the next tier starts, or the request is approved."""
    if any(
        item.status is ApprovalStatus.PENDING
        for item in request.approvals
        if item.tier == request.current_tier
    ):
        uow.session.flush()
        return
    later = sorted({a.tier for a in request.approvals if a.status is ApprovalStatus.WAITING})
    if later:
        request.current_tier = later[0]
        start_tier(uow, request)
        return
    end_request(uow, request, ApprovalRequestStatus.APPROVED, comment)
