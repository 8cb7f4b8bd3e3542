"""A key account with its Key Account Manager, for the tests of agreed prices and packages."""

from __future__ import annotations

from acctmgr.models import Account, Role
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import users as user_service
from tests import factories


def key_account_manager(admin: Context, account_id: int, login: str = "kam") -> Context:
    """A Key Account Manager of Small business, made the account's; acting as them."""
    user_service.create_user(
        admin,
        user_service.UserIn(
            login=login,
            name="Kim Keyaccount",
            email=f"{login}@example.com",
            segment_code="SMB",
            roles=frozenset({Role.KEY_ACCOUNT_MANAGER}),
        ),
    )
    kam_id = factories.user_id(admin, login)
    # Who manages a key account is set by the key accounts area; a row is enough here.
    with admin.database.write_session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        account.key_account_manager_id = kam_id
        session.commit()
    return admin.as_user(login)
