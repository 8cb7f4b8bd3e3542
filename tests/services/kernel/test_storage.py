"""Opening and upgrading databases, and the sentences for every way that can fail."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from acctmgr.config import Paths, load_settings
from acctmgr.db import Database, normalise_url
from acctmgr.db.migrate import current_revision, head_revision, include_in_comparison, upgrade
from acctmgr.errors import StorageError
from acctmgr.models import Base
from acctmgr.startup import launch
from tests.cli_support import assert_one_sentence, run_acctmgr
from tests.conftest import pg_copy, sqlite_copy


def test_models_and_migrations_agree(database: Database) -> None:
    """The migrated schema is exactly what the models declare (on each database)."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_comparison}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    """The embedded database, once upgraded, uses WAL, enforces foreign keys and waits for a
    busy writer."""
    database = Database(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout_seconds=2)
    upgrade(database)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2000


def test_writes_begin_immediate_and_reads_do_not(tmp_path: Path, sqlite_template: Path) -> None:
    """A write session takes SQLite's write lock at BEGIN; a read session does not."""
    database = Database(sqlite_copy(sqlite_template, tmp_path / "x.db"), busy_timeout_seconds=0.1)
    with database.write_session() as session:
        session.execute(text("SELECT 1"))
        # Another writer cannot start while this transaction is open...
        other = sqlite3.connect(tmp_path / "x.db", timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    with database.read_session() as session:
        session.execute(text("SELECT 1"))
        other = sqlite3.connect(tmp_path / "x.db", timeout=0.1, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # ...but a reader leaves the lock free.
        other.execute("ROLLBACK")
        other.close()


def test_upgrade_is_idempotent(tmp_path: Path) -> None:
    """Upgrading twice leaves the database at head and changes nothing the second time."""
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    assert upgrade(database) == (None, head_revision())
    assert upgrade(database) == (head_revision(), head_revision())
    assert current_revision(database) == head_revision()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _acctmgr(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "acctmgr", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def isolated(tmp_path: Path) -> dict[str, str]:
    """Environment pointing acctmgr's data, config and log dirs into the test's folder."""
    return {
        "ACCTMGR_DATA_DIR": str(tmp_path / "data"),
        "ACCTMGR_CONFIG_DIR": str(tmp_path / "config"),
        "ACCTMGR_LOG_DIR": str(tmp_path / "logs"),
    }


def test_db_upgrade_creates_the_default_database(isolated: dict[str, str], tmp_path: Path) -> None:
    """`acctmgr db upgrade` on a new machine creates the SQLite file in the data dir."""
    result = _acctmgr("db", "upgrade", env=isolated)
    assert result.returncode == 0, result.stderr
    assert "Upgraded" in result.stdout
    assert (tmp_path / "data" / "acctmgr.db").exists()
    again = _acctmgr("db", "upgrade", env=isolated)
    assert "up to date" in again.stdout


@pytest.mark.parametrize(
    ("url", "phrase"),
    [
        ("mysql://root@localhost/x", "works with SQLite and PostgreSQL"),
        ("::not a url::", "not a valid URL"),
        ("sqlite://", "in-memory SQLite"),
    ],
)
def test_a_malformed_database_url_is_one_sentence(
    isolated: dict[str, str], url: str, phrase: str
) -> None:
    """A URL acctmgr cannot use gets one sentence and exit status 1."""
    assert_one_sentence(_acctmgr("--database-url", url, "db", "upgrade", env=isolated), phrase)


def test_a_database_under_a_file_is_one_sentence(isolated: dict[str, str], tmp_path: Path) -> None:
    """A path whose folder is a file names that file, and nothing is created."""
    notes = tmp_path / "notes.txt"
    notes.write_text("not a folder\n")
    result = _acctmgr(
        "--database-url", f"sqlite:///{notes}/acctmgr.db", "users", "list", env=isolated
    )
    assert_one_sentence(
        result,
        f"Cannot create the database at {notes}/acctmgr.db: {notes} is a file, not a folder.",
    )
    assert notes.read_text() == "not a folder\n"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="/proc is Linux's")
def test_a_database_in_a_system_folder_is_one_sentence() -> None:
    """A folder that cannot be made (under /proc) is named in a sentence."""
    with pytest.raises(StorageError) as refused:
        Database("sqlite:////proc/acctmgr-test/acctmgr.db")
    assert refused.value.message == (
        "Cannot create the database at /proc/acctmgr-test/acctmgr.db: "
        "/proc does not take new folders."
    )


def test_a_file_uri_makes_no_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``file:`` URI name is SQLite's to open: no folder is made, not even "file:" here."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "sub" / "readonly.db"
    database = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert database.sqlite_path == path
    assert list(tmp_path.iterdir()) == []


def test_postgres_urls_are_postgresql() -> None:
    """postgres://, the form hosting providers hand out, opens PostgreSQL with psycopg."""
    url = normalise_url("postgres://app:secret@db.example.com:6543/crm")
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database) == ("db.example.com", 6543, "crm")


@pytest.mark.postgres
def test_a_postgres_url_opens_and_launches(pg_staffed_template: str, tmp_path: Path) -> None:
    """A postgres:// URL is upgraded by db upgrade and read directly by launch."""
    copies = pg_copy(pg_staffed_template)
    url = next(copies).replace("postgresql://", "postgres://", 1)
    try:
        result = run_acctmgr(tmp_path, url, "db", "upgrade")
        assert result.returncode == 0, result.stderr
        assert "is up to date" in result.stdout
        paths = Paths(tmp_path / "data", tmp_path / "config", tmp_path / "logs")
        loaded = load_settings({"database_url": url, "login": "ae"}, environ={}, paths=paths)
        context, day = launch(loaded)
        assert day is not None
        assert day.user_name == "Erin Executive"
        assert not context.is_open  # read straight from the URL, before SQLAlchemy
    finally:
        next(copies, None)


def test_an_empty_database_url_is_refused(isolated: dict[str, str], tmp_path: Path) -> None:
    """--database-url "" is a sentence, not a quiet fall back to the embedded database."""
    result = _acctmgr("--database-url", "", "users", "list", env=isolated)
    assert_one_sentence(result, "database_url on the command line is not valid: it is empty")
    assert not (tmp_path / "data").exists()


def test_an_unreachable_postgresql_is_one_sentence(isolated: dict[str, str]) -> None:
    """A PostgreSQL server that does not answer is named with its host and port."""
    url = "postgresql://nobody@127.0.0.1:1/acctmgr"
    result = _acctmgr("--database-url", url, "db", "upgrade", env=isolated)
    assert_one_sentence(result, "Cannot reach the PostgreSQL server at 127.0.0.1:1")


def test_a_file_that_is_not_a_database_is_left_alone(
    isolated: dict[str, str], tmp_path: Path
) -> None:
    """A file that is not SQLite gets one sentence, from db upgrade and the app, unchanged."""
    path = tmp_path / "notes.db"
    path.write_text("These are my meeting notes, not a database.\n" * 50)
    before = _sha(path)
    url = f"sqlite:///{path}"
    assert_one_sentence(
        _acctmgr("--database-url", url, "db", "upgrade", env=isolated), "is not an acctmgr database"
    )
    assert_one_sentence(_acctmgr("--database-url", url, env=isolated), "not an acctmgr database")
    assert _sha(path) == before
    assert not Path(f"{path}-wal").exists()


def test_a_database_from_a_newer_acctmgr_is_refused_untouched(
    isolated: dict[str, str], tmp_path: Path, sqlite_template: Path
) -> None:
    """An unknown schema revision means a newer acctmgr wrote it: refuse, change nothing."""
    path = tmp_path / "newer.db"
    database = Database(sqlite_copy(sqlite_template, path))
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    database.dispose()  # the last connection to close checkpoints the WAL into the file
    before = _sha(path)
    url = f"sqlite:///{path}"
    result = _acctmgr("--database-url", url, "db", "upgrade", env=isolated)
    assert_one_sentence(result, "written by a newer version of acctmgr")
    assert_one_sentence(_acctmgr("--database-url", url, env=isolated), "newer version")
    assert _sha(path) == before
    with pytest.raises(StorageError, match="newer version"):
        upgrade(Database(url))


def test_a_read_only_database_is_one_sentence(isolated: dict[str, str], tmp_path: Path) -> None:
    """A database opened read-only cannot be upgraded: one sentence, file unchanged."""
    path = tmp_path / "readonly.db"
    sqlite3.connect(path).close()  # an empty SQLite file that still needs its schema
    before = _sha(path)
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    result = _acctmgr("--database-url", url, "db", "upgrade", env=isolated)
    assert_one_sentence(result, "read-only")
    assert _sha(path) == before


def test_a_locked_database_is_one_sentence(isolated: dict[str, str], tmp_path: Path) -> None:
    """Another program holding the database locked past the busy timeout gets one sentence."""
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE held (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        env = {**isolated, "ACCTMGR_BUSY_TIMEOUT_SECONDS": "0.2"}
        result = _acctmgr("--database-url", f"sqlite:///{path}", "db", "upgrade", env=env)
        assert_one_sentence(result, "is locked by another program")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_config_show_names_the_source_of_each_setting(isolated: dict[str, str]) -> None:
    """`acctmgr config show` prints each setting with where it came from."""
    env = {**isolated, "ACCTMGR_THEME": "nord"}
    result = _acctmgr("--as", "ae", "config", "show", env=env)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert lines["theme"].endswith("[environment]")
    assert "nord" in lines["theme"]
    assert lines["login"].endswith("[command line]")
    assert lines["smtp_host"].endswith("[default]")


def test_the_head_revision_constant_names_the_newest_migration() -> None:
    """HEAD_REVISION (the start-up fast path) must follow every new migration."""
    from acctmgr.db import HEAD_REVISION

    assert head_revision() == HEAD_REVISION


def test_the_search_index_is_in_place(database: Database) -> None:
    """The accounts search has its indexes: covering and trigram (kept in step by triggers) on
    SQLite, trigram on PostgreSQL."""
    with database.engine.connect() as connection:
        names = {index["name"] for index in inspect(connection).get_indexes("accounts")}
    expected = "ix_accounts_search" if database.is_sqlite else "ix_accounts_search_trgm"
    assert expected in names
    if database.is_sqlite:
        with database.engine.connect() as connection:
            triggers = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'accounts'"
            ).scalars()
            assert set(triggers) == {
                "accounts_search_insert",
                "accounts_search_update",
                "accounts_search_delete",
            }
