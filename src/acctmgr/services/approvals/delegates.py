"""Who stands in for whom today: the delegations the approvals engine follows.

A delegation is active from its first day to its last, both included, unless revoked; days are
UTC days of the use case's instant, so every worker agrees on when one starts and ends. While
it is active the delegate may decide what reaches the user (``routing.decides_for``), and the
vote records whom it was for. Delegation goes one level only: the engine asks whom a person
stands in for, never whom those people's delegates stand in for. Naming and revoking delegates
is ``services.people.delegations``; this module only reads them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, and_, or_, select

from acctmgr.models import Approval, ApprovalGroupMember, Delegation, User
from acctmgr.services.kernel.unit_of_work import UnitOfWork


def day_of(now: datetime) -> date:
    """The UTC day an instant falls on: the day delegations are judged by."""
    return now.astimezone(UTC).date()


def active_on(day: date) -> ColumnElement[bool]:
    """The condition of a delegation active on ``day``."""
    return and_(
        Delegation.revoked_at.is_(None),
        Delegation.starts_on <= day,
        Delegation.ends_on >= day,
    )


def standing_in_for(uow: UnitOfWork, delegate_id: int) -> list[int]:
    """The active users whom ``delegate_id`` stands in for today, in id order.

    A deactivated user's approvals go to whoever replaces them, not to their delegate.
    """
    return list(
        uow.session.scalars(
            select(Delegation.user_id)
            .join(User, User.id == Delegation.user_id)
            .where(
                Delegation.delegate_id == delegate_id,
                User.active.is_(True),
                active_on(day_of(uow.now)),
            )
            .order_by(Delegation.user_id)
        )
    )


def reaching(uow: UnitOfWork, delegate_id: int) -> ColumnElement[bool]:
    """The condition of an approval addressed to someone the delegate stands in for today:
    to them, or to a group they are in (whether the delegate may decide it is
    ``routing.decides_for``'s to say)."""
    theirs = standing_in_for(uow, delegate_id)
    groups = select(ApprovalGroupMember.group_id).where(ApprovalGroupMember.user_id.in_(theirs))
    return or_(Approval.approver_id.in_(theirs), Approval.approver_group_id.in_(groups))


def stand_in(uow: UnitOfWork, user_id: int) -> int | None:
    """The active delegate who stands in for ``user_id`` today, if any (ranges never overlap,
    so there is at most one)."""
    return uow.session.scalar(
        select(Delegation.delegate_id)
        .join(User, User.id == Delegation.delegate_id)
        .where(Delegation.user_id == user_id, User.active.is_(True), active_on(day_of(uow.now)))
        .order_by(Delegation.starts_on)
        .limit(1)
    )


def voted_for(approval: Approval) -> set[int]:
    """Whom the votes on an approval count for: the person each was cast on behalf of, or the
    voter themselves."""
    return {vote.on_behalf_of_id or vote.user_id for vote in approval.decisions}


def decided_on_behalf(approval: Approval) -> int | None:
    """Whom the deciding vote of a decided approval was cast for, when a delegate cast it."""
    votes = [vote for vote in approval.decisions if vote.user_id == approval.decided_by_id]
    return max(votes, key=lambda vote: vote.id).on_behalf_of_id if votes else None
