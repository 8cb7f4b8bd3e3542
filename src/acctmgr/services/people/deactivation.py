"""Deactivating the users who leave, and reactivating those who come back.

A deactivated user cannot sign in, so they decide nothing and hold nothing new: routing skips
them (named approvers and role holders alike) and cases are no longer assigned to them. Their
history stays as it was, under their name. What only they could still decide is listed so an
admin can hand it over; moving it is "replace an approver" (the advanced approvals issue).
"""

from __future__ import annotations

from acctmgr.errors import InvalidInput
from acctmgr.models import Role
from acctmgr.services.approvals.inbox import HeldApproval, held_by
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.people.users import UserView, by_login, keep_an_admin


class Deactivated(ReadModel):
    """The user as deactivated, and the approvals that wait on them alone."""

    user: UserView
    to_reassign: list[HeldApproval]


@use_case("users.deactivate")
def deactivate_user(uow: UnitOfWork, login: str) -> Deactivated:
    """Deactivate a user: they can no longer sign in, decide or be routed work.

    Only an Admin can, never on themselves, and never on the last active admin, so an active
    admin always remains. Deactivating an inactive user changes nothing. Returns the approvals
    only they could decide, to reassign. Raises PermissionDenied or InvalidInput with a
    sentence.
    """
    require_role(uow.user, Role.ADMIN, to="deactivate users")
    user = by_login(uow, login)
    if user.id == uow.user.id:
        raise InvalidInput("You cannot deactivate yourself; ask another admin.", field="login")
    if user.active:
        if any(held.role is Role.ADMIN for held in user.roles):
            keep_an_admin(uow, user, doing="be deactivated")
        user.active = False  # audited as the change of this use case, users.deactivate
        uow.session.flush()
    return Deactivated(user=UserView.of(user), to_reassign=held_by(uow, user.id))


@use_case("users.reactivate")
def reactivate_user(uow: UnitOfWork, login: str) -> UserView:
    """Let a deactivated user sign in again, with the roles and segment they had.

    Only an Admin can; reactivating an active user changes nothing.
    """
    require_role(uow.user, Role.ADMIN, to="reactivate users")
    user = by_login(uow, login)
    if not user.active:
        user.active = True
        uow.session.flush()
    return UserView.of(user)
