"""Delegates: while a user is away, someone they name approves in their place.

A user names their own delegate for a range of days (an admin may name anyone's). While the
delegation is active the user's approvals reach the delegate too and whoever decides first
decides (``approvals.routing.decides_for``); the vote records on whose behalf it was cast.

What is refused, in one sentence beside its field, before anything is saved:
- oneself as one's own delegate, a deactivated delegate, a range that ends before it starts
  or before today, and a range overlapping another delegation of the same user;
- a delegate who is away themselves over any of those days (they have a delegate of their
  own then): delegation goes one level only, and the approvals would reach nobody present;
- a user who stands in for someone else over any of those days: the approvals they hold as
  a delegate would not pass on to their own delegate (one level), so the person they stand
  in for must name someone else first.
What is only warned of, since a user may hold approvals of several kinds and the delegate can
still take the others: a delegate without the role (or segment) some of the user's approval
rules ask for, and open approvals of records the delegate submitted or owns. The user reads
the warnings (``check_delegate``) and confirms; ``set_delegate`` refuses an unconfirmed one.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import aliased

from acctmgr.domain.roles import ALL_SEGMENT_ROLES
from acctmgr.errors import InvalidInput, NotFound
from acctmgr.models import (
    ApprovalRule,
    ApproverKind,
    Delegation,
    Role,
    Segment,
    User,
)
from acctmgr.services.approvals.delegates import day_of
from acctmgr.services.approvals.record_kinds import Approvable, kind_of
from acctmgr.services.approvals.requests import waiting_on
from acctmgr.services.approvals.routing import role_refusal
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.people.users import by_login


class DelegationIn(BaseModel):
    """A delegate for a range of days, both included; for the signed-in user when
    ``user_login`` is empty."""

    delegate_login: SingleLine
    starts_on: date
    ends_on: date
    user_login: SingleLine = ""


class DelegationView(ReadModel):
    id: int
    version: int
    user_login: str
    user: str
    delegate_login: str
    delegate: str
    starts_on: date
    ends_on: date
    active: bool  # today is within the range
    warnings: list[str] = []  # what was warned of when it was set


@use_case("delegations.check", write=False)
def check_delegate(uow: UnitOfWork, data: DelegationIn) -> list[str]:
    """The warnings setting this delegate would give, one sentence each, for the user to read
    before confirming; raises InvalidInput (beside its field) or PermissionDenied for what is
    refused (see the module doc)."""
    user, delegate = _checked(uow, data)
    return _warnings(uow, user, delegate)


@use_case("delegations.set")
def set_delegate(uow: UnitOfWork, data: DelegationIn, confirmed: bool = False) -> DelegationView:
    """Name a delegate for a range of days: for oneself, or (an Admin) for anyone.

    Refused as ``check_delegate`` refuses; when there are warnings the user must have read
    them (``confirmed``), otherwise InvalidInput with the first. Audited.
    """
    # Two delegations set at once must not both pass the overlap checks: those that share a
    # person are made one after the other (the locks are taken in id order, as everywhere).
    logins = {data.user_login or uow.user.login, data.delegate_login.strip().lower()}
    uow.session.execute(
        select(User.id).where(User.login.in_(logins)).order_by(User.id).with_for_update()
    ).all()
    user, delegate = _checked(uow, data)
    warnings = _warnings(uow, user, delegate)
    if warnings and not confirmed:
        raise InvalidInput(warnings[0], field="delegate_login")
    # The same delegate from the same day, revoked since, is taken up again (one row each).
    delegation = uow.session.scalar(
        select(Delegation).where(
            Delegation.user_id == user.id,
            Delegation.delegate_id == delegate.id,
            Delegation.starts_on == data.starts_on,
        )
    )
    if delegation is None:
        delegation = uow.add(
            Delegation(
                user_id=user.id,
                delegate_id=delegate.id,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
            )
        )
    else:
        delegation.revoked_at = None
        delegation.ends_on = data.ends_on
        uow.session.flush()
    audit.record(
        uow,
        Delegation.RECORD,
        delegation.id,
        "delegate_set",
        {
            "user": user.login,
            "delegate": delegate.login,
            "starts_on": data.starts_on,
            "ends_on": data.ends_on,
            "warnings": warnings,
        },
    )
    return _view(uow, delegation, warnings)


@use_case("delegations.revoke")
def revoke_delegation(uow: UnitOfWork, delegation_id: int) -> DelegationView:
    """End a delegation now: the delegate decides nothing more for the user from this moment.

    The user, the delegate (who may decline it) or an Admin may; PermissionDenied for anyone
    else, InvalidInput when it was revoked already. Audited.
    """
    delegation = uow.get(Delegation, delegation_id, "delegation")
    actor = uow.user
    if actor.id not in (delegation.user_id, delegation.delegate_id):
        require_role(actor, Role.ADMIN, to="revoke other people's delegations")
    if delegation.revoked_at is not None:
        raise InvalidInput("This delegation was revoked already.")
    delegation.revoked_at = uow.now
    uow.session.flush()
    audit.record(uow, Delegation.RECORD, delegation.id, "delegation_revoked", {})
    return _view(uow, delegation, [])


@use_case("delegations.list", write=False)
def list_delegations(uow: UnitOfWork, everyone: bool = False) -> list[DelegationView]:
    """The delegations not revoked that have not ended, soonest first: the signed-in user's
    (as the user or the delegate), or with ``everyone`` every user's (Admins only,
    PermissionDenied otherwise)."""
    actor = uow.user
    query = select(Delegation).where(
        Delegation.revoked_at.is_(None), Delegation.ends_on >= day_of(uow.now)
    )
    if everyone:
        require_role(actor, Role.ADMIN, to="list every user's delegations")
    else:
        query = query.where((Delegation.user_id == actor.id) | (Delegation.delegate_id == actor.id))
    rows = uow.session.scalars(query.order_by(Delegation.starts_on, Delegation.id))
    return [_view(uow, row, []) for row in rows]


def _checked(uow: UnitOfWork, data: DelegationIn) -> tuple[User, User]:
    """The user and their delegate, once every refusal of the module doc is passed."""
    actor = uow.user
    if data.user_login and data.user_login != actor.login:
        require_role(actor, Role.ADMIN, to="name other people's delegates")
    user = by_login(uow, data.user_login or actor.login)
    try:
        delegate = by_login(uow, data.delegate_login.strip().lower())
    except InvalidInput as error:
        raise InvalidInput(error.message, field="delegate_login") from None
    yours = user.id == actor.id
    if delegate.id == user.id:
        whose = "your own" if yours else f"{user.name}'s own"
        raise InvalidInput(
            f"Nobody can be {whose} delegate; pick someone else.", field="delegate_login"
        )
    if not delegate.active:
        raise InvalidInput(
            f"{delegate.name} is deactivated and can approve nothing; pick someone active.",
            field="delegate_login",
        )
    if data.ends_on < data.starts_on:
        raise InvalidInput("The last day comes before the first; swap them.", field="ends_on")
    if data.ends_on < day_of(uow.now):
        raise InvalidInput("That range is over already; give days from today on.", field="ends_on")
    clash = _overlapping(uow, Delegation.user_id == user.id, data)
    if clash is not None:
        who = "You have" if yours else f"{user.name} has"
        raise InvalidInput(
            f"{who} {clash.delegate_name} as delegate {_range(clash.row)} already; revoke it "
            "or pick other days.",
            field="starts_on",
        )
    away = _overlapping(uow, Delegation.user_id == delegate.id, data)
    if away is not None:
        raise InvalidInput(
            f"{delegate.name} is away {_range(away.row)} ({away.delegate_name} stands in); "
            "delegation goes one level only, so pick someone who is there.",
            field="delegate_login",
        )
    standing = _overlapping(uow, Delegation.delegate_id == user.id, data)
    if standing is not None:
        who = "you stand" if yours else f"{user.name} stands"
        raise InvalidInput(
            f"Over those days {who} in for {standing.user_name} {_range(standing.row)}; ask "
            f"{standing.user_name} to name someone else first, as delegation goes one level.",
            field="starts_on",
        )
    return user, delegate


class _Clash:
    """A delegation over some of the same days, with its people's names."""

    def __init__(self, row: Delegation, user_name: str, delegate_name: str) -> None:
        self.row = row
        self.user_name = user_name
        self.delegate_name = delegate_name


def _overlapping(uow: UnitOfWork, whose: ColumnElement[bool], data: DelegationIn) -> _Clash | None:
    """The first delegation not revoked, matching ``whose``, sharing a day with the range."""
    principal, stand_in = aliased(User), aliased(User)
    found = uow.session.execute(
        select(Delegation, principal.name, stand_in.name)
        .join(principal, principal.id == Delegation.user_id)
        .join(stand_in, stand_in.id == Delegation.delegate_id)
        .where(
            whose,
            Delegation.revoked_at.is_(None),
            Delegation.starts_on <= data.ends_on,
            Delegation.ends_on >= data.starts_on,
        )
        .order_by(Delegation.starts_on)
        .limit(1)
    ).first()
    return _Clash(*found) if found is not None else None


def _range(row: Delegation) -> str:
    return f"from {row.starts_on:%d %b} to {row.ends_on:%d %b %Y}"


def _warnings(uow: UnitOfWork, user: User, delegate: User) -> list[str]:
    """What the delegate could not decide of the user's approvals, one sentence each."""
    held = {role.role for role in delegate.roles}
    theirs = {role.role for role in user.roles}
    found = []
    # The roles the user approves as, by the active rules that ask for one (judged as the
    # engine will, by ``role_refusal``, for a record of the user's segment).
    asked = uow.session.scalars(
        select(ApprovalRule.approver_role).where(
            ApprovalRule.active.is_(True),
            ApprovalRule.approver_kind == ApproverKind.ROLE_IN_SEGMENT,
        )
    )
    roles = sorted({role for role in asked if role in theirs}, key=list(Role).index)
    in_segment = _as_record(user.segment_id)
    for role in roles:
        rule = ApprovalRule(approver_kind=ApproverKind.ROLE_IN_SEGMENT, approver_role=role)
        why = role_refusal(rule, held.__contains__, delegate.segment_id, in_segment)
        if why:
            lacks = (
                f"does not hold the {role.label} role"
                if role in ALL_SEGMENT_ROLES
                else f"is not a {role.label} in {_segment_name(uow, user)}"
            )
            found.append(
                f"{delegate.name} {lacks}, so {user.name}'s {role.label} approvals will still "
                f"wait for {user.name}."
            )
    found += _own_records(uow, user, delegate)
    return found


def _own_records(uow: UnitOfWork, user: User, delegate: User) -> list[str]:
    """Open approvals waiting on the user of records the delegate submitted or owns."""
    found = []
    for approval in waiting_on(uow, user.id):
        request = approval.request
        record = kind_of(request.record_type).load(uow, request.record_id)
        if delegate.id in (request.submitted_by_id, record.owner_id):
            did = "submitted" if delegate.id == request.submitted_by_id else "owns"
            found.append(
                f"{delegate.name} {did} {record.label}, so its approval will still wait for "
                f"{user.name}."
            )
    return found


def _as_record(segment_id: int | None) -> Approvable:
    """A record of a segment as ``role_refusal`` reads it, for judging a delegate's standing
    before any record is there."""
    return Approvable(
        record_type=Delegation.RECORD,
        record_id=0,
        version=0,
        label="",
        owner_id=None,
        segment_id=segment_id,
        account_id=None,
        facts={},
    )


def _segment_name(uow: UnitOfWork, user: User) -> str:
    segment = uow.session.get(Segment, user.segment_id) if user.segment_id else None
    return segment.name if segment else "no segment"


def _view(uow: UnitOfWork, row: Delegation, warnings: list[str]) -> DelegationView:
    user = uow.session.get(User, row.user_id)
    delegate = uow.session.get(User, row.delegate_id)
    if user is None or delegate is None:
        raise NotFound(f"There is no delegation with number {row.id}.")
    today = day_of(uow.now)
    return DelegationView(
        id=row.id,
        version=row.version,
        user_login=user.login,
        user=user.name,
        delegate_login=delegate.login,
        delegate=delegate.name,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        active=row.revoked_at is None and row.starts_on <= today <= row.ends_on,
        warnings=warnings,
    )
