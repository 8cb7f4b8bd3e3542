"""Who must approve a record: the rules that match its facts, and the people they resolve to.

Every active rule of the record's type whose condition holds adds an approval at its tier: the
one user it names, the holders of its role in the record's segment, or a group. The submitter
and the record's owner never approve their own record, so they are left out of every route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select

from acctmgr.domain.roles import ALL_SEGMENT_ROLES
from acctmgr.models import (
    Approval,
    ApprovalGroupMember,
    ApprovalRule,
    ApproverKind,
    Role,
    User,
    UserRole,
)
from acctmgr.services.approvals import delegates
from acctmgr.services.approvals.conditions import matches
from acctmgr.services.approvals.record_kinds import Approvable
from acctmgr.services.approvals.rules import approver_label
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Route:
    """A matching rule and who it sends the record to."""

    rule: ApprovalRule
    approver_ids: tuple[int, ...]  # users (role holders, or the one user)
    group_id: int | None


def routes(uow: UnitOfWork, record: Approvable, submitter_id: int) -> list[Route]:
    """The active rules of the record's type that match its facts, in tier order, with their
    approvers (neither the submitter nor the owner)."""
    candidates = uow.session.scalars(
        select(ApprovalRule)
        .where(ApprovalRule.record_type == record.record_type, ApprovalRule.active.is_(True))
        .order_by(ApprovalRule.tier, ApprovalRule.id)
    )
    excluded = {submitter_id, record.owner_id}
    found = []
    for rule in candidates:
        if not matches(rule.condition, record.facts):
            continue
        if rule.approver_kind is ApproverKind.GROUP:
            found.append(Route(rule, (), rule.approver_group_id))
            continue
        if rule.approver_kind is ApproverKind.USER:
            # A deactivated approver decides nothing: the rule then has nobody to send to.
            ids: Iterable[int] = uow.session.scalars(
                select(User.id).where(User.id == rule.approver_user_id, User.active.is_(True))
            )
        else:
            ids = _role_holders(uow, rule.approver_role, record.segment_id)
        found.append(Route(rule, tuple(i for i in ids if i not in excluded), None))
    return found


def _role_holders(uow: UnitOfWork, role: Role | None, segment_id: int | None) -> list[int]:
    """Who holds ``role`` for a record in this segment; roles serving every segment ignore it."""
    query = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.active.is_(True))
        .order_by(User.id)
    )
    if role not in ALL_SEGMENT_ROLES:
        query = query.where(User.segment_id == segment_id)
    return list(uow.session.scalars(query))


def group_members(
    uow: UnitOfWork,
    group_id: int,
    record: Approvable | None = None,
    submitter_id: int | None = None,
) -> list[int]:
    """The active members of an approval group, less the submitter and the record's owner."""
    excluded = {submitter_id, record.owner_id if record else None}
    members = uow.session.scalars(
        select(ApprovalGroupMember.user_id)
        .join(User, User.id == ApprovalGroupMember.user_id)
        .where(ApprovalGroupMember.group_id == group_id, User.active.is_(True))
        .order_by(ApprovalGroupMember.user_id)
    )
    return [member for member in members if member not in excluded]


def is_approver(uow: UnitOfWork, actor: Actor, approval: Approval, record: Approvable) -> bool:
    """Whether ``actor`` is the one who decides this approval (a member, for a group).

    A role is checked as it is now: a Segment Leader who moved segment cannot approve.
    """
    if approval.escalation_sent_at is not None and actor.id in escalation_targets(
        uow, approval, record
    ):
        return True
    if approval.approver_group_id is not None:
        return actor.id in group_members(
            uow, approval.approver_group_id, record, approval.request.submitted_by_id
        )
    if approval.approver_id != actor.id:
        return False
    rule = uow.session.get(ApprovalRule, approval.rule_id) if approval.rule_id else None
    return not role_refusal(rule, actor.has, actor.segment_id, record)


def escalation_targets(uow: UnitOfWork, approval: Approval, record: Approvable) -> list[int]:
    """Whom the approval goes to as well once it escalates: its rule's user (if active) or the
    holders of its rule's role in the request's segment, less the submitter and the owner."""
    rule = uow.session.get(ApprovalRule, approval.rule_id) if approval.rule_id else None
    if rule is None:
        return []
    if rule.escalate_to_user_id is not None:
        ids: Iterable[int] = uow.session.scalars(
            select(User.id).where(User.id == rule.escalate_to_user_id, User.active.is_(True))
        )
    elif rule.escalate_to_role is not None:
        # The request's segment, as the inbox and My day read it (``inbox.escalated_to``); a
        # segment's role has no holders for a record of no segment.
        segment_id = approval.request.segment_id
        if segment_id is None and rule.escalate_to_role not in ALL_SEGMENT_ROLES:
            return []
        ids = _role_holders(uow, rule.escalate_to_role, segment_id)
    else:
        return []
    excluded = {approval.request.submitted_by_id, record.owner_id}
    return [user_id for user_id in ids if user_id not in excluded]


def role_refusal(
    rule: ApprovalRule | None,
    has: Callable[[Role], bool],
    segment_id: int | None,
    record: Approvable,
) -> str:
    """Why someone (who ``has`` some roles, in ``segment_id``) could not decide an approval of
    this rule on this record: "role" or "segment", or "" when they could. A rule naming a user
    or a group asks for no role."""
    if rule is None or rule.approver_kind is not ApproverKind.ROLE_IN_SEGMENT:
        return ""
    if rule.approver_role is None or not has(rule.approver_role):
        return "role"
    if rule.approver_role not in ALL_SEGMENT_ROLES and segment_id != record.segment_id:
        return "segment"
    return ""


def user_names(uow: UnitOfWork, ids: Iterable[int]) -> list[str]:
    """The names of these users, in the same order (removed users left out)."""
    wanted = list(ids)
    if not wanted:
        return []
    names = dict(uow.session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())
    return [names[user_id] for user_id in wanted if user_id in names]


def nobody_can_approve(uow: UnitOfWork, rule: ApprovalRule) -> str:
    """The sentence for a rule whose approvers are only the submitter (or nobody at all)."""
    return (
        f"Nobody but you can give the approval '{rule.name}' "
        f"({approver_label(uow, rule)}); ask an admin to name an approver."
    )


# --- delegates: who stands in for an approver (``approvals.delegates``) ----------------------


def decides_for(
    uow: UnitOfWork, actor: Actor, approval: Approval, record: Approvable
) -> int | None:
    """Whom ``actor``'s vote on this approval counts for: themselves (``is_approver``), or a
    user they stand in for today; None when they may not decide it. Their own part comes
    first, then the first person they stand in for who has not voted yet (in a group of all,
    each member needs a vote).

    A delegate decides under the approver's rule with their own standing: never on a record
    they submitted or own, and with the role (and segment) the rule asks for themselves. Only
    the approver's own delegate: a delegate's delegate never decides (one level).
    """
    parts = [actor.id] if is_approver(uow, actor, approval, record) else []
    submitter = approval.request.submitted_by_id
    if actor.id not in (submitter, record.owner_id):
        members: set[int | None] = {approval.approver_id}
        if approval.approver_group_id is not None:
            members = set(group_members(uow, approval.approver_group_id, record, submitter))
        else:
            rule = uow.session.get(ApprovalRule, approval.rule_id) if approval.rule_id else None
            if role_refusal(rule, actor.has, actor.segment_id, record):
                members = set()
        parts += [user for user in delegates.standing_in_for(uow, actor.id) if user in members]
    if not parts:
        return None
    voted = delegates.voted_for(approval)
    return next((part for part in parts if part not in voted), parts[0])


def deciders(uow: UnitOfWork, route: Route, record: Approvable, submitter_id: int) -> list[str]:
    """The preview's names as they will really decide: each approver followed by their
    delegate when one stands in for them today and could decide this rule (as
    ``decides_for`` judges it)."""
    ids = list(route.approver_ids)
    if route.group_id is not None:
        ids = group_members(uow, route.group_id, record, submitter_id)
    standing = stand_ins(uow, route.rule, ids, record, submitter_id)
    shown = []
    for user_id, name in zip(ids, user_names(uow, ids), strict=True):
        delegate = uow.session.get(User, standing[user_id]) if user_id in standing else None
        shown.append(f"{name} (away: {delegate.name} decides)" if delegate else name)
    return shown


def stand_ins(
    uow: UnitOfWork,
    rule: ApprovalRule | None,
    approver_ids: Iterable[int],
    record: Approvable,
    submitter_id: int,
) -> dict[int, int]:
    """The delegate standing in today for each of these approvers who could decide this rule
    on this record (never its submitter or owner; with the rule's role and segment), by
    approver."""
    found = {}
    for user_id in approver_ids:
        delegate_id = delegates.stand_in(uow, user_id)
        delegate = uow.session.get(User, delegate_id) if delegate_id is not None else None
        if delegate is None or delegate.id in (submitter_id, record.owner_id):
            continue
        held = {role.role for role in delegate.roles}
        if not role_refusal(rule, held.__contains__, delegate.segment_id, record):
            found[user_id] = delegate.id
    return found
