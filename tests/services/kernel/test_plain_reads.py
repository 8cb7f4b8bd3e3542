"""The plain-SQL reads (My day, the accounts search) see users and segments as the ORM does."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from acctmgr.errors import UnknownUser
from acctmgr.models import Account
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.permissions import segment_filter
from acctmgr.services.kernel.plain_reads import reading_actor, segment_clause
from acctmgr.services.kernel.unit_of_work import load_actor
from tests.services.conftest import LOGINS


@pytest.mark.parametrize("login", LOGINS)
def test_the_reading_actor_is_the_use_cases_actor(staffed: Context, login: str) -> None:
    """Who is reading, with their segment and roles, is who a use case runs for."""
    with staffed.reader() as reader, staffed.database.read_session() as session:
        assert reading_actor(reader, login) == load_actor(session, login)


@pytest.mark.parametrize("login", LOGINS)
def test_the_segment_clause_lets_through_what_the_segment_filter_does(
    staffed: Context, login: str
) -> None:
    """The plain segment clause and the ORM's segment filter admit the same accounts."""
    with staffed.reader() as reader, staffed.database.read_session() as session:
        actor = reading_actor(reader, login)
        plain = reader.rows(
            "SELECT acc.id FROM accounts acc "
            f"WHERE {segment_clause(actor, 'acc.segment_id')} ORDER BY acc.id",
            segment=actor.segment_id,
        )
        orm = session.execute(
            select(Account.id).where(segment_filter(actor, Account.segment_id)).order_by(Account.id)
        ).all()
        assert session.scalar(select(func.count(Account.id))) == 2
    assert [tuple(row) for row in plain] == [tuple(row) for row in orm]


def test_an_unknown_login_reads_nothing(staffed: Context) -> None:
    """A login that is no user gets the same sentence as from a use case."""
    with staffed.reader() as reader, pytest.raises(UnknownUser, match="nobody"):
        reading_actor(reader, "nobody")
