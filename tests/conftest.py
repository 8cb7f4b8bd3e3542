"""Fixtures: a fresh, migrated database per test on SQLite and (when configured) PostgreSQL.

PostgreSQL tests run when ``ACCTMGR_TEST_DATABASE_URL`` names a server (its maintenance
database, e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``). A template database is
migrated once per run, and each test gets a copy of it, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from acctmgr import resume_collection
from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.db.migrate import upgrade
from acctmgr.models import Role
from acctmgr.services.bootstrap import bootstrap
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import users as user_service

PG_ADMIN_URL = os.environ.get("ACCTMGR_TEST_DATABASE_URL")
PG_SKIP_REASON = "ACCTMGR_TEST_DATABASE_URL is not set, so there is no PostgreSQL to test against"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday morning


def _pg_admin_engine() -> Engine:
    assert PG_ADMIN_URL
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """The name of a migrated template database on the test server."""
    if not PG_ADMIN_URL:
        pytest.skip(PG_SKIP_REASON)
    name = f"acctmgr_tpl_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(make_url(PG_ADMIN_URL).set(database=name))
    upgrade(database)
    database.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def pg_copy(template: str) -> Iterator[str]:
    name = f"acctmgr_t_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    assert PG_ADMIN_URL
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The URL of an empty, migrated database; each test runs once per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'acctmgr.db'}"
        database = Database(url)
        upgrade(database)
        database.dispose()
        yield url
    else:
        if not PG_ADMIN_URL:
            pytest.skip(PG_SKIP_REASON)
        yield from pg_copy(request.getfixturevalue("pg_template"))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> AdjustableClock:
    return AdjustableClock(NOW)


@pytest.fixture
def admin(database: Database, clock: AdjustableClock) -> Context:
    """A Context acting as the first admin, on a database with segments and staff."""
    anonymous = Context(database, clock, None)
    user_service.create_first_admin(
        anonymous,
        user_service.UserIn(login="admin", name="Ada Admin", email="admin@example.com"),
    )
    context = anonymous.as_user("admin")
    user_service.create_segment(context, "SMB", "Small business")
    user_service.create_segment(context, "ENT", "Enterprise")
    staff = [
        ("ae", "Erin Executive", "SMB", {Role.ACCOUNT_EXECUTIVE}),
        ("ae2", "Eli Executive", "ENT", {Role.ACCOUNT_EXECUTIVE}),
        ("cms", "Casey Contracts", "SMB", {Role.CONTRACT_MANAGER}),
        ("leader", "Lee Leader", "SMB", {Role.SEGMENT_LEADER}),
        ("finance", "Fin Ance", None, {Role.FINANCE}),
    ]
    for login, name, segment, roles in staff:
        user_service.create_user(
            context,
            user_service.UserIn(
                login=login,
                name=name,
                email=f"{login}@example.com",
                segment_code=segment,
                roles=frozenset(roles),
            ),
        )
    return context


def pytest_configure() -> None:
    # Importing acctmgr pauses garbage collection for a quick start (see acctmgr/__init__.py);
    # the tests run with it on, as the app does once started.
    resume_collection()
    # The programs are wired by startup.connect; these tests also make databases themselves.
    bootstrap()
