"""The company identity's tests start from an office whose admin has not set it yet."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from acctmgr.models import CompanyIdentity
from acctmgr.services.kernel.context import Context


@pytest.fixture
def unset(admin: Context) -> Context:
    """The admin of a staffed database whose company identity nobody has set."""
    with admin.database.write_session() as session, session.begin():
        session.execute(delete(CompanyIdentity))
    return admin
