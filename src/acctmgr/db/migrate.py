"""Bringing a database to the schema this version of acctmgr expects.

Runs on every start and from ``acctmgr db upgrade``. Before touching anything it reads the
revision the database is at, and which tables it holds. Only an empty database, or one at a
revision of acctmgr's, is upgraded; nothing is changed in any other: one whose revision this
version does not know (a newer acctmgr wrote it), or one holding another program's tables. On
PostgreSQL an advisory lock makes concurrent starts (several SSH sessions, workers) upgrade one
at a time.

Almost every start finds the database already at ``HEAD_REVISION``; that is answered with one
SELECT, without loading Alembic, which keeps start-up quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from acctmgr.db import HEAD_REVISION
from acctmgr.db.engine import Database, translate_storage_errors
from acctmgr.errors import StorageError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# Indexes a migration creates on one backend only (see 0002 and 0007); they are not in the models.
BACKEND_ONLY_INDEXES = frozenset(
    {"ix_accounts_search", "ix_accounts_search_trgm", "ix_accounts_sort_name"}
)
# SQLite's FTS5 table for the accounts search (see 0004) and the shadow tables FTS5 keeps.
# Triggers keep it in step with accounts; a batch migration that rebuilds the accounts table on
# SQLite drops them, so such a migration must create them again (a test checks they exist).
BACKEND_ONLY_TABLES = frozenset(
    {"accounts_search", *(f"accounts_search_{shadow}" for shadow in ("data", "idx", "config"))}
)
# Tables of acctmgr's since its first schema: a revision this version does not know, beside any
# of them, is a newer acctmgr's; without them, another program's (one using Alembic too).
ACCTMGR_TABLES = frozenset({"approval_groups", "placeholder_requests", "retention_cases"})
# Schemas of PostgreSQL's own, whose tables belong to no program.
SYSTEM_SCHEMAS = ("information_schema", "pg_")
# How many of another program's tables a refusal names.
NAMED_TABLES = 3
# An arbitrary constant: the key of the advisory lock that serialises upgrades.
UPGRADE_LOCK_KEY = 0x61636374  # "acct"


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest revision among the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(database: Database) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with translate_storage_errors(database), database.engine.connect() as connection:
        return _current(connection)


def include_in_comparison(
    _item: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    """Alembic's filter: leave the backend-only indexes and tables out of schema comparisons."""
    if type_ == "index":
        return name not in BACKEND_ONLY_INDEXES
    return not (type_ == "table" and name in BACKEND_ONLY_TABLES)


def _current(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(database: Database) -> tuple[str | None, str]:
    """Apply every migration the database lacks; returns (from revision, to revision).

    Raises StorageError, changing nothing, when a newer acctmgr wrote the database or another
    program's tables are in it; and when it cannot be written.
    """
    with translate_storage_errors(database):
        # Read before writing: a read-only or foreign database is reported untouched.
        before = current_revision(database)
        if before == HEAD_REVISION:
            database.use_write_ahead_log()
            return before, before
        from alembic import command
        from alembic.script import ScriptDirectory

        config = alembic_config()
        known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
        with database.engine.connect() as connection:
            _refuse_unless_acctmgr(connection, known, database)
        database.use_write_ahead_log()
        with database.engine.connect() as connection:
            if not database.is_sqlite:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": UPGRADE_LOCK_KEY})
                connection.commit()
            try:
                # Another process may have upgraded while we waited for the lock.
                _refuse_unless_acctmgr(connection, known, database)
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
    return before, HEAD_REVISION


def _refuse_unless_acctmgr(connection: Connection, known: set[str], database: Database) -> None:
    """Pass an empty database and one at a known revision; refuse any other in a sentence."""
    revision = _current(connection)
    if revision in known:
        return
    tables = [name for name in table_names(connection) if name != "alembic_version"]
    if revision is None and not tables:
        return  # a new database: acctmgr creates its schema
    where = database.sqlite_path or database.display_name
    if revision is not None and ACCTMGR_TABLES.intersection(tables):
        raise StorageError(
            f"The database {where} was written by a newer version of acctmgr "
            f"(schema {revision}); upgrade acctmgr to open it."
        )
    named = ", ".join(tables[:NAMED_TABLES]) + (", ..." if len(tables) > NAMED_TABLES else "")
    raise StorageError(
        f"The database {where} holds another program's tables ({named}) and no acctmgr "
        "schema, so acctmgr leaves it untouched; point --database-url at an empty database or "
        "an acctmgr one."
    )


def table_names(connection: Connection) -> list[str]:
    """Every table in the database, sorted; on PostgreSQL those outside the default schema
    too, named ``schema.table``."""
    inspector = inspect(connection)
    if connection.dialect.name == "sqlite":
        return sorted(inspector.get_table_names())  # SQLite's own sqlite_* tables are left out
    names: list[str] = []
    for schema in inspector.get_schema_names():
        if schema.startswith(SYSTEM_SCHEMAS):
            continue
        prefix = "" if schema == inspector.default_schema_name else f"{schema}."
        names += (prefix + name for name in inspector.get_table_names(schema=schema))
    return sorted(names)
