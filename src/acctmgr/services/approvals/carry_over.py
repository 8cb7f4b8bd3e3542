"""Smart approvals: an approval given in the last round carries over while nothing it read changed.

A smart rule's approval, given in the record's last request (rejected at a later tier, recalled,
or approved and then edited), is not asked again when the record is submitted again, as long
as every fact the rule's condition reads is what that approver saw and the approver could still
decide it. Otherwise it is asked again, and the sentence says why. The facts an approver saw
are the request's snapshot: a record is locked while its request waits, so they are the facts
at the moment of deciding.

Only the last round counts: an approval asked again and not given is not revived from an older
one. The preview and the submission both ask ``carry_overs``, so what the preview promises is
what submission does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from acctmgr.models import (
    Approval,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRequestStatus,
    ApprovalStatus,
    Decision,
    GroupMode,
    User,
)
from acctmgr.services.approvals import delegates
from acctmgr.services.approvals.conditions import comparable, fields_read
from acctmgr.services.approvals.fact_words import fact_label, fact_value
from acctmgr.services.approvals.record_kinds import Approvable
from acctmgr.services.approvals.routing import Route, group_members, role_refusal
from acctmgr.services.kernel.unit_of_work import UnitOfWork

GIVEN = (ApprovalStatus.APPROVED, ApprovalStatus.CARRIED_OVER)


@dataclass(frozen=True)
class CarryOver:
    """What becomes of a smart rule's earlier approval when the record is submitted again."""

    previous: Approval  # the approval given in the last round
    carried: bool  # False: asked again
    sentence: str  # "carried over: Lena approved this discount of 20% on 2 Dec and ..."


def carry_overs(uow: UnitOfWork, record: Approvable, found: list[Route]) -> dict[int, CarryOver]:
    """For each smart rule among ``found`` that was approved in the record's last round, by
    rule id: whether that approval carries over, and why in a sentence."""
    smart = [route for route in found if route.rule.smart]
    last = _last_round(uow, record) if smart else None
    if last is None:
        return {}
    outcome = {}
    for route in smart:
        previous = next(
            (a for a in last.approvals if a.rule_id == route.rule.id and a.status in GIVEN), None
        )
        if previous is not None:
            outcome[route.rule.id] = _judge(uow, record, route, last, previous)
    return outcome


def _last_round(uow: UnitOfWork, record: Approvable) -> ApprovalRequest | None:
    return uow.session.scalar(
        select(ApprovalRequest)
        .where(
            ApprovalRequest.record_type == record.record_type,
            ApprovalRequest.record_id == record.record_id,
            ApprovalRequest.status != ApprovalRequestStatus.PENDING,
        )
        .order_by(ApprovalRequest.id.desc())
        .limit(1)
    )


def _judge(
    uow: UnitOfWork,
    record: Approvable,
    route: Route,
    last: ApprovalRequest,
    previous: Approval,
) -> CarryOver:
    currency = str(record.facts.get("currency") or "")
    names = fields_read(route.rule.condition)
    changed = [
        f"the {fact_label(name)} changed from {fact_value(name, last.snapshot.get(name), currency)}"
        f" to {fact_value(name, record.facts.get(name), currency)}"
        for name in names
        if comparable(last.snapshot.get(name)) != comparable(record.facts.get(name))
    ]
    if changed:
        return CarryOver(previous, False, "needed again: " + "; ".join(changed))
    who = _decider_name(uow, previous)
    lost = _why_not_now(uow, record, route, previous, who)
    if lost:
        return CarryOver(previous, False, f"needed again: {lost}")
    seen = " and ".join(
        f"{fact_label(name)} of {fact_value(name, record.facts.get(name), currency)}"
        for name in names
    )
    day = previous.decided_at
    when = f" on {day.day} {day:%b}" if day else ""
    unchanged = "they are unchanged" if len(names) > 1 else "it is unchanged"
    return CarryOver(
        previous, True, f"carried over: {who} approved this {seen}{when} and {unchanged}"
    )


def _why_not_now(
    uow: UnitOfWork, record: Approvable, route: Route, previous: Approval, who: str
) -> str:
    """Why whoever gave ``previous`` could not give it now, or "" when they could."""
    if route.group_id is not None:
        members = set(group_members(uow, route.group_id, record, uow.user.id))
        voters = set(
            uow.session.scalars(
                # A delegate's vote counts for the member they stood in for.
                select(
                    func.coalesce(ApprovalDecision.on_behalf_of_id, ApprovalDecision.user_id)
                ).where(
                    ApprovalDecision.approval_id == previous.id,
                    ApprovalDecision.decision == Decision.APPROVE,
                )
            )
        )
        if route.rule.group_mode is GroupMode.ALL:
            # Carried approvals keep no votes: their voters are those of the one they came from.
            voters |= _carried_voters(uow, previous)
            return "" if members <= voters else "not every member of the group approved it then"
        decider = delegates.decided_on_behalf(previous) or previous.decided_by_id
        return "" if decider in members else f"{who} is no longer in the group"
    if previous.decided_by_id in (uow.user.id, record.owner_id):
        return f"{who} submits or owns it now"
    # Given by the approver, or for them (their delegate, or the escalation target): it holds
    # while that approver could still decide it.
    if previous.decided_by_id in route.approver_ids or previous.approver_id in route.approver_ids:
        return ""
    user = uow.session.get(User, previous.decided_by_id) if previous.decided_by_id else None
    if user is None or not user.active:
        return f"{who} was deactivated"
    held = {grant.role for grant in user.roles}
    refusal = role_refusal(route.rule, held.__contains__, user.segment_id, record)
    role = route.rule.approver_role.label if route.rule.approver_role else "approver"
    if refusal == "segment":
        return f"{who} is no longer a {role} in this record's segment"
    if refusal == "role":
        return f"{who} is no longer a {role}"
    return f"{who} no longer approves under this rule"


def _carried_voters(uow: UnitOfWork, approval: Approval) -> set[int]:
    voters: set[int] = set()
    source = approval
    while source.carried_from_id is not None:
        found = uow.session.get(Approval, source.carried_from_id)
        if found is None:
            break
        source = found
        voters |= {
            vote.on_behalf_of_id or vote.user_id
            for vote in source.decisions
            if vote.decision is Decision.APPROVE
        }
    return voters


def _decider_name(uow: UnitOfWork, approval: Approval) -> str:
    user = uow.session.get(User, approval.decided_by_id) if approval.decided_by_id else None
    return user.name if user else "an approver"
