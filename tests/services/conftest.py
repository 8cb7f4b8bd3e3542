"""What the service tests of several areas share."""

from __future__ import annotations

import pytest

from acctmgr.domain.roles import Role
from acctmgr.services.accounts import records as account_service
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import users as user_service

LOGINS = ("admin", "ae", "ae2", "cms", "leader", "finance", "drifter")


@pytest.fixture
def staffed(admin: Context) -> Context:
    """The admin's database with an account in each segment and a user of no segment."""
    for name, segment in (("Small Shop", "SMB"), ("Big Enterprise", "ENT")):
        account_service.create_account(
            admin, account_service.AccountIn(name=name, segment_code=segment)
        )
    user_service.create_user(
        admin,
        user_service.UserIn(
            login="drifter",
            name="Dee Rifter",
            email="drifter@example.com",
            roles=frozenset({Role.CUSTOMER_SERVICES}),
        ),
    )
    return admin
