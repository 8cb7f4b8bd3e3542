"""Plain reads through the database driver, for what must answer before SQLAlchemy has loaded.

Launch paints My day from these (``services/my_day.py``). The drivers, stdlib sqlite3 and
psycopg, load in a few milliseconds where SQLAlchemy and the models take as long as Textual
itself (benchmarks/launch.py). A query is written once, with ``:name`` parameters, for both
databases; values go in and come out the way the ORM keeps them (``UTCDateTime`` stores UTC wall
time as text on SQLite, dates are ISO text there).
"""

from __future__ import annotations

import enum
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from acctmgr.errors import StorageError

# How SQLAlchemy writes a DateTime on SQLite; comparisons there are between strings.
SQLITE_INSTANT = "%Y-%m-%d %H:%M:%S.%f"
# The schemes that name PostgreSQL: hosting providers hand out postgres://, SQLAlchemy's own is
# postgresql://.
POSTGRESQL_SCHEMES = ("postgresql", "postgres")
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class Reader:
    """One connection, used by one thread for a few SELECTs."""

    def __init__(self, connection: Any, *, sqlite: bool, where: str) -> None:
        self._connection = connection
        self.sqlite = sqlite
        self._where = where
        self._errors = (sqlite3.Error,) if sqlite else _psycopg_errors()

    def rows(self, sql: str, **params: object) -> list[tuple[Any, ...]]:
        """The rows of one SELECT; a driver failure is a StorageError sentence."""
        if not self.sqlite:
            sql = _NAMED.sub(r"%(\1)s", sql)  # psycopg's spelling of a named parameter
        values = {name: self._bind(value) for name, value in params.items()}
        try:
            cursor = self._connection.cursor()
            try:
                cursor.execute(sql, values)
                return list(cursor.fetchall())
            finally:
                cursor.close()
        except self._errors as error:
            raise StorageError(
                f"The database {self._where} cannot be read: {_first_line(error)}."
            ) from error

    def _bind(self, value: object) -> object:
        if isinstance(value, enum.Enum):
            return value.value
        if not self.sqlite:
            return value
        if isinstance(value, datetime):
            return value.astimezone(UTC).replace(tzinfo=None).strftime(SQLITE_INSTANT)
        if isinstance(value, date):
            return value.isoformat()
        return value


def as_instant(value: object) -> datetime:
    """A stored instant as an aware UTC datetime (text on SQLite, a datetime on PostgreSQL)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime), value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_date(value: object) -> date:
    """A stored date (text on SQLite, a date on PostgreSQL)."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    assert isinstance(value, date), value
    return value.date() if isinstance(value, datetime) else value


@contextmanager
def open_reader(url: str, busy_timeout_seconds: float = 5.0) -> Iterator[Reader]:
    """A short-lived connection straight from a database URL, for reads only.

    Only the plain forms are understood (``sqlite:///PATH``, ``postgresql://…`` or
    ``postgres://…``); anything else, and an SQLite file that does not exist yet, is a
    StorageError: the caller then opens the database the full way, which creates, upgrades or
    explains.
    """
    connection: Any
    scheme, _, rest = url.strip().partition("://")
    backend = scheme.split("+", 1)[0]
    if backend == "sqlite" and rest.startswith("/") and "?" not in rest:
        path = Path(rest[1:])
        if not path.is_file():
            raise StorageError(f"There is no database at {path} yet.")
        # Read-only: these reads must never create or change anything.
        try:
            connection = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout_seconds
            )
        except sqlite3.Error as error:
            raise StorageError(f"The database {path} cannot be opened: {error}.") from None
        where = str(path)
    elif backend in POSTGRESQL_SCHEMES:
        import psycopg

        try:
            connection = psycopg.connect(
                f"postgresql://{rest}",
                autocommit=True,
                connect_timeout=5,
                application_name="acctmgr",
            )
        except psycopg.Error as error:
            raise StorageError(f"Cannot reach PostgreSQL: {_first_line(error)}.") from None
        where = "on PostgreSQL"
    else:
        raise StorageError("Only sqlite:///PATH and postgresql:// URLs are read directly.")
    try:
        yield Reader(connection, sqlite=backend == "sqlite", where=where)
    finally:
        connection.close()


def _psycopg_errors() -> tuple[type[Exception], ...]:
    import psycopg

    return (psycopg.Error,)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
