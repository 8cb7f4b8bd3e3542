"""PostgreSQL tests share one database per worker, emptied between tests.

``CREATE DATABASE ... TEMPLATE`` and ``DROP DATABASE`` cost about 0.2 s and 0.4 s once four
workers run (each drop waits for a checkpoint of what the copies wrote): on 2026-12-03 that was
more than half of a PostgreSQL test's time. Emptying the tables, putting the staff back and
rewinding the sequences costs a few milliseconds, and leaves the test the same database a fresh
copy would have given it.

A test that changed the schema (an upgrade from an old revision, another program's tables)
leaves a fingerprint that differs from the template's, and the database is made again from the
template before the next test.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from acctmgr.models import Base

# The staff rows, kept beside the tables they are put back into.
SNAPSHOT = "acctmgr_test_staffed"

# Every table, column (with its type and default), index, constraint and type of the schema, by
# name: a test that changed any of them (not only added or dropped one) leaves another digest.
FINGERPRINT = text(
    """
    SELECT md5(string_agg(item, '|' ORDER BY item)) FROM (
        SELECT 'v:' || version_num FROM public.alembic_version
        UNION ALL
        SELECT 'r:' || c.relname || ':' || c.relkind::text FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
        UNION ALL
        SELECT 'a:' || c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod)
               || ':' || a.attnotnull::text || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT 'c:' || c.conname || ':' || pg_get_constraintdef(c.oid) FROM pg_constraint c
          JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'
        UNION ALL
        SELECT 'i:' || indexname || ':' || indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL
        SELECT 't:' || t.typname FROM pg_type t
          JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public'
    ) AS schema(item)
    """
)
SEQUENCES = text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
# A test's threads or its CLI may still hold a connection; DROP DATABASE ... WITH (FORCE)
# ended them too.
END_OTHER_SESSIONS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


class Workbench:
    """One worker's reusable database: ``fresh`` empties it (or staffs it) for the next test."""

    def __init__(
        self,
        url: str,
        remake: Callable[[], None],
        hire_staff: Callable[[str], None],
    ) -> None:
        self.url = url
        self._remake = remake
        self._hire_staff = hire_staff
        self._engine: Engine = create_engine(
            url.replace("postgresql://", "postgresql+psycopg://", 1), pool_size=1
        )
        tables = Base.metadata.sorted_tables
        # A reference that closes a cycle (a SKU's current version) is let go of first.
        emptying = [
            f'UPDATE "{constraint.table.name}" SET '
            + ", ".join(f'"{column.name}" = NULL' for column in constraint.columns)
            for table in tables
            for constraint in table.foreign_key_constraints
            if constraint.use_alter
        ] + [f'DELETE FROM "{table.name}"' for table in reversed(tables)]
        self._empty = "; ".join([END_OTHER_SESSIONS, *emptying])
        self._restaff = "; ".join(
            f'INSERT INTO "{table.name}" SELECT * FROM {SNAPSHOT}."{table.name}"'
            for table in tables
        )
        self._tables = [table.name for table in tables]
        self._expected = self._fingerprint()
        assert self._expected != "unreadable", "the template's schema could not be read"
        with self._engine.connect() as connection:
            counts = " + ".join(f'(SELECT count(*) FROM "{name}")' for name in self._tables)
            held = connection.exec_driver_sql(f"SELECT {counts}").scalar()
        assert held == 0, "the migrated template holds rows; emptying would not give it back"
        self._rewinds: dict[bool, str] = {}

    def fresh(self, staffed: bool) -> str:
        """The URL of the database, holding nothing but the staff when ``staffed``."""
        if self._fingerprint() != self._expected:
            self._engine.dispose()
            self._remake()
            self._rewinds.clear()
        if False not in self._rewinds:
            self._rewinds[False] = self._rewind_to({})
        if staffed and True not in self._rewinds:
            self._take_staff_snapshot()
        statements = [self._empty, self._restaff] if staffed else [self._empty]
        with self._engine.begin() as connection:
            connection.exec_driver_sql("; ".join([*statements, self._rewinds[staffed]]))
        return self.url

    def _fingerprint(self) -> str:
        try:
            with self._engine.connect() as connection:
                return str(connection.execute(FINGERPRINT).scalar_one())
        except DBAPIError:  # the test dropped a table the fingerprint reads
            return "unreadable"

    def _rewind_to(self, values: dict[str, int | None]) -> str:
        """The statement that sets every sequence where the template (or the staff) left it."""
        with self._engine.connect() as connection:
            names = [name for name, _ in connection.execute(SEQUENCES)]
        calls = [
            f"setval('public.\"{name}\"', {values[name]}, true)"
            if values.get(name) is not None
            else f"setval('public.\"{name}\"', 1, false)"
            for name in names
        ]
        return "SELECT " + ", ".join(calls)

    def _take_staff_snapshot(self) -> None:
        with self._engine.begin() as connection:
            connection.exec_driver_sql("; ".join([self._empty, self._rewinds[False]]))
        self._engine.dispose()  # hire_staff connects on its own
        self._hire_staff(self.url)
        with self._engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SNAPSHOT} CASCADE")
            connection.exec_driver_sql(f"CREATE SCHEMA {SNAPSHOT}")
            for table in self._tables:
                connection.exec_driver_sql(
                    f'CREATE TABLE {SNAPSHOT}."{table}" AS TABLE public."{table}"'
                )
            values: dict[str, int | None] = {
                row.sequencename: row.last_value for row in connection.execute(SEQUENCES)
            }
        self._rewinds[True] = self._rewind_to(values)

    def close(self) -> None:
        self._engine.dispose()
