"""The demo load's fast bulk writer: rows as plain dicts, written in batches in foreign-key order.

Primary keys are assigned here, so rows can be written with executemany in one transaction.
PostgreSQL gets Core ``insert()`` statements. On SQLite, where SQLAlchemy's per-row parameter
handling cost more than the database itself, the same statement is handed to the driver directly,
each value converted by the column type's own bind processor (or an identical, faster formatter
for instants and dates).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import partial
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Date, Enum, Table, bindparam, insert, text, update
from sqlalchemy.orm import Session

from acctmgr.domain.records import RecordType
from acctmgr.models.base import Base, UTCDateTime

Row = dict[str, Any]
ColumnConverter = Callable[[Sequence[Any]], Sequence[Any]]

# Rows per executemany; also how many customers are built before their rows are written, so a
# large load never holds more than one chunk of rows in memory.
BATCH = 5000

# Written in this order, which every foreign key agrees with (the three circular ones are
# filled in afterwards by UPDATE or left empty).
WRITE_ORDER = (
    "segments",
    "company_identity",
    "users",
    "user_roles",
    "skus",
    "sku_versions",
    "sku_prices",
    "usage_tiers",
    "packages",
    "package_items",
    "approval_rules",
    "accounts",
    "contacts",
    "contracts",
    "subscriptions",
    "entitlements",
    "usage_records",
    "invoices",
    "invoice_lines",
    "number_sequences",
    "retention_cases",
    "opportunities",
    "placeholder_requests",
    "quotes",
    "quote_lines",
    "approval_requests",
    "approvals",
    "onboarding_requests",
    "onboarding_accounts",
    "billing_discrepancies",
    "handover_items",
    "import_runs",
    "activities",
    "audit_events",
)


class _SqliteInstants:
    """Instants as UTCDateTime and SQLAlchemy's SQLite DATETIME store them, memoised.

    The text is naive UTC with six decimals ("2026-11-23 09:30:00.000000"). Most of the load's
    instants repeat (an account and its contacts share one, every invoice is sent at 09:15), and
    looking one up costs a twentieth of formatting it.
    """

    def __init__(self) -> None:
        self.known: dict[datetime, str] = {}

    def __call__(self, values: Sequence[datetime | None]) -> list[str | None]:
        known = self.known
        return [
            None if value is None else (known.get(value) or self.format(value)) for value in values
        ]

    def format(self, value: datetime) -> str:
        text = value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
        self.known[value] = text
        return text


def _sqlite_dates(values: Sequence[date | None]) -> list[str | None]:
    # SQLAlchemy's SQLite DATE storage format is ISO 8601.
    return [None if value is None else value.isoformat() for value in values]


def _each(process: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    return [process(value) for value in values]


class BulkWriter:
    """Buffers rows per table, hands out their ids, and writes them in foreign-key order."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[str, list[Row]] = defaultdict(list)
        self.last_id: dict[str, int] = defaultdict(int)
        self.counts: dict[str, int] = {}
        self.invoice_contacts: list[dict[str, int]] = []
        self.tables = Base.metadata.tables
        self.is_sqlite = session.get_bind().dialect.name == "sqlite"
        self.statements: dict[
            tuple[str, tuple[str, ...]], tuple[str, list[tuple[int, ColumnConverter]]]
        ] = {}
        self.instants = _SqliteInstants()

    def new_id(self, table: str) -> int:
        """The next primary key of the table."""
        self.last_id[table] += 1
        return self.last_id[table]

    def add(self, table: str, row: Row) -> None:
        """Buffer a row until the next flush."""
        self.rows[table].append(row)

    def set_invoice_contact(self, account: int, contact: int) -> None:
        """Make the contact the account's invoice contact once both rows are written."""
        self.invoice_contacts.append({"account": account, "contact": contact})

    def flush(self) -> None:
        """Write every buffered row, table by table in foreign-key order."""
        for table in WRITE_ORDER:
            rows = self.rows.pop(table, None)
            if rows:
                self.write(table, rows)
                self.counts[table] = self.counts.get(table, 0) + len(rows)
            if table == "contacts" and self.invoice_contacts:
                self._set_invoice_contacts()
        assert not self.rows, f"rows for tables outside WRITE_ORDER: {sorted(self.rows)}"

    def write(self, table: str, rows: list[Row]) -> None:
        """Insert the rows, which all have the same keys, in batches."""
        if not self.is_sqlite:
            statement = insert(self.tables[table])
            for start in range(0, len(rows), BATCH):
                self.session.execute(statement, rows[start : start + BATCH])
            return
        keys = tuple(rows[0])
        sql, converters = self.sqlite_insert(table, keys)
        values_of = itemgetter(*keys)
        connection = self.session.connection()
        for start in range(0, len(rows), BATCH):
            # Rows become tuples, and only the columns that need it are converted, a whole
            # column at a time: itemgetter and zip work at C speed, a loop over values would not.
            params = [values_of(row) for row in rows[start : start + BATCH]]
            if converters:
                columns: list[Sequence[Any]] = list(zip(*params, strict=True))
                for index, convert in converters:
                    columns[index] = convert(columns[index])
                params = list(zip(*columns, strict=True))
            connection.exec_driver_sql(sql, params)

    def sqlite_insert(
        self, name: str, keys: tuple[str, ...]
    ) -> tuple[str, list[tuple[int, ColumnConverter]]]:
        """The INSERT for these columns, and the converters of the columns that need one."""
        cached = self.statements.get((name, keys))
        if cached is not None:
            return cached
        table = self.tables[name]
        dialect = self.session.get_bind().dialect
        quote = dialect.identifier_preparer.quote
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(key) for key in keys)}) "
            f"VALUES ({', '.join('?' for _ in keys)})"
        )
        converters: list[tuple[int, ColumnConverter]] = []
        for index, key in enumerate(keys):
            column_type = table.c[key].type
            if isinstance(column_type, UTCDateTime):
                converters.append((index, self.instants))
            elif isinstance(column_type, Date):
                converters.append((index, _sqlite_dates))
            elif not isinstance(column_type, Enum | Boolean):
                # Enums and booleans are bound as they are: every model enum is a StrEnum, whose
                # members are their values, and a bool is the integer SQLite stores.
                process = column_type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    converters.append((index, partial(_each, process)))
        self.statements[(name, keys)] = sql, converters
        return sql, converters

    def _set_invoice_contacts(self) -> None:
        # An account's invoice contact is a contact of that account, which can only be
        # inserted after the account: the reference is filled in once both rows exist.
        accounts: Table = self.tables["accounts"]
        statement = (
            update(accounts)
            .where(accounts.c.id == bindparam("account"))
            .values(invoice_contact_id=bindparam("contact"))
        )
        for start in range(0, len(self.invoice_contacts), BATCH):
            self.session.execute(statement, self.invoice_contacts[start : start + BATCH])
        self.invoice_contacts.clear()

    def finish(self, now: datetime) -> dict[str, int]:
        """Write the audit event of the whole load; returns the rows written per table."""
        counts = {table: self.counts[table] for table in WRITE_ORDER if table in self.counts}
        counts["audit_events"] = 1
        self.add(
            "audit_events",
            {
                "id": self.new_id("audit_events"),
                "at": now,
                "actor_id": None,
                "action": "demo.seed",
                "change": "insert",
                "entity_type": RecordType.DATABASE,
                "entity_id": None,
                "before": None,
                "after": dict(counts),
            },
        )
        self.flush()
        return counts


@contextmanager
def sqlite_indexes_deferred(session: Session) -> Iterator[None]:
    """On SQLite, drop the indexes and triggers for the load and make them again after it.

    An index built once from every row costs much less than one kept in order row by row, and
    the trigram index's triggers tokenized each account as it went in: together about a quarter
    of a 100,000-account load. It all happens in the load's transaction, so a failed load rolls
    back to the schema it started from. The full-text tables are rebuilt from their content.
    """
    connection = session.connection()
    deferred = connection.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master "
        "WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
    ).all()
    for kind, name, _sql in deferred:
        connection.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
    yield
    for _kind, _name, sql in deferred:
        connection.exec_driver_sql(sql)
    full_text = connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
    ).all()
    for (name,) in full_text:
        connection.exec_driver_sql(f'INSERT INTO "{name}" ("{name}") VALUES (\'rebuild\')')


def reset_sequences(session: Session) -> None:
    """Move each PostgreSQL id sequence past the ids assigned here, so later inserts fit."""
    for table in Base.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.primary_key:
            continue
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
            ),
            {"table": table.name},
        )
