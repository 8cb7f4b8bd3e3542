"""Bringing a database to the schema this version of acctmgr expects.

Runs on every start and from ``acctmgr db upgrade``. Before touching anything it reads the
revision the database is at: a revision this version does not know means a newer acctmgr wrote
the database, and nothing is changed. On PostgreSQL an advisory lock makes concurrent starts
(several SSH sessions, workers) upgrade one at a time.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from acctmgr.db.engine import Database, translate_storage_errors
from acctmgr.errors import StorageError

MIGRATIONS = Path(__file__).with_name("migrations")
# An arbitrary constant: the key of the advisory lock that serialises upgrades.
UPGRADE_LOCK_KEY = 0x61636374  # "acct"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(database: Database) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with translate_storage_errors(database), database.engine.connect() as connection:
        return _current(connection)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def needs_upgrade(database: Database) -> bool:
    return current_revision(database) != head_revision()


def upgrade(database: Database) -> tuple[str | None, str]:
    """Apply every migration the database lacks; returns (from revision, to revision).

    Raises StorageError when a newer acctmgr wrote the database, or when it cannot be written.
    """
    config = alembic_config()
    scripts = ScriptDirectory.from_config(config)
    head = head_revision()
    with translate_storage_errors(database):
        # Check before writing: a read-only or foreign file is reported untouched.
        before = current_revision(database)
        _refuse_unknown(scripts, before, database)
        if before == head:
            return before, head
        with database.engine.connect() as connection:
            if not database.is_sqlite:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": UPGRADE_LOCK_KEY})
                connection.commit()
            try:
                # Another process may have upgraded while we waited for the lock.
                _refuse_unknown(scripts, _current(connection), database)
                connection.rollback()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                connection.commit()
            finally:
                if not database.is_sqlite:
                    connection.rollback()
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": UPGRADE_LOCK_KEY}
                    )
                    connection.commit()
    return before, head


def _refuse_unknown(scripts: ScriptDirectory, revision: str | None, database: Database) -> None:
    if revision is None:
        return
    known = {script.revision for script in scripts.walk_revisions()}
    if revision not in known:
        raise StorageError(
            f"The database {database.display_name} was written by a newer version of acctmgr "
            f"(schema {revision}); upgrade acctmgr to open it."
        )
