"""The database handle: engines and sessions for SQLite (embedded) and PostgreSQL (shared).

Nothing connects at import time. A ``Database`` is made from a URL by whoever starts the
program (CLI, SSH server, demo mode, tests) and handed down.

SQLite runs in WAL mode with foreign keys on and a busy timeout. The file keeps its journal mode,
so the upgrade sets it (``use_write_ahead_log``) once it knows the file is acctmgr's: merely
connecting must not change another program's database. pysqlite's own transaction handling is
switched off so that SQLAlchemy emits the BEGIN itself: writes begin with
``BEGIN IMMEDIATE``, which takes the write lock up front. A deferred transaction that reads and
then writes cannot upgrade its lock once another writer has committed, and fails with "database
is locked" whatever the busy timeout; taking the lock first makes writers queue instead.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.util import asbool

from acctmgr.db.reader import POSTGRESQL_SCHEMES, Reader
from acctmgr.errors import StorageError

SQLITE_BEGIN_OPTION = "acctmgr_sqlite_begin"


def normalise_url(raw: str) -> URL:
    """Parse a database URL, choosing psycopg 3 for PostgreSQL.

    Raises StorageError with a sentence when the URL is malformed or names another database.
    """
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError):
        raise StorageError(
            f"The database URL {raw!r} is not a valid URL; use sqlite:///PATH or "
            "postgresql://USER@HOST/NAME."
        ) from None
    backend = url.get_backend_name()
    if backend in POSTGRESQL_SCHEMES:
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise StorageError(
                "An in-memory SQLite database cannot be shared; give a file path as sqlite:///PATH."
            )
        return url.set(drivername="sqlite+pysqlite")
    raise StorageError(
        f"acctmgr works with SQLite and PostgreSQL; the URL names {backend!r}. "
        "Use sqlite:///PATH or postgresql://USER@HOST/NAME."
    )


class Database:
    """One database: a write session factory, a read session factory and what they share."""

    def __init__(self, url: str | URL, *, busy_timeout_seconds: float = 5.0) -> None:
        self.url = normalise_url(str(url) if isinstance(url, str) else url.render_as_string(False))
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.busy_timeout_seconds = busy_timeout_seconds
        self.engine = self._create_engine()
        if self.is_sqlite:
            write_bind: Engine = self.engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            read_bind: Engine = self.engine.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})
        else:
            write_bind = read_bind = self.engine
        self._writes = sessionmaker(bind=write_bind, expire_on_commit=False, autoflush=True)
        self._reads = sessionmaker(bind=read_bind, expire_on_commit=False, autoflush=False)

    @property
    def display_name(self) -> str:
        """The URL without its password, for messages."""
        return self.url.render_as_string(hide_password=True)

    @property
    def is_sqlite_uri(self) -> bool:
        """Whether the SQLite name is a ``file:`` URI (``?uri=true``) rather than a plain path."""
        return self.is_sqlite and asbool(self.url.query.get("uri", False))

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, for messages: a URI name (``file:PATH?mode=ro``) gives its PATH."""
        if not self.is_sqlite:
            return None
        name = self.url.database or ""
        return Path(unquote(urlsplit(name).path)) if self.is_sqlite_uri else Path(name)

    def _create_engine(self) -> Engine:
        if self.is_sqlite:
            path = self.sqlite_path
            assert path is not None
            if path.is_dir():
                raise StorageError(f"The database path {path} is a folder, not a file.")
            # A URI names its file with options (a read-only one, say) that its user chose: make
            # no folder for it, which would be made under the literal "file:..." name anyway.
            if not self.is_sqlite_uri:
                make_folder_for(path)
            engine = create_engine(
                self.url,
                # Use cases run in worker threads; a pooled connection is used by one thread at
                # a time (each checkout is exclusive, each transaction its own).
                connect_args={"timeout": self.busy_timeout_seconds, "check_same_thread": False},
                # Connections are kept for reuse: opening one and setting its pragmas took
                # ~1.5 ms of every keystroke's search.
                poolclass=QueuePool,
                pool_size=5,
                max_overflow=10,
            )
            _install_sqlite_hooks(engine, self.busy_timeout_seconds)
            return engine
        return create_engine(
            self.url,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=10,
            connect_args={"connect_timeout": 5, "application_name": "acctmgr"},
        )

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session whose transaction may write; on SQLite it begins IMMEDIATE."""
        with translate_storage_errors(self), self._writes() as session:
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading only; never takes SQLite's write lock."""
        with translate_storage_errors(self), self._reads() as session:
            yield session

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """Plain reads (``acctmgr.db.reader``) on a connection from the pool."""
        with translate_storage_errors(self):
            connection = self.engine.raw_connection()
        try:
            yield Reader(connection, sqlite=self.is_sqlite, where=self.display_name)
        finally:
            connection.close()  # back to the pool, rolled back

    def check_connection(self) -> None:
        """Connect once, so that a wrong URL or a broken file is reported before anything else."""
        # SQLite reads nothing from the file for a bare SELECT 1; the schema version is in its
        # header, so reading it tells a file that is not a database.
        probe = "PRAGMA schema_version" if self.is_sqlite else "SELECT 1"
        with translate_storage_errors(self), self.engine.connect() as connection:
            connection.exec_driver_sql(probe)

    def use_write_ahead_log(self) -> None:
        """Switch an SQLite file to WAL, which it keeps; a file already in WAL is only read.

        The upgrade calls it once it knows the file is acctmgr's (see the module docstring).
        Raises StorageError when the file cannot be written.
        """
        if not self.is_sqlite:
            return
        # The journal mode cannot change inside a transaction: this connection begins none.
        outside = self.engine.execution_options(**{SQLITE_BEGIN_OPTION: None})
        with translate_storage_errors(self), outside.connect() as connection:
            if connection.exec_driver_sql("PRAGMA journal_mode").scalar() != "wal":
                connection.exec_driver_sql("PRAGMA journal_mode = WAL")

    def dispose(self) -> None:
        self.engine.dispose()


def _install_sqlite_hooks(engine: Engine, busy_timeout_seconds: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (see the module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_seconds * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        if mode is not None:  # None: each statement on its own (use_write_ahead_log)
            connection.exec_driver_sql(f"BEGIN {mode}")


def make_folder_for(path: Path) -> None:
    """Make the folders an SQLite file is to be created in.

    Raises StorageError naming the path, and what stands in the way, when they cannot be made.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        # The nearest folder, or file, that is already there is what the sentence is about.
        there = next(
            (ancestor for ancestor in path.parents if ancestor.exists()), Path(path.anchor)
        )
        if not there.is_dir():
            reason = f"{there} is a file, not a folder"
        elif error.errno in (errno.EACCES, errno.EPERM):
            reason = f"you may not create folders in {there}"
        elif error.errno == errno.EROFS:
            reason = f"{there} is on a read-only file system"
        elif error.errno == errno.ENOENT:
            # /proc and /sys, say: they hold what the system puts there, and nothing else.
            reason = f"{there} does not take new folders"
        else:
            reason = f"no folder can be created in {there} ({error.strerror or error})"
        raise StorageError(f"Cannot create the database at {path}: {reason}.") from None


@contextmanager
def translate_storage_errors(database: Database) -> Iterator[None]:
    """Turn driver failures that a person can act on into a StorageError sentence."""
    try:
        yield
    except DBAPIError as error:
        message = storage_problem(database, error)
        if message is None:
            raise
        raise StorageError(message) from error


def storage_problem(database: Database, error: DBAPIError) -> str | None:
    """The sentence for a driver error a person can do something about, or None for a bug."""
    lines = str(error.orig if error.orig is not None else error).strip().splitlines()
    text = lines[0] if lines else type(error.orig).__name__
    lowered = text.lower()
    if database.is_sqlite:
        path = database.sqlite_path
        if "file is not a database" in lowered or "malformed" in lowered:
            return (
                f"{path} is not an acctmgr database (it is not an SQLite file, or it is damaged)."
            )
        if "readonly" in lowered or "read-only" in lowered:
            return f"The database {path} is read-only; acctmgr needs to write to it and its folder."
        if "database is locked" in lowered or "database is busy" in lowered:
            return (
                f"The database {path} is locked by another program; close it or try again "
                "in a moment."
            )
        if "unable to open database" in lowered:
            return f"The database file {path} cannot be opened; check the path and permissions."
        if "disk i/o error" in lowered or "database or disk is full" in lowered:
            return f"The database {path} cannot be written: {text}."
        return None
    if error.connection_invalidated or _is_connection_failure(error):
        host = database.url.host or "localhost"
        port = database.url.port or 5432
        return f"Cannot reach the PostgreSQL server at {host}:{port}: {text}."
    return None


def _is_connection_failure(error: DBAPIError) -> bool:
    # psycopg raises OperationalError without a SQLSTATE when it could not connect at all.
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is None:
        return type(orig).__name__ == "OperationalError"
    return str(sqlstate).startswith("08") or sqlstate in {"28000", "28P01", "3D000", "57P03"}
