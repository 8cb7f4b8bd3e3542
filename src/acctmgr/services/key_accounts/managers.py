"""Who manages a key account: its Key Account Manager, named by a Segment Leader or an admin."""

from __future__ import annotations

from sqlalchemy import select

from acctmgr.domain.roles import Role
from acctmgr.errors import InvalidInput
from acctmgr.models import Account, User
from acctmgr.services.kernel.permissions import require_role, require_segment, sees_segment
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, actor_of, use_case


@use_case("key_accounts.assign_manager")
def assign_manager(
    uow: UnitOfWork, account_id: int, expected_version: int, login: SingleLine | None
) -> int:
    """Make ``login`` the account's Key Account Manager (None: it is no longer a key account);
    returns the account's new version. The KAM must hold the role and work in its segment."""
    require_role(uow.user, Role.SEGMENT_LEADER, Role.ADMIN, to="name a key account manager")
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    uow.expect_version(account, expected_version, "account")
    manager = None
    if login:
        manager = uow.session.scalars(
            select(User).where(User.login == login, User.active)
        ).one_or_none()
        if manager is None:
            raise InvalidInput(f"There is no active user {login}.", field="login")
        actor = actor_of(manager)
        if not actor.has(Role.KEY_ACCOUNT_MANAGER):
            raise InvalidInput(f"{manager.name} is not a Key Account Manager.", field="login")
        if not sees_segment(actor, account.segment_id):
            raise InvalidInput(f"{manager.name} works in another segment.", field="login")
    account.key_account_manager_id = manager.id if manager else None
    uow.session.flush()
    return account.version
