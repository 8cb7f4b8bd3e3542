"""Replacing an approver everywhere at once: the rules that name them, the groups that hold them
and the open approvals that wait on them move to someone else.

An admin does it when a person leaves or changes job (deactivation lists what only they could
decide). The preview and the replacement are worked out by one function, and the replacement
stands only if it is exactly what the admin previewed: an approval that reached the person in
between is not moved unseen. Everything moves in one transaction, audited, with the requests
waiting on the person locked, as deciding locks them.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from acctmgr.errors import Conflict, InvalidInput
from acctmgr.models import (
    Approval,
    ApprovalGroup,
    ApprovalGroupMember,
    ApprovalRequest,
    ApprovalRequestStatus,
    ApprovalRule,
    ApprovalStatus,
    ApproverKind,
    Role,
    User,
)
from acctmgr.services.approvals.record_kinds import kind_of
from acctmgr.services.approvals.requests import OPEN_APPROVAL, locked_request, waiting_on
from acctmgr.services.approvals.routing import group_members, role_refusal
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.people.users import by_login

CHANGED_SINCE_PREVIEW = (
    "Something changed since the preview (an approval reached {name}, or a rule or group "
    "changed); look at the new preview before replacing."
)


class Replacement(ReadModel):
    """What replacing ``user`` by ``replacement`` changes, one sentence a change."""

    user: str
    replacement: str
    replacement_login: str
    changes: list[str]
    token: str  # names exactly these changes: replace_approver makes them only if unchanged


@use_case("approvals.preview_replacement", write=False)
def preview_replacement(uow: UnitOfWork, login: str, replacement_login: str) -> Replacement:
    """The changes replacing an approver would make, for an admin to read first.

    Raises InvalidInput with a sentence when the replacement could not take one of them (a
    role or segment they lack, a record they submitted or own), naming it.
    """
    require_role(uow.user, Role.ADMIN, to="replace approvers")
    return _plan(uow, login, replacement_login, make=False)


@use_case("approvals.replace_approver")
def replace_approver(
    uow: UnitOfWork, login: str, replacement_login: str, token: str
) -> Replacement:
    """Move every rule, group membership and open approval of one user to another, as
    previewed (``token`` from ``preview_replacement``); Conflict when the preview is stale."""
    require_role(uow.user, Role.ADMIN, to="replace approvers")
    # The requests waiting on them are locked first, so no decision lands while they move;
    # what is made is what is read once, and it must be what the admin read.
    for request_id in _open_requests(uow, by_login(uow, login).id):
        locked_request(uow, request_id)
    done = _plan(uow, login, replacement_login, make=True)
    if done.token != token:
        raise Conflict(CHANGED_SINCE_PREVIEW.format(name=done.user))  # rolled back, whole
    audit.record(
        uow,
        User.RECORD,
        by_login(uow, login).id,
        "approver_replaced",
        {"replacement": replacement_login, "changes": done.changes},
    )
    return done


def _open_requests(uow: UnitOfWork, user_id: int) -> list[int]:
    """The pending requests with an open approval waiting on the user, in id order (the order
    locks are taken in, everywhere)."""
    return list(
        uow.session.scalars(
            select(Approval.request_id)
            .join(ApprovalRequest, ApprovalRequest.id == Approval.request_id)
            .where(
                Approval.approver_id == user_id,
                Approval.status.in_(OPEN_APPROVAL),
                ApprovalRequest.status == ApprovalRequestStatus.PENDING,
            )
            .distinct()
            .order_by(Approval.request_id)
        )
    )


def _plan(uow: UnitOfWork, login: str, replacement_login: str, *, make: bool) -> Replacement:
    user = by_login(uow, login)
    try:
        other = by_login(uow, replacement_login)
    except InvalidInput as error:
        raise InvalidInput(error.message, field="replacement") from None
    if other.id == user.id:
        raise InvalidInput("Pick someone else to replace them with.", field="replacement")
    if not other.active:
        raise InvalidInput(
            f"{other.name} is deactivated and can approve nothing; pick someone active.",
            field="replacement",
        )
    changes = [
        *_rules(uow, user, other, make),
        *_groups(uow, user, other, make),
        *_approvals(uow, user, other, make),
    ]
    if make:
        uow.session.flush()
    token = hashlib.sha256("\n".join(changes).encode()).hexdigest()
    return Replacement(
        user=user.name,
        replacement=other.name,
        replacement_login=other.login,
        changes=changes,
        token=token,
    )


def _rules(uow: UnitOfWork, user: User, other: User, make: bool) -> list[str]:
    rules = uow.session.scalars(
        select(ApprovalRule)
        .where(
            ApprovalRule.approver_kind == ApproverKind.USER,
            ApprovalRule.approver_user_id == user.id,
        )
        .order_by(ApprovalRule.id)
    )
    changes = []
    for rule in rules:
        state = "" if rule.active else " (switched off)"
        changes.append(f'Rule "{rule.name}"{state}: approved by {other.name} from now on.')
        if make:
            rule.approver_user_id = other.id
    return changes


def _groups(uow: UnitOfWork, user: User, other: User, make: bool) -> list[str]:
    memberships = uow.session.execute(
        select(ApprovalGroupMember, ApprovalGroup.name)
        .join(ApprovalGroup, ApprovalGroup.id == ApprovalGroupMember.group_id)
        .where(ApprovalGroupMember.user_id == user.id)
        .order_by(ApprovalGroup.name)
    ).all()
    changes = []
    for membership, group in memberships:
        _refuse_a_group_left_without_a_decider(uow, membership.group_id, group, user, other)
        already = uow.session.scalar(
            select(ApprovalGroupMember.user_id).where(
                ApprovalGroupMember.group_id == membership.group_id,
                ApprovalGroupMember.user_id == other.id,
            )
        )
        if already is not None:
            changes.append(f'Group "{group}": {user.name} leaves; {other.name} is in it already.')
            if make:
                uow.session.delete(membership)
        else:
            changes.append(f'Group "{group}": {other.name} takes {user.name}\'s place.')
            if make:
                membership.user_id = other.id
    return changes


def _refuse_a_group_left_without_a_decider(
    uow: UnitOfWork, group_id: int, group: str, user: User, other: User
) -> None:
    """A group's open approval must keep someone who may decide it: not the record's
    submitter or owner, whom the move would otherwise leave as its only member."""
    waiting = uow.session.scalars(
        select(Approval)
        .join(ApprovalRequest, ApprovalRequest.id == Approval.request_id)
        .where(
            Approval.approver_group_id == group_id,
            Approval.status.in_(OPEN_APPROVAL),
            ApprovalRequest.status == ApprovalRequestStatus.PENDING,
        )
        .order_by(Approval.request_id)
    ).all()
    for approval in waiting:
        request = approval.request
        record = kind_of(request.record_type).load(uow, request.record_id)
        deciders = set(group_members(uow, group_id, record, request.submitted_by_id))
        excluded = {request.submitted_by_id, record.owner_id}
        after = (deciders - {user.id}) | ({other.id} - excluded)
        if not after:
            did = "submitted" if other.id == request.submitted_by_id else "owns"
            raise InvalidInput(
                f'{other.name} {did} {record.label}, which waits on the group "{group}", and '
                "nobody else in it could decide it; pick someone else.",
                field="replacement",
            )


def _approvals(uow: UnitOfWork, user: User, other: User, make: bool) -> list[str]:
    changes = []
    for approval in waiting_on(uow, user.id):
        request = approval.request
        record = kind_of(request.record_type).load(uow, request.record_id)
        rule = uow.session.get(ApprovalRule, approval.rule_id) if approval.rule_id else None
        what = f"the approval of {record.label}" + (f' ("{rule.name}")' if rule else "")
        if other.id in (request.submitted_by_id, record.owner_id):
            did = "submitted" if other.id == request.submitted_by_id else "owns"
            raise InvalidInput(
                f"{other.name} {did} {record.label}, so cannot approve it; pick someone else "
                "or let the request be recalled first.",
                field="replacement",
            )
        why = role_refusal(
            rule,
            lambda role: any(held.role is role for held in other.roles),
            other.segment_id,
            record,
        )
        if why == "role":
            role = rule.approver_role if rule else None
            raise InvalidInput(
                f"{other.name} is no {role.label if role else 'approver'}, so cannot take "
                f"{what}; give them the role first or pick someone who has it.",
                field="replacement",
            )
        if why == "segment":
            raise InvalidInput(
                f"{other.name} works in another segment, so cannot take {what}; pick "
                "someone of its segment.",
                field="replacement",
            )
        twin = next(
            (
                sibling
                for sibling in request.approvals
                if sibling.approver_id == other.id
                and sibling.rule_id == approval.rule_id
                and sibling.tier == approval.tier
                and sibling.status in OPEN_APPROVAL
            ),
            None,
        )
        if twin is not None:
            changes.append(
                f"{what[0].upper()}{what[1:]}: {other.name} holds it already; "
                f"{user.name}'s is withdrawn."
            )
            if make:
                approval.status = ApprovalStatus.SKIPPED
        else:
            changes.append(f"{what[0].upper()}{what[1:]}: now waits on {other.name}.")
            if make:
                approval.approver_id = other.id
    return changes
