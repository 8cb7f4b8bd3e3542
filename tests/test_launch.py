"""Launch: My day from plain reads when the database is ready, the full way when it is not."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from alembic import command

from acctmgr.clock import AdjustableClock
from acctmgr.config import LoadedSettings, Paths, load_settings
from acctmgr.db import HEAD_REVISION, Database
from acctmgr.db.migrate import alembic_config
from acctmgr.models import (
    ActivityKind,
    ApprovalStatus,
    ContractStatus,
    OfferStatus,
    OrderStatus,
    OverageStatus,
    QuoteStatus,
    RetentionStep,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.services.accounts import my_day as accounts_day
from acctmgr.services.approvals import my_day as approvals_day
from acctmgr.services.contracts import my_day as contracts_day
from acctmgr.services.fulfilment import order_day, overage_day, trial_day
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts import offer_day
from acctmgr.services.my_day import day as my_day_service
from acctmgr.services.retention import my_day as retention_day
from acctmgr.startup import launch
from tests import factories
from tests.conftest import NOW


def _settings(tmp_path: Path, url: str, login: str | None) -> LoadedSettings:
    paths = Paths(tmp_path / "data", tmp_path / "config", tmp_path / "logs")
    return load_settings({"database_url": url, "login": login}, environ={}, paths=paths)


def _copy(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "acctmgr.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.mark.parametrize("login", ["ae", "cms", "leader", "finance", "success"])
def test_a_ready_database_shows_my_day_before_the_database_layer_opens(
    tmp_path: Path, office: Path, login: str
) -> None:
    """The day read at launch is the day the use case reads once the database is open."""
    context, day = launch(_settings(tmp_path, _copy(office, tmp_path), login), _clock())
    assert day is not None
    assert not context.is_open
    assert day == my_day_service.my_day(context)  # still through the URL
    colleague = context.as_user("admin")
    context.database  # noqa: B018 - now through the pool
    assert context.is_open
    assert colleague.is_open  # a Context made as_user shares the one database
    assert day == my_day_service.my_day(context)
    assert any(section.items for section in day.sections)


def test_an_empty_folder_gets_a_new_database_the_full_way(tmp_path: Path) -> None:
    """An empty folder gets a new, migrated database the full way, with no day read first."""
    url = f"sqlite:///{tmp_path / 'new' / 'acctmgr.db'}"
    context, day = launch(_settings(tmp_path, url, "ae"), _clock())
    assert day is None
    assert context.is_open
    assert _revision(tmp_path / "new" / "acctmgr.db") == HEAD_REVISION


def test_an_older_schema_is_upgraded_before_anything_is_read(tmp_path: Path, office: Path) -> None:
    """A database at revision 0003 is brought to the head before My day is read from it."""
    url = _copy(office, tmp_path)
    database = Database(url)
    with database.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    database.dispose()
    assert _revision(tmp_path / "acctmgr.db") == "0003"
    context, day = launch(_settings(tmp_path, url, "ae"), _clock())
    assert day is None
    assert context.is_open
    assert _revision(tmp_path / "acctmgr.db") == HEAD_REVISION


def test_an_unknown_or_inactive_login_is_left_to_the_full_way(tmp_path: Path, office: Path) -> None:
    """An unknown or inactive login is left to the full way; an active one gets its day."""
    url = _copy(office, tmp_path)
    assert launch(_settings(tmp_path, url, "nobody"), _clock())[1] is None
    with sqlite3.connect(tmp_path / "acctmgr.db") as connection:
        connection.execute("UPDATE users SET active = 0 WHERE login = 'ae'")
    assert launch(_settings(tmp_path, url, "ae"), _clock())[1] is None
    assert launch(_settings(tmp_path, url, "cms"), _clock())[1] is not None


def test_first_look_never_writes(tmp_path: Path, office: Path) -> None:
    """A missing file stays missing (the full way creates it), and a read-only file can still
    be read."""
    missing = tmp_path / "missing.db"
    context = Context.opening(f"sqlite:///{missing}", _no_opener, _clock(), "ae")
    assert my_day_service.first_look(context) is None
    assert not missing.exists()
    url = _copy(office, tmp_path)
    (tmp_path / "acctmgr.db").chmod(0o444)
    try:
        context = Context.opening(url, _no_opener, _clock(), "ae")
        assert my_day_service.first_look(context) is not None
    finally:
        (tmp_path / "acctmgr.db").chmod(0o644)


def test_first_look_reads_each_backend_through_its_url(admin: Context, database_url: str) -> None:
    """Straight from the URL (sqlite3 or psycopg), the week ends at midnight to the microsecond:
    instants are bound the way the ORM stores them."""
    now = admin.clock.now()
    week_ends = datetime.combine(now.date() + timedelta(days=7), time.min, tzinfo=UTC)
    factories.task(admin, "ae", "Last moment of the week", week_ends - timedelta(microseconds=1))
    factories.task(admin, "ae", "Next week", week_ends)
    context = Context.opening(database_url, _no_opener, admin.clock, "ae")
    day = my_day_service.first_look(context)
    assert day is not None
    assert [item.title for item in day.items("due")] == ["Last moment of the week"]
    assert day == my_day_service.my_day(admin.as_user("ae"))


def test_the_values_my_day_filters_on_are_the_ones_the_models_store() -> None:
    """The values My day's plain SQL filters on are the ones the models' enums store."""
    assert (ActivityKind.TASK.value, ActivityKind.REMINDER.value) == accounts_day.TASK_KINDS
    assert ApprovalStatus.PENDING.value == approvals_day.PENDING
    assert RetentionStep.IN_QUEUE.value == retention_day.CASE_IN_QUEUE
    assert RetentionStep.CLOSED.value == retention_day.CASE_CLOSED
    assert ContractStatus.ACTIVE.value == contracts_day.CONTRACT_ACTIVE
    assert OrderStatus.DRAFT.value == order_day.ORDER_DRAFT
    assert (OfferStatus.DRAFT.value, OfferStatus.SENT.value) == (
        offer_day.OFFER_DRAFT,
        offer_day.OFFER_SENT,
    )
    assert SubscriptionKind.TEST.value == trial_day.TRIAL_KIND
    assert (SubscriptionStatus.PENDING.value, SubscriptionStatus.ACTIVE.value) == (
        trial_day.RUNNING_STATUSES
    )
    assert (QuoteStatus.PENDING_APPROVAL.value, QuoteStatus.APPROVED.value) == (
        offer_day.QUOTE_PENDING,
        offer_day.QUOTE_APPROVED,
    )
    assert OverageStatus.TO_REVIEW.value == overage_day.OVERAGE_TO_REVIEW


def test_the_launch_path_loads_neither_sqlalchemy_nor_pydantic() -> None:
    """What runs before My day paints stays light (benchmarks/launch.py measures why)."""
    script = (
        "import sys, acctmgr.cli, acctmgr.startup, acctmgr.app, acctmgr.screens.my_day\n"
        "print(sorted(m for m in ('sqlalchemy', 'pydantic', 'acctmgr.models') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def _clock() -> AdjustableClock:
    return AdjustableClock(NOW)


def _no_opener() -> Database:
    raise AssertionError("first_look must not open the database layer")


def _revision(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def test_a_use_case_asked_for_straight_after_launch_opens_and_wires_the_services(
    tmp_path: Path, office: Path
) -> None:
    """In a fresh process, a use case run before the warm-up has opened the database opens it
    (and with it the bootstrap's wiring) instead of refusing to run."""
    url = _copy(office, tmp_path)
    script = (
        "from pathlib import Path\n"
        "from acctmgr.config import Paths, load_settings\n"
        "from acctmgr.startup import launch\n"
        "from acctmgr.services.people import users\n"
        f"home = Path({str(tmp_path)!r})\n"
        "paths = Paths(home / 'data', home / 'config', home / 'logs')\n"
        f"loaded = load_settings({{'database_url': {url!r}, 'login': 'ae'}}, environ={{}}, "
        "paths=paths)\n"
        "context, day = launch(loaded)\n"
        "assert day is not None and not context.is_open\n"
        "print(users.me(context).login)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ae"), result.stderr
