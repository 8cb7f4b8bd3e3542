"""The life of an approval request: submitted, its tiers opened in turn, ended or made stale.

Submitting a record evaluates every active rule of its type (see ``routing``); tiers then run
in order and the approvals within a tier in parallel. A request is bound to the exact version
of the record it was submitted with: the record is locked while it waits, and editing it after
approval makes the request stale. Deciding an approval is in ``decisions``.
"""

from __future__ import annotations

from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, NotFound, PermissionDenied
from acctmgr.models import (
    Approval,
    ApprovalGroup,
    ApprovalRequest,
    ApprovalRequestStatus,
    ApprovalRule,
    ApprovalStatus,
)
from acctmgr.services.approvals import notices
from acctmgr.services.approvals.carry_over import carry_overs
from acctmgr.services.approvals.record_kinds import (
    Approvable,
    RecordKind,
    calendar_of,
    kind_of,
    record_of,
    snapshot_of,
)
from acctmgr.services.approvals.routing import (
    Route,
    group_members,
    nobody_can_approve,
    routes,
    user_names,
)
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

OPEN_APPROVAL = (ApprovalStatus.WAITING, ApprovalStatus.PENDING)


class SubmitResult(ReadModel):
    request_id: int  # with no rule to apply: a request approved at once, with no approvals
    status: ApprovalRequestStatus
    approvers: list[str]  # who decides first


def submit(uow: UnitOfWork, record_type: RecordType, record_id: int) -> SubmitResult:
    """Submit a record for approval; called inside the use case that owns the record.

    Locks the record and binds the request to its version after locking. When no rule applies,
    the record is approved at once and no request is made. Raises InvalidInput when a rule
    matches but nobody other than the submitter or owner could approve it, or when the record
    already waits for a decision.
    """
    kind = kind_of(record_type)
    actor = uow.user
    if open_request(uow, record_type, record_id) is not None:
        raise InvalidInput("This record is already waiting for approval.")
    record = kind.load(uow, record_id)
    found = routes(uow, record, actor.id)
    carried = {
        rule_id: outcome.previous
        for rule_id, outcome in carry_overs(uow, record, found).items()
        if outcome.carried
    }
    for route in found:
        if route.rule.id in carried:
            continue
        if not route.approver_ids and not (
            route.group_id and group_members(uow, route.group_id, record, actor.id)
        ):
            raise InvalidInput(nobody_can_approve(uow, route.rule))
    if not found:
        return _approve_at_once(uow, kind, record)
    kind.lock(uow, record_id)
    uow.session.flush()
    request = _routed_request(uow, record, kind.load(uow, record_id).version, found, carried)
    uow.add(request)
    audit.record(uow, record_type, record_id, "submitted_for_approval", {"request_id": request.id})
    for approval in request.approvals:
        if approval.carried_from_id is not None:
            audit.record(
                uow,
                RecordType.APPROVAL,
                approval.id,
                "carried_over",
                {"request_id": request.id, "from_approval_id": approval.carried_from_id},
            )
    waiting = sorted({a.tier for a in request.approvals if a.status is ApprovalStatus.WAITING})
    if not waiting:  # every approval it needs was given in the last round, unchanged since
        end_request(uow, request, ApprovalRequestStatus.APPROVED, "")
    else:
        request.current_tier = waiting[0]
        start_tier(uow, request)
    return SubmitResult(
        request_id=request.id,
        status=request.status,
        approvers=_current_approvers(uow, request),
    )


def _approve_at_once(uow: UnitOfWork, kind: RecordKind, record: Approvable) -> SubmitResult:
    """No rule applies: the record is approved, and no approval is asked of anyone.

    It is kept as a request with no approvals, so the latest request always says whether the
    record as it stands is approved, even after an earlier rejection.
    """
    request = uow.add(
        ApprovalRequest(
            record_type=record.record_type,
            record_id=record.record_id,
            record_version=record.version,
            segment_id=record.segment_id,
            submitted_by_id=uow.user.id,
            status=ApprovalRequestStatus.APPROVED,
            current_tier=1,
            submitted_at=uow.now,
            decided_at=uow.now,
            snapshot=snapshot_of(record),
        )
    )
    kind.decided(uow, record.record_id, ApprovalRequestStatus.APPROVED, "")
    uow.session.flush()
    audit.record(uow, record.record_type, record.record_id, "approved_without_rules", {})
    return SubmitResult(request_id=request.id, status=ApprovalRequestStatus.APPROVED, approvers=[])


def _routed_request(
    uow: UnitOfWork,
    record: Approvable,
    locked_version: int,
    found: list[Route],
    carried: dict[int, Approval],
) -> ApprovalRequest:
    """A pending request for the record as locked, with one approval per approver of each
    route (the tiers wait until their turn), or the approval a smart rule carries over."""
    request = ApprovalRequest(
        record_type=record.record_type,
        record_id=record.record_id,
        record_version=locked_version,
        segment_id=record.segment_id,
        submitted_by_id=uow.user.id,
        status=ApprovalRequestStatus.PENDING,
        current_tier=min(route.rule.tier for route in found),
        submitted_at=uow.now,
        snapshot=snapshot_of(record),
    )
    for route in found:
        previous = carried.get(route.rule.id)
        if previous is not None:
            request.approvals.append(_carried(route, previous))
            continue
        # A group is one approval its members share; role holders get one each (any decides).
        approvers: tuple[int | None, ...] = (
            route.approver_ids if route.group_id is None else (None,)
        )
        for approver in approvers:
            request.approvals.append(
                Approval(
                    rule_id=route.rule.id,
                    tier=route.rule.tier,
                    approver_id=approver,
                    approver_group_id=route.group_id,
                    group_mode=route.rule.group_mode,
                    status=ApprovalStatus.WAITING,
                )
            )
    return request


def _carried(route: Route, previous: Approval) -> Approval:
    """The approval given in the last round, carried over: decided by whom and when it was."""
    return Approval(
        rule_id=route.rule.id,
        tier=route.rule.tier,
        approver_id=(previous.approver_id or previous.decided_by_id)
        if route.group_id is None
        else None,
        approver_group_id=route.group_id,
        group_mode=route.rule.group_mode,
        status=ApprovalStatus.CARRIED_OVER,
        decided_by_id=previous.decided_by_id,
        decided_at=previous.decided_at,
        comment=previous.comment,
        carried_from_id=previous.id,
    )


def start_tier(uow: UnitOfWork, request: ApprovalRequest) -> None:
    """Open the approvals of the request's current tier, with their SLA clocks.

    An SLA counts hours of working days in the record's business calendar: a 48-hour SLA
    started on a Friday afternoon falls due on Tuesday afternoon, not on Sunday.
    """
    calendar = calendar_of(uow, record_of(uow, request.record_type, request.record_id))
    opened = []
    for approval in request.approvals:
        if approval.tier == request.current_tier and approval.status is ApprovalStatus.WAITING:
            rule = uow.session.get(ApprovalRule, approval.rule_id) if approval.rule_id else None
            approval.status = ApprovalStatus.PENDING
            if rule and rule.sla_hours:
                approval.due_at = calendar.add_working_hours(uow.now, rule.sla_hours)
            if rule and rule.reminder_hours:
                approval.remind_at = calendar.add_working_hours(uow.now, rule.reminder_hours)
            if rule and rule.sla_hours and (rule.escalate_to_user_id or rule.escalate_to_role):
                approval.escalation_due_at = calendar.add_working_hours(
                    uow.now, rule.sla_hours + (rule.escalate_hours or 0)
                )
            opened.append(approval)
    uow.session.flush()
    notices.opened(uow, request, opened)


def _current_approvers(uow: UnitOfWork, request: ApprovalRequest) -> list[str]:
    ids: list[int] = []
    groups: list[str] = []
    for approval in request.approvals:
        if approval.status is not ApprovalStatus.PENDING:
            continue
        if approval.approver_id is not None:
            ids.append(approval.approver_id)
        elif approval.approver_group_id is not None:
            group = uow.session.get(ApprovalGroup, approval.approver_group_id)
            groups.append(group.name if group else "a group")
    # One person holding two approvals (two rules) is waited for once.
    return list(dict.fromkeys(user_names(uow, ids) + groups))


def locked_request(uow: UnitOfWork, request_id: int) -> ApprovalRequest:
    """The request, read under a row lock: those who decide or recall one request take turns.

    Without it, PostgreSQL's read-committed statements let the second decider read the request
    still pending and the record already approved, and tell them the record changed.
    """
    request = uow.session.get(
        ApprovalRequest, request_id, with_for_update=True, populate_existing=True
    )
    if request is None:
        raise NotFound(f"There is no approval request with number {request_id}.")
    return request


def end_request(
    uow: UnitOfWork, request: ApprovalRequest, status: ApprovalRequestStatus, comment: str
) -> None:
    """End a request (approved, rejected or recalled): its open approvals are skipped, and the
    record's kind updates the record."""
    request.status = status
    request.decided_at = uow.now
    for approval in request.approvals:
        if approval.status in OPEN_APPROVAL:
            approval.status = ApprovalStatus.SKIPPED
    uow.session.flush()
    kind_of(request.record_type).decided(uow, request.record_id, status, comment)
    uow.session.flush()
    if status in (ApprovalRequestStatus.APPROVED, ApprovalRequestStatus.REJECTED):
        notices.decided(uow, request, comment)


@use_case(
    "approvals.recall",
    on_conflict=(
        "An approver decided on this request while you recalled it, so it was not recalled; "
        "open it again to see where it stands."
    ),
)
def recall(uow: UnitOfWork, request_id: int) -> None:
    """The submitter takes a waiting request back; the record returns to draft."""
    request = locked_request(uow, request_id)
    if request.submitted_by_id != uow.user.id:
        raise PermissionDenied("Only the person who submitted a request can recall it.")
    if request.status is not ApprovalRequestStatus.PENDING:
        raise InvalidInput(
            f"This request was already {request.status.value}; it cannot be recalled."
        )
    recall_request(uow, request)


def recall_request(uow: UnitOfWork, request: ApprovalRequest) -> None:
    """End a waiting request as recalled (its submitter, or the record being closed)."""
    end_request(uow, request, ApprovalRequestStatus.RECALLED, "")
    audit.record(
        uow, request.record_type, request.record_id, "recalled", {"request_id": request.id}
    )


def open_request(
    uow: UnitOfWork, record_type: RecordType, record_id: int
) -> ApprovalRequest | None:
    """The request this record is waiting on, if any."""
    return uow.session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.record_type == record_type,
            ApprovalRequest.record_id == record_id,
            ApprovalRequest.status == ApprovalRequestStatus.PENDING,
        )
    )


def latest_request(
    uow: UnitOfWork, record_type: RecordType, record_id: int
) -> ApprovalRequest | None:
    """The most recent request of a record, whatever its status; None if never submitted."""
    return uow.session.scalar(
        select(ApprovalRequest)
        .where(ApprovalRequest.record_type == record_type, ApprovalRequest.record_id == record_id)
        .order_by(ApprovalRequest.id.desc())
        .limit(1)
    )


def invalidate(uow: UnitOfWork, record_type: RecordType, record_id: int) -> None:
    """The record was edited after approval: its approved request no longer applies."""
    for request in uow.session.scalars(
        select(ApprovalRequest).where(
            ApprovalRequest.record_type == record_type,
            ApprovalRequest.record_id == record_id,
            ApprovalRequest.status == ApprovalRequestStatus.APPROVED,
        )
    ):
        request.status = ApprovalRequestStatus.STALE
    uow.session.flush()


def waiting_on(uow: UnitOfWork, user_id: int) -> list[Approval]:
    """The open approvals (pending, or waiting for their tier) of open requests addressed to
    this user by name, in request and tier order: what hands over when they are replaced or
    away."""
    return list(
        uow.session.scalars(
            select(Approval)
            .join(ApprovalRequest, ApprovalRequest.id == Approval.request_id)
            .where(
                Approval.approver_id == user_id,
                Approval.status.in_(OPEN_APPROVAL),
                ApprovalRequest.status == ApprovalRequestStatus.PENDING,
            )
            .order_by(Approval.request_id, Approval.tier, Approval.id)
        )
    )


def is_approved(uow: UnitOfWork, record_type: RecordType, record_id: int, version: int) -> bool:
    """Whether an approved request covers the record as it is (no rule applied also counts)."""
    latest = latest_request(uow, record_type, record_id)
    if latest is None:
        return True
    # Approval moves the record from its locked version to approved: exactly one save later.
    return latest.status is ApprovalRequestStatus.APPROVED and version == latest.record_version + 1
