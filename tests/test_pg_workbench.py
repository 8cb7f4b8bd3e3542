"""The reused PostgreSQL database gives each test what a fresh copy of the template would."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text

from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.models import Segment, User
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import users as user_service
from tests.conftest import NOW, STAFF
from tests.pg_workbench import Workbench

pytestmark = pytest.mark.postgres


def staff_and_segments(url: str) -> tuple[list[str], int]:
    database = Database(url)
    with database.read_session() as session:
        logins = sorted(session.scalars(select(User.login)))
        segments = session.scalar(select(func.count()).select_from(Segment)) or 0
    database.dispose()
    return logins, segments


def test_a_tests_rows_are_gone_and_its_ids_given_again(pg_workbench: Workbench) -> None:
    url = pg_workbench.fresh(staffed=True)
    assert staff_and_segments(url) == (sorted(["admin", *(s[0] for s in STAFF)]), 2)
    database = Database(url)
    admin = Context(database, AdjustableClock(NOW), "admin")
    first = user_service.create_segment(admin, "MID", "Mid-market")
    database.dispose()

    url = pg_workbench.fresh(staffed=True)
    assert staff_and_segments(url) == (sorted(["admin", *(s[0] for s in STAFF)]), 2)
    database = Database(url)
    again = user_service.create_segment(
        Context(database, AdjustableClock(NOW), "admin"), "MID", "Mid-market"
    )
    database.dispose()
    assert again.id == first.id  # the sequences are rewound with the rows

    assert staff_and_segments(pg_workbench.fresh(staffed=False)) == ([], 0)


def test_a_test_that_changed_the_schema_leaves_the_next_a_fresh_copy(
    pg_workbench: Workbench,
) -> None:
    url = pg_workbench.fresh(staffed=False)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE outbox_emails CASCADE"))
        connection.execute(text("CREATE TABLE their_table (id integer)"))
    engine.dispose()

    url = pg_workbench.fresh(staffed=True)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        tables = set(
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
    engine.dispose()
    assert "outbox_emails" in tables
    assert "their_table" not in tables
    assert staff_and_segments(url)[1] == 2


def test_a_column_changed_in_place_is_noticed_too(pg_workbench: Workbench) -> None:
    """Not only a table dropped: a column's type changed leaves the next test a fresh copy."""
    url = pg_workbench.fresh(staffed=False)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE segments ALTER COLUMN name TYPE text"))
    engine.dispose()
    url = pg_workbench.fresh(staffed=False)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        kind = connection.execute(
            text(
                "SELECT data_type FROM information_schema.columns"
                " WHERE table_name = 'segments' AND column_name = 'name'"
            )
        ).scalar()
    engine.dispose()
    assert kind == "character varying"
