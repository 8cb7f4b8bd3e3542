"""Fixtures: a fresh, migrated database per test on SQLite and (when configured) PostgreSQL.

Migrating takes far longer than copying, so each test session (each xdist worker) migrates one
template per backend and every test gets a copy of it: on SQLite a copy of the template's file,
on PostgreSQL the worker's one database emptied (``tests/pg_workbench.py``, where copying and
dropping a database cost more than the tests). Tests never see each other's rows.

PostgreSQL tests run when ``ACCTMGR_TEST_DATABASE_URL`` names a server (its maintenance
database, e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``). PostgreSQL refuses to copy a
template while another session is connected to it, so each worker has a template of its own.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from acctmgr import resume_collection
from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.db.migrate import upgrade
from acctmgr.models import Role
from acctmgr.services.bootstrap import bootstrap
from acctmgr.services.company import identity as company
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import users as user_service
from tests.pg_workbench import Workbench

PG_ADMIN_URL = os.environ.get("ACCTMGR_TEST_DATABASE_URL")
PG_SKIP_REASON = "ACCTMGR_TEST_DATABASE_URL is not set, so there is no PostgreSQL to test against"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday morning
# "gw0", "gw1"... under pytest-xdist; one name when the tests run in a single process.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_admin_engine() -> Engine:
    assert PG_ADMIN_URL
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    assert PG_ADMIN_URL
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _pg_create(name: str, template: str | None = None) -> None:
    admin = _pg_admin_engine()
    copied = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    admin.dispose()


def _pg_drop(name: str) -> None:
    admin = _pg_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_template_name(kind: str) -> str:
    # The worker in the name says whose it is; the random part keeps runs from other checkouts
    # on the same server apart.
    return f"acctmgr_tpl_{WORKER}_{kind}_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """The name of a migrated template database on the test server, one per xdist worker."""
    if not PG_ADMIN_URL:
        pytest.skip(PG_SKIP_REASON)
    name = _pg_template_name("empty")
    _pg_create(name)
    database = Database(_pg_url(name))
    upgrade(database)
    database.dispose()
    yield name
    _pg_drop(name)


@pytest.fixture(scope="session")
def pg_staffed_template(pg_template: str) -> Iterator[str]:
    """The migrated template with the first admin, segments and staff (``hire_staff``)."""
    name = _pg_template_name("staffed")
    _pg_create(name, pg_template)
    database = Database(_pg_url(name))
    hire_staff(database)
    database.dispose()
    yield name
    _pg_drop(name)


def pg_copy(template: str) -> Iterator[str]:
    """Yield the URL of a new database copied from ``template``; drop it when resumed."""
    name = f"acctmgr_t_{uuid.uuid4().hex[:10]}"
    _pg_create(name, template)
    yield _pg_url(name)
    _pg_drop(name)


@pytest.fixture(scope="session")
def pg_workbench(pg_template: str) -> Iterator[Workbench]:
    """The worker's one PostgreSQL database for the tests, emptied before each of them."""
    name = _pg_template_name("workbench")

    def remake() -> None:
        _pg_drop(name)
        _pg_create(name, pg_template)

    def staff(url: str) -> None:
        database = Database(url)
        hire_staff(database)
        database.dispose()

    _pg_create(name, pg_template)
    workbench = Workbench(_pg_url(name), remake, staff)
    yield workbench
    workbench.close()
    _pg_drop(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database file, made once per session (per xdist worker) to be copied."""
    path = tmp_path_factory.mktemp("sqlite-template") / "acctmgr.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()
    return sealed(path)


def sealed(path: Path) -> Path:
    """The SQLite file with its write-ahead log folded in, so the one file is all there is.

    Call it once every connection to the file is closed (``Database.dispose``): copying the
    file alone then copies the whole database.
    """
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # The last connection to close removes the log; one left means a connection is still open.
    for side in ("-wal", "-shm"):
        assert not path.with_name(path.name + side).exists(), f"{path} is still open"
    return path


def sqlite_copy(template: Path, path: Path) -> str:
    """Copy a sealed template to ``path``; returns the copy's URL."""
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def sqlite_staffed_template(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The migrated SQLite template with the first admin, segments and staff (``hire_staff``)."""
    path = tmp_path_factory.mktemp("sqlite-staffed") / "acctmgr.db"
    database = Database(sqlite_copy(sqlite_template, path))
    hire_staff(database)
    database.dispose()
    return sealed(path)


@pytest.fixture(scope="session")
def office(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small fixed office of tests/office_support.py on SQLite, made once per session (per
    xdist worker); the UI tests copy it."""
    from tests.office_support import office_template  # it imports this module

    return office_template(tmp_path_factory.mktemp("office"), sqlite_template)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a migrated database of its own; each test runs once per backend.

    It is empty, or holds the staff when the test asks for ``admin``: staff written once into a
    template cost less than staff written for every test.
    """
    staffed = "admin" in request.fixturenames
    if request.param == "sqlite":
        template = "sqlite_staffed_template" if staffed else "sqlite_template"
        yield sqlite_copy(request.getfixturevalue(template), tmp_path / "acctmgr.db")
    else:
        if not PG_ADMIN_URL:
            pytest.skip(PG_SKIP_REASON)
        workbench: Workbench = request.getfixturevalue("pg_workbench")
        yield workbench.fresh(staffed)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The database at ``database_url``, disposed of after the test."""
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> AdjustableClock:
    """A clock standing at NOW until a test moves it."""
    return AdjustableClock(NOW)


@pytest.fixture
def admin(database: Database, clock: AdjustableClock) -> Context:
    """A Context acting as the first admin, on a database with segments and staff."""
    return Context(database, clock, "admin")


# (login, name, segment, roles) of the staff beside the first admin.
STAFF = (
    ("ae", "Erin Executive", "SMB", {Role.ACCOUNT_EXECUTIVE}),
    ("ae2", "Eli Executive", "ENT", {Role.ACCOUNT_EXECUTIVE}),
    ("cms", "Casey Contracts", "SMB", {Role.CONTRACT_MANAGER}),
    ("leader", "Lee Leader", "SMB", {Role.SEGMENT_LEADER}),
    ("finance", "Fin Ance", None, {Role.FINANCE}),
)


# The company's identity the staffed databases start with: an office sends nothing to customers
# before its admin has set it (tests of the unset identity delete it first).
COMPANY = company.IdentityIn(
    name="Example Analytics Ltd",
    address="1 Example Street, London EC1A 1AA, GB",
    email="orders@example.com",
)


def hire_staff(database: Database) -> None:
    """Through the use cases: the first admin, the SMB and ENT segments, ``STAFF``, and the
    company's identity."""
    anonymous = Context(database, AdjustableClock(NOW), None)
    user_service.create_first_admin(
        anonymous,
        user_service.UserIn(login="admin", name="Ada Admin", email="admin@example.com"),
    )
    context = anonymous.as_user("admin")
    user_service.create_segment(context, "SMB", "Small business")
    user_service.create_segment(context, "ENT", "Enterprise")
    for login, name, segment, roles in STAFF:
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
    company.update_identity(context, COMPANY, 0)


def pytest_configure() -> None:
    # Importing acctmgr pauses garbage collection for a quick start (see acctmgr/__init__.py);
    # the tests run with it on, as the app does once started.
    resume_collection()
    # The programs are wired by startup.connect; these tests also make databases themselves.
    bootstrap()
