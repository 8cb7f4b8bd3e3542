"""The approvals inbox, and a request as its approvers and submitter read it.

The inbox holds what the signed-in user may decide now, soonest due first. A request reads
with its tiers, who decided what, and what the reader may do with it: decide their own
approval, or recall a request they submitted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import aliased

from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import ALL_SEGMENT_ROLES
from acctmgr.errors import PermissionDenied
from acctmgr.models import (
    Approval,
    ApprovalDecision,
    ApprovalGroup,
    ApprovalGroupMember,
    ApprovalRequest,
    ApprovalRequestStatus,
    ApprovalRule,
    ApprovalStatus,
    User,
)
from acctmgr.services.approvals import delegates
from acctmgr.services.approvals.record_kinds import Approvable, kind_of
from acctmgr.services.approvals.requests import OPEN_APPROVAL, latest_request
from acctmgr.services.approvals.routing import (
    decides_for,
    escalation_targets,
    group_members,
    user_names,
)
from acctmgr.services.approvals.turnaround import Turnaround, turnaround
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.permissions import require_segment, sees_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.sorting import Sort, orm_order
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case


class ApprovalView(ReadModel):
    id: int
    tier: int
    rule: str
    approver: str
    status: ApprovalStatus
    decided_by: str | None
    decided_at: datetime | None
    comment: str
    due_at: datetime | None
    turnaround: Turnaround
    escalated_to: list[str]  # who it went to as well once its SLA passed; [] before


class RequestView(ReadModel):
    id: int
    record_type: RecordType
    record_id: int
    record_label: str
    account_id: int | None
    status: ApprovalRequestStatus
    submitted_by: str
    submitted_at: datetime
    current_tier: int
    facts: dict[str, Any]
    summary: list[tuple[str, str]]  # the record's kind says it in words (see RecordSummary)
    details: list[str]
    approvals: list[ApprovalView]
    mine: int | None  # the approval the signed-in user may decide now
    can_recall: bool


class HeldApproval(ReadModel):
    """An open approval that waits on one person, as a list of work to hand over reads it."""

    approval_id: int
    request_id: int
    record_label: str
    tier: int
    rule: str
    status: ApprovalStatus


class InboxItem(ReadModel):
    approval_id: int
    request_id: int
    record_label: str
    account_id: int | None
    submitted_by: str
    submitted_at: datetime
    due_at: datetime | None
    overdue: bool
    escalated: bool = False  # it reached the reader as its rule's escalation target
    on_behalf_of: str = ""  # whom the signed-in user decides it for, as their delegate


# The columns the inbox sorts by (``kernel.sorting``); approvals without a due date come last.
INBOX_SORTS: dict[str, tuple[Any, ...]] = {
    "due": (Approval.due_at.is_(None), Approval.due_at),
    "submitted_by": (func.lower(User.name),),
}
SOONEST_DUE = Sort("due")


@use_case("approvals.inbox", write=False)
def inbox(uow: UnitOfWork, sort: Sort = SOONEST_DUE) -> list[InboxItem]:
    """The approvals waiting for the signed-in user, soonest due first or by the column
    ``sort`` names, then id (InvalidInput for a column not in INBOX_SORTS)."""
    order = orm_order(INBOX_SORTS, sort, SOONEST_DUE, tie_breaker=Approval.id, what="inbox")
    actor = uow.user
    groups = select(ApprovalGroupMember.group_id).where(ApprovalGroupMember.user_id == actor.id)
    rows = uow.session.scalars(
        select(Approval)
        .join(ApprovalRequest, ApprovalRequest.id == Approval.request_id)
        .join(User, User.id == ApprovalRequest.submitted_by_id)
        .where(
            Approval.status == ApprovalStatus.PENDING,
            ApprovalRequest.status == ApprovalRequestStatus.PENDING,
            ApprovalRequest.submitted_by_id != actor.id,
            # What they voted on already is left out before the limit, as My day does.
            ~select(ApprovalDecision.id)
            .where(
                ApprovalDecision.approval_id == Approval.id,
                func.coalesce(ApprovalDecision.on_behalf_of_id, ApprovalDecision.user_id)
                == actor.id,
            )
            .exists(),
            or_(
                Approval.approver_id == actor.id,
                Approval.approver_group_id.in_(groups),
                escalated_to(actor),
                delegates.reaching(uow, actor.id),
            ),
        )
        .order_by(*order)
        .limit(200)
    )
    own_groups = set(uow.session.scalars(groups))
    items = []
    for approval in rows:
        request = approval.request
        record = kind_of(request.record_type).load(uow, request.record_id)
        on_behalf_of = _stood_in_for(uow, approval, record, own_groups)
        if on_behalf_of is None:
            continue
        items.append(
            InboxItem(
                approval_id=approval.id,
                request_id=request.id,
                record_label=record.label,
                account_id=record.account_id,
                submitted_by=user_names(uow, [request.submitted_by_id])[0],
                submitted_at=request.submitted_at,
                due_at=approval.due_at,
                overdue=approval.due_at is not None and approval.due_at < uow.now,
                on_behalf_of=on_behalf_of,
                escalated=not on_behalf_of
                and approval.approver_id != actor.id
                and approval.approver_group_id not in own_groups,
            )
        )
    return items


def escalated_to(actor: Actor) -> ColumnElement[bool]:
    """Approvals escalated to ``actor``: past their SLA, of a rule escalating to them or to a
    role they hold (in the request's segment, for a segment's role). Of a rule's approvals of a
    tier (one a role holder) only the first is shown: the target decides the rule once."""
    held = list(actor.roles)
    everywhere = [role for role in held if role in ALL_SEGMENT_ROLES]
    in_segment = [role for role in held if role not in ALL_SEGMENT_ROLES]
    rules = select(ApprovalRule.id).where(
        or_(
            ApprovalRule.escalate_to_user_id == actor.id,
            ApprovalRule.escalate_to_role.in_(everywhere),
            and_(
                ApprovalRule.escalate_to_role.in_(in_segment),
                ApprovalRequest.segment_id == actor.segment_id,
            ),
        )
    )
    sibling = aliased(Approval)
    first = (
        select(func.min(sibling.id))
        .where(
            sibling.request_id == Approval.request_id,
            sibling.rule_id == Approval.rule_id,
            sibling.tier == Approval.tier,
            sibling.status == ApprovalStatus.PENDING,
        )
        .scalar_subquery()
    )
    return and_(
        Approval.escalation_sent_at.is_not(None),
        Approval.rule_id.in_(rules.correlate(ApprovalRequest)),
        Approval.id == first,
    )


def _stood_in_for(
    uow: UnitOfWork, approval: Approval, record: Approvable, own_groups: set[int]
) -> str | None:
    """Whether the inbox lists this approval for the signed-in user: "" as theirs, the name of
    the one they stand in for (``routing.decides_for``), or None when it is not to list
    (they voted on it already, or it reached them only as a delegate who may not decide it)."""
    actor = uow.user
    voted = delegates.voted_for(approval)
    part = decides_for(uow, actor, approval, record)
    if part is not None and part != actor.id:
        return None if part in voted else user_names(uow, [part])[0]
    # Addressed to them, it is listed as it always was: the role is checked on deciding.
    addressed = approval.approver_id == actor.id or approval.approver_group_id in own_groups
    if actor.id in voted or not (addressed or part == actor.id):
        return None
    return ""


@use_case("approvals.request", write=False)
def request_view(uow: UnitOfWork, request_id: int) -> RequestView:
    """One request with its tiers and decisions, and what the signed-in user may do with it.

    Readable by whoever may see its record (PermissionDenied otherwise; see ``may_read``).
    """
    return describe(uow, uow.get(ApprovalRequest, request_id, "approval request"))


@use_case("approvals.latest_for", write=False)
def latest_for(uow: UnitOfWork, record_type: RecordType, record_id: int) -> RequestView | None:
    """The most recent request of a record, or None if it was never submitted.

    PermissionDenied when the record is in a segment the signed-in user does not see, whether
    or not it was submitted.
    """
    request = latest_request(uow, record_type, record_id)
    if request is None:
        record = kind_of(record_type).load(uow, record_id)
        require_segment(uow.user, record.segment_id, what=record_type.label)
        return None
    return describe(uow, request)


def held_by(uow: UnitOfWork, user_id: int) -> list[HeldApproval]:
    """The open approvals (pending, or waiting for their tier) of open requests that only this
    user can decide: named to them, or a group's whose other members are all inactive. They
    stay open until an approver is replaced; nothing here moves them."""
    groups = select(ApprovalGroupMember.group_id).where(ApprovalGroupMember.user_id == user_id)
    rows = uow.session.scalars(
        select(Approval)
        .join(ApprovalRequest, ApprovalRequest.id == Approval.request_id)
        .where(
            Approval.status.in_(OPEN_APPROVAL),
            ApprovalRequest.status == ApprovalRequestStatus.PENDING,
            or_(Approval.approver_id == user_id, Approval.approver_group_id.in_(groups)),
        )
        .order_by(Approval.request_id, Approval.tier, Approval.id)
    )
    held = []
    for approval in rows:
        if approval.approver_group_id is not None and set(
            group_members(uow, approval.approver_group_id)
        ) - {user_id}:
            continue  # another member can still decide it
        record = kind_of(approval.request.record_type).load(uow, approval.request.record_id)
        rule = uow.session.get(ApprovalRule, approval.rule_id) if approval.rule_id else None
        held.append(
            HeldApproval(
                approval_id=approval.id,
                request_id=approval.request_id,
                record_label=record.label,
                tier=approval.tier,
                rule=rule.name if rule else "",
                status=approval.status,
            )
        )
    return held


def describe(uow: UnitOfWork, request: ApprovalRequest) -> RequestView:
    """A request as the signed-in user reads it (see ``request_view``); PermissionDenied for a
    user who may not read it (``may_read``)."""
    actor = uow.user
    record = kind_of(request.record_type).load(uow, request.record_id)
    if not may_read(uow, actor, request, record):
        raise PermissionDenied(
            f"The approval request for this {request.record_type.label} belongs to another "
            "segment than yours."
        )
    summary = kind_of(request.record_type).summary(uow, request.record_id)
    mine = next(
        (
            approval.id
            for approval in request.approvals
            if _may_decide_now(uow, request, approval, record)
        ),
        None,
    )
    return RequestView(
        id=request.id,
        record_type=request.record_type,
        record_id=request.record_id,
        record_label=record.label,
        account_id=record.account_id,
        status=request.status,
        submitted_by=user_names(uow, [request.submitted_by_id])[0],
        submitted_at=request.submitted_at,
        current_tier=request.current_tier,
        facts=request.snapshot,
        summary=summary.facts,
        details=summary.details,
        approvals=[
            _approval_view(uow, request, approval, record) for approval in request.approvals
        ],
        mine=mine,
        can_recall=request.status is ApprovalRequestStatus.PENDING
        and request.submitted_by_id == actor.id,
    )


def may_read(uow: UnitOfWork, actor: Actor, request: ApprovalRequest, record: Approvable) -> bool:
    """Whether ``actor`` may read the request: the record's visibility rule (its segment), and
    beyond it only the people named to decide one of its approvals, who must read what they
    decide."""
    if sees_segment(actor, record.segment_id):
        return True
    return any(
        actor.id in (approval.approver_id, approval.decided_by_id)
        or decides_for(uow, actor, approval, record) is not None
        for approval in request.approvals
    )


def _approval_view(
    uow: UnitOfWork, request: ApprovalRequest, approval: Approval, record: Approvable
) -> ApprovalView:
    rule = uow.session.get(ApprovalRule, approval.rule_id) if approval.rule_id else None
    if approval.approver_id is not None:
        approver = user_names(uow, [approval.approver_id])[0]
    else:
        group = uow.session.get(ApprovalGroup, approval.approver_group_id or 0)
        approver = f"{approval.group_mode.value} of {group.name if group else 'a group'}"
    return ApprovalView(
        id=approval.id,
        tier=approval.tier,
        rule=rule.name if rule else "",
        approver=approver,
        status=approval.status,
        decided_by=_decided_by(uow, approval),
        decided_at=approval.decided_at,
        comment=approval.comment,
        due_at=approval.due_at,
        turnaround=turnaround(request, approval, uow.now),
        escalated_to=user_names(uow, escalation_targets(uow, approval, record))
        if approval.escalation_sent_at is not None
        else [],
    )


def _decided_by(uow: UnitOfWork, approval: Approval) -> str | None:
    """Who decided: "Sam Sub on behalf of Lena Lead" when a delegate did."""
    if approval.decided_by_id is None:
        return None
    by = user_names(uow, [approval.decided_by_id])[0]
    for_whom = delegates.decided_on_behalf(approval)
    return f"{by} on behalf of {user_names(uow, [for_whom])[0]}" if for_whom else by


def _may_decide_now(
    uow: UnitOfWork, request: ApprovalRequest, approval: Approval, record: Approvable
) -> bool:
    """Whether the signed-in user may decide this approval now (the view's ``mine``)."""
    actor = uow.user
    return (
        request.status is ApprovalRequestStatus.PENDING
        and approval.status is ApprovalStatus.PENDING
        and actor.id not in (request.submitted_by_id, record.owner_id)
        and (part := decides_for(uow, actor, approval, record)) is not None
        and part not in delegates.voted_for(approval)
    )
