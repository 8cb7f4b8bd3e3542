"""How a use case runs: one transaction, one actor, one clock reading, retried when safe.

``@use_case("accounts.update")`` turns ``fn(uow, ...)`` into ``fn(context, ...)``. The wrapper
opens the session (``BEGIN IMMEDIATE`` on SQLite for writes), loads the acting user fresh (so a
role taken away is taken away at once), runs the function, commits, and translates what can go
wrong into sentences: a stale save becomes ``Conflict``; a PostgreSQL serialization failure or
deadlock is retried from the start, which is safe because nothing was committed.

No use case runs before ``services.bootstrap`` has wired the services (the audit listeners
among them): ``run_use_case`` refuses, so a program that forgot it fails at once instead of
saving changes without their audit.
"""

from __future__ import annotations

import functools
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from acctmgr.clock import Clock
from acctmgr.errors import Conflict, NotFound, UnknownUser, unknown_login
from acctmgr.models import User
from acctmgr.models.base import Base
from acctmgr.services.kernel.context import Actor, Context

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=Base)

MAX_ATTEMPTS = 5
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
NOT_WIRED = (
    "acctmgr.services.bootstrap.bootstrap() has not run: call it before the first use case "
    "(startup.connect does), so that changes are audited and the areas are wired."
)
STALE_MESSAGE = (
    "Someone else saved this {what} since you opened it; your changes were not saved. "
    "Reload it to see theirs, then make your change again."
)


@dataclass
class UnitOfWork:
    """One transaction: the session, the instant it started, who acts, and what for."""

    session: Session
    clock: Clock
    now: datetime
    action: str
    actor: Actor | None = None

    @property
    def user(self) -> Actor:
        """The acting user; use cases that need one are declared so and always have it."""
        if self.actor is None:
            raise UnknownUser("This action needs a signed-in user.")
        return self.actor

    def get(self, model: type[M], record_id: int, what: str) -> M:
        """The record with this id, or NotFound naming it as ``what``."""
        record = self.session.get(model, record_id)
        if record is None:
            raise NotFound(f"There is no {what} with number {record_id}.")
        return record

    def expect_version(self, record: Any, expected: int, what: str) -> None:
        """Refuse a save made from a copy older than the stored record."""
        if record.version != expected:
            raise Conflict(STALE_MESSAGE.format(what=what))

    def add(self, record: M) -> M:
        """Add a new record and flush it, so it has its id (and its audit event) at once."""
        self.session.add(record)
        self.session.flush()
        return record

    def add_numbered(self, record: M, prefix: str, digits: int) -> M:
        """Add a record whose ``number`` comes from its id (``RC-000042``).

        The id is known only after the insert, so the row goes in with a unique placeholder
        that is replaced in the same transaction; nobody ever sees it.
        """
        record.number = f"{prefix}-new-{uuid.uuid4().hex[:12]}"  # type: ignore[attr-defined]
        self.add(record)
        record.number = f"{prefix}-{record.id:0{digits}d}"  # type: ignore[attr-defined]
        self.session.flush()
        return record


@dataclass(frozen=True)
class UseCaseInfo:
    """What ``@use_case`` declared about a function: its name, and whether it writes."""

    action: str
    write: bool
    needs_actor: bool


_wired = threading.Event()


def wiring_done() -> None:
    """Let use cases run from now on; ``services.bootstrap`` calls this once it has wired them."""
    _wired.set()


def run_use_case(
    context: Context,
    action: str,
    write: bool,
    needs_actor: bool,
    fn: Callable[..., R],
    *args: Any,
    on_conflict: str | None = None,
    **kwargs: Any,
) -> R:
    """Run ``fn(uow, ...)`` in one transaction on the context's database (see the module doc).

    A save the database refuses as stale becomes a Conflict saying ``on_conflict``, or else
    which kind of record someone else saved. Raises RuntimeError before
    ``services.bootstrap`` has run: nothing would audit the change.
    """
    # Opening the database (launch may have left that to the first use case) is what wires
    # the services, so the check comes after it.
    database = context.database
    if not _wired.is_set():
        raise RuntimeError(NOT_WIRED)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        sessions = database.write_session if write else database.read_session
        try:
            with sessions() as session:
                uow = UnitOfWork(session, context.clock, context.clock.now(), action)
                session.info["uow"] = uow
                if needs_actor or context.login is not None:
                    uow.actor = load_actor(session, context.login, required=needs_actor)
                result = fn(uow, *args, **kwargs)
                if write:
                    session.commit()
                return result
        except StaleDataError as error:
            raise Conflict(on_conflict or STALE_MESSAGE.format(what=_stale_kind(error))) from None
        except DBAPIError as error:
            if attempt < MAX_ATTEMPTS and _is_retryable(error):
                time.sleep(random.uniform(0.01, 0.05) * attempt)
                continue
            raise
    raise AssertionError("unreachable: the last attempt either returns or raises")


def use_case(
    action: str, *, write: bool = True, needs_actor: bool = True, on_conflict: str | None = None
) -> Callable[[Callable[Concatenate[UnitOfWork, P], R]], Callable[Concatenate[Context, P], R]]:
    """Declare a use case: its audit name, whether it writes, whether it needs a user, and
    what a person is told when someone else's save got in first (``on_conflict``; by default,
    that someone else saved the kind of record the database refused)."""

    def decorate(
        fn: Callable[Concatenate[UnitOfWork, P], R],
    ) -> Callable[Concatenate[Context, P], R]:
        @functools.wraps(fn)
        def run(context: Context, /, *args: P.args, **kwargs: P.kwargs) -> R:
            return run_use_case(
                context, action, write, needs_actor, fn, *args, on_conflict=on_conflict, **kwargs
            )

        # Read back by tests that walk every use case (the segment visibility test).
        run.__use_case__ = UseCaseInfo(action, write, needs_actor)  # type: ignore[attr-defined]
        return run

    return decorate


def load_actor(session: Session, login: str | None, *, required: bool = True) -> Actor | None:
    """The user ``login`` names, as they are now (roles, segment), or None when not ``required``.

    Raises UnknownUser when a user is required and there is no login, or no active user by it.
    """
    if login is None:
        if required:
            raise UnknownUser("No user is signed in; start acctmgr with --as LOGIN.")
        return None
    user = session.scalars(select(User).where(User.login == login)).one_or_none()
    if user is None or not user.active:
        if not required:
            return None
        raise unknown_login(login, inactive=user is not None)
    return actor_of(user)


def actor_of(user: User) -> Actor:
    """The user as an Actor: what the permission checks read (roles, segment)."""
    return Actor(
        id=user.id,
        login=user.login,
        name=user.name,
        email=user.email,
        segment_id=user.segment_id,
        roles=frozenset(role.role for role in user.roles),
    )


def _stale_kind(error: StaleDataError) -> str:
    """The kind of record a stale UPDATE or DELETE was refused on, in words ("quote").

    SQLAlchemy names only the table ("UPDATE statement on table 'quotes' expected to update 1
    row(s); 0 were matched"), so the table leads back to its model's record type.
    """
    named = re.search(r"on table '([^']+)'", str(error))
    for mapper in Base.registry.mappers:
        model = mapper.class_
        if named and getattr(model, "__tablename__", None) == named.group(1):
            return str(model.RECORD.label)
    return "record"


def _is_retryable(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES
