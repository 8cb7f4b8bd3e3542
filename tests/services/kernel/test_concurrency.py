"""Concurrent saves are detected, not overwritten; concurrent writers queue, never fail."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.errors import Conflict
from acctmgr.models import Account, AuditEvent
from acctmgr.services.accounts import records as account_service
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.people import users as user_service
from tests.conftest import sqlite_copy

pytestmark = pytest.mark.usefixtures("admin")


def _account(admin: Context) -> account_service.AccountView:
    return account_service.create_account(
        admin, account_service.AccountIn(name="Acme Corp", segment_code="SMB")
    )


def test_a_stale_save_is_refused(admin: Context) -> None:
    """Two people edit the same version: the first save wins, the second gets a Conflict."""
    loaded = _account(admin)
    first = loaded.model_copy()
    second = loaded.model_copy()
    data = account_service.AccountIn(name="Acme Corporation", segment_code="SMB")
    saved = account_service.update_account(admin, first.id, data, first.version)
    assert saved.version == first.version + 1
    other = account_service.AccountIn(name="ACME Inc.", segment_code="SMB")
    with pytest.raises(Conflict, match="Someone else saved this account"):
        account_service.update_account(admin, second.id, other, second.version)
    assert account_service.get_account(admin, loaded.id).name == "Acme Corporation"


def test_two_sessions_racing_on_one_version_get_one_success_and_one_conflict(
    admin: Context,
) -> None:
    """Both sessions pass the version check; the database lets only one UPDATE through, and
    the loser is told which record someone else saved (on PostgreSQL the UPDATE finds it)."""
    loaded = _account(admin)
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []
    lock = threading.Lock()

    @use_case("test.rename")
    def rename(uow: UnitOfWork, name: str) -> None:
        account = uow.get(Account, loaded.id, "account")
        uow.expect_version(account, loaded.version, "account")
        account.name = name
        # On PostgreSQL both read version 1 before either writes; on SQLite BEGIN IMMEDIATE
        # makes the second wait, then see version 2 in its version check.
        if not admin.database.is_sqlite:
            barrier.wait()
        uow.session.flush()

    def attempt(name: str) -> None:
        try:
            rename(admin, name)
            result = "saved"
        except Conflict as error:
            result = error.message.split(" since ")[0]
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("One", "Two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["Someone else saved this account", "saved"]
    final = account_service.get_account(admin, loaded.id)
    assert final.version == loaded.version + 1
    assert final.name in {"One", "Two"}


def test_threads_writing_to_one_sqlite_file_never_see_database_is_locked(
    tmp_path: Path, sqlite_template: Path, clock: AdjustableClock
) -> None:
    """Eight threads each making 25 read-then-write transactions all succeed."""
    url = sqlite_copy(sqlite_template, tmp_path / "busy.db")
    database = Database(url, busy_timeout_seconds=30)
    context = Context(database, clock, None)
    user_service.create_first_admin(
        context, user_service.UserIn(login="admin", name="Admin", email="admin@example.com")
    )
    admin = context.as_user("admin")
    user_service.create_segment(admin, "SMB", "Small business")
    account = _account(admin)
    errors: list[BaseException] = []

    @use_case("test.increment")
    def increment(uow: UnitOfWork) -> None:
        row = uow.get(Account, account.id, "account")
        row.territory = str(int(row.territory or "0") + 1)

    def work() -> None:
        try:
            for _ in range(25):
                increment(admin)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert account_service.get_account(admin, account.id).territory == "200"
    with database.read_session() as session:
        audited = session.scalar(select(func.count()).where(AuditEvent.action == "test.increment"))
    assert audited == 200
