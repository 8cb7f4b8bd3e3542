"""What the application holds to call use cases: the database, the clock, and who is acting.

This module stays light on purpose (no SQLAlchemy, no pydantic): at launch the app holds a
Context whose database is not opened yet, paints My day from plain reads (``reader``), and the
database layer loads behind it. Whoever first needs the database opens it, always in a worker
thread (use cases never run on the UI thread), and every Context made ``as_user`` shares it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from acctmgr.clock import Clock, SystemClock
from acctmgr.domain.roles import Role

if TYPE_CHECKING:
    from acctmgr.db.engine import Database
    from acctmgr.db.reader import Reader


@dataclass(frozen=True)
class Actor:
    """The user a use case runs for, as loaded at the start of its transaction."""

    id: int
    login: str
    name: str
    email: str
    segment_id: int | None
    roles: frozenset[Role]

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


class _Storage:
    """The database behind a Context: given opened, or opened once by whoever needs it first."""

    def __init__(
        self,
        database: Database | None,
        opener: Callable[[], Database] | None,
        url: str | None,
        busy_timeout_seconds: float,
    ) -> None:
        self.database = database
        self.opener = opener
        self.url = url
        self.busy_timeout_seconds = busy_timeout_seconds
        self.lock = threading.Lock()

    def open(self) -> Database:
        with self.lock:
            if self.database is None:
                assert self.opener is not None
                # A failure (a StorageError sentence) is raised to this caller; the next one tries
                # again, so a database that was unreachable for a moment is not lost for good.
                self.database = self.opener()
            return self.database


class Context:
    """Database, clock and login: what every use case is called with."""

    def __init__(
        self, database: Database, clock: Clock | None = None, login: str | None = None
    ) -> None:
        self._storage = _Storage(database, None, None, database.busy_timeout_seconds)
        self.clock: Clock = clock or SystemClock()
        self.login = login

    @classmethod
    def opening(
        cls,
        url: str,
        opener: Callable[[], Database],
        clock: Clock | None = None,
        login: str | None = None,
        *,
        busy_timeout_seconds: float = 5.0,
    ) -> Context:
        """A Context whose database ``opener`` makes when it is first needed; until then
        ``reader`` reads ``url`` directly."""
        return cls._sharing(_Storage(None, opener, url, busy_timeout_seconds), clock, login)

    @classmethod
    def _sharing(cls, storage: _Storage, clock: Clock | None, login: str | None) -> Context:
        context = cls.__new__(cls)
        context._storage = storage
        context.clock = clock or SystemClock()
        context.login = login
        return context

    @property
    def database(self) -> Database:
        """The opened database. Opening it blocks: the UI thread never asks for it (use cases
        run in workers; launch opens it, when it must, before the terminal is taken)."""
        storage = self._storage
        return storage.database if storage.database is not None else storage.open()

    @property
    def is_open(self) -> bool:
        return self._storage.database is not None

    def as_user(self, login: str | None) -> Context:
        """The same database and clock, acting as another user (tests, SSH sessions)."""
        return Context._sharing(self._storage, self.clock, login)

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """Plain reads: from the opened database's pool, or straight from the URL before that."""
        storage = self._storage
        if storage.database is not None:
            with storage.database.reader() as reader:
                yield reader
            return
        from acctmgr.db.reader import open_reader

        assert storage.url is not None
        with open_reader(storage.url, storage.busy_timeout_seconds) as reader:
            yield reader
