"""Deterministic demo data: staff with one persona per role, customers, catalogue and open work.

``seed_demo`` fills an empty database with a company's worth of realistic rows: segments and
staff, National/Regional Accounts with their locations, customers in six countries with contacts,
a versioned catalogue with price books, contracts, subscriptions, entitlements, usage, invoices,
opportunities, retention cases, quotes waiting for approval, onboarding handoffs, everyone's
tasks for today, and key accounts at every stage of the offer wizard. The same ``accounts``,
``seed`` and ``now`` always give identical rows: every choice comes from one
``random.Random(seed)`` drawn in a fixed order, and every date is relative to ``now``, never to
the wall clock.

It must load 100,000 accounts in well under a minute, so it does not go through the use cases:
rows are built as plain dicts with primary keys assigned here and written in batches with
executemany, in one transaction. PostgreSQL gets Core ``insert()`` statements. On SQLite, where
SQLAlchemy's per-row parameter handling cost more than the database itself, the same statement is
handed to the driver directly, each value converted by the column type's own bind processor (or
an identical, faster formatter for instants and dates); its indexes and triggers are dropped
for the load and made again from all the rows at the end, in the same transaction. The flush
listeners that audit use cases stay silent (no unit of work is set on the session); one audit
event records the whole load. The offer wizard's few stories come after it, through the use
cases (``demo.key_accounts``), so they follow the rules as they stand.
"""

from __future__ import annotations

import gc
import random
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from acctmgr.db.engine import Database
from acctmgr.demo import MAX_ACCOUNTS, MIN_ACCOUNTS, check_accounts
from acctmgr.demo.activity import assign_tasks
from acctmgr.demo.catalogue import publish_catalogue
from acctmgr.demo.chance import Chance
from acctmgr.demo.customers import add_accounts
from acctmgr.demo.dates import add_months
from acctmgr.demo.fulfilment import import_corrected_usage
from acctmgr.demo.key_accounts import add_key_account_offers, start_renderer
from acctmgr.demo.load import DemoLoad
from acctmgr.demo.onboarding import add_onboarding_handoffs
from acctmgr.demo.retention import add_approval_rule, tell_retention_stories
from acctmgr.demo.staff import DEMO_EMAIL_DOMAIN, DEMO_SEGMENTS, PERSONAS, STAFF, hire_staff
from acctmgr.demo.writer import BulkWriter, reset_sequences, sqlite_indexes_deferred
from acctmgr.errors import InvalidInput
from acctmgr.models import Account, Base, Segment, User

__all__ = [
    "ALREADY_HAS_DATA",
    "DEMO_EMAIL_DOMAIN",
    "DEMO_SEGMENTS",
    "MAX_ACCOUNTS",
    "MIN_ACCOUNTS",
    "PERSONAS",
    "STAFF",
    "SeedSummary",
    "add_months",
    "seed_demo",
]

ALREADY_HAS_DATA = (
    "The database already has data; demo data can only be loaded into an empty database."
)
# SQLite's page cache while loading, in KiB (negative: a size rather than a page count).
LOAD_CACHE_KIB = -262144


class SeedSummary(BaseModel):
    """What a demo load wrote: rows per table, in the order the tables were written (the bulk
    load's, then those only the offer wizard's stories wrote to)."""

    model_config = ConfigDict(frozen=True)

    accounts: int
    seed: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        """One line per table ("accounts  100,000"), for the CLI."""
        width = max(len(name) for name in self.counts)
        return [f"{name.ljust(width)}  {count:>10,}" for name, count in self.counts.items()]


def seed_demo(
    database: Database,
    *,
    accounts: int = 2000,
    seed: int = 7,
    now: datetime,
    offer_stories: bool = True,
) -> SeedSummary:
    """Fill an empty database with deterministic demo data; returns the rows per table.

    ``accounts`` counts every account (about 2% are National/Regional parents); ``now`` is the
    instant every date is relative to. ``offer_stories`` False leaves out the offer wizard's
    stories, which go through the use cases after the load (tests of the bulk load alone skip
    their three seconds). Raises InvalidInput when the database already has users,
    segments or accounts, or for fewer than ``MIN_ACCOUNTS`` or more than ``MAX_ACCOUNTS``
    accounts.
    """
    check_accounts(accounts)
    if now.tzinfo is None:
        raise ValueError("seed_demo takes a timezone-aware now.")
    now = now.astimezone(UTC)
    # The load allocates millions of dicts and tuples, none in a reference cycle; the cyclic
    # collector would scan them over and over for nothing (a fifth of the time at 100,000
    # accounts). Reference counting still frees every row once written.
    # Refused before the renderer starts: a process that exits while its workers are still
    # being forked leaves a traceback of theirs on stderr.
    with database.read_session() as session:
        _refuse_unless_empty(session)
    if offer_stories:
        start_renderer()  # its workers start while the bulk load runs
    collecting = gc.isenabled()
    gc.disable()
    try:
        summary = _seed(database, accounts, seed, now)
    finally:
        if collecting:
            gc.enable()
    # Once the bulk load has committed: the offer wizard's stories go through its use cases.
    if offer_stories:
        add_key_account_offers(database, now)
        import_corrected_usage(database, now)
    return summary.model_copy(update={"counts": _counted(database, summary.counts)})


def _counted(database: Database, loaded: dict[str, int]) -> dict[str, int]:
    """The rows each table holds once the stories are told: the load's tables in the order it
    wrote them, then those only the stories wrote to."""
    tables = Base.metadata.tables
    names = [*loaded, *(name for name in sorted(tables) if name not in loaded)]
    with database.read_session() as session:
        counts = {
            name: session.scalar(select(func.count()).select_from(tables[name])) or 0
            for name in names
        }
    return {name: count for name, count in counts.items() if name in loaded or count}


def _refuse_unless_empty(session: Session) -> None:
    for model in (User, Segment, Account):
        if session.scalar(select(func.count()).select_from(model)):
            raise InvalidInput(ALREADY_HAS_DATA)


def _seed(database: Database, accounts: int, seed: int, now: datetime) -> SeedSummary:
    with database.write_session() as session:
        _refuse_unless_empty(session)  # again, in the transaction that writes
        writer = BulkWriter(session)
        if database.is_sqlite:
            cache_size = session.execute(text("PRAGMA cache_size")).scalar_one()
            # A bigger page cache while loading: building the indexes touches every page.
            session.execute(text(f"PRAGMA cache_size = {LOAD_CACHE_KIB}"))
            with sqlite_indexes_deferred(session):
                _load(writer, random.Random(seed), now, accounts)
                counts = writer.finish(now)
            # The connection goes back to the pool, where its cache would stay that big. (A
            # failed load leaves it so: resetting it then could hide why the load failed.)
            session.execute(text(f"PRAGMA cache_size = {cache_size}"))
        else:
            _load(writer, random.Random(seed), now, accounts)
            counts = writer.finish(now)
            reset_sequences(session)
        session.commit()
    return SeedSummary(accounts=accounts, seed=seed, counts=counts)


def _load(writer: BulkWriter, rng: random.Random, now: datetime, accounts: int) -> None:
    """Build and write every row, step by step; the steps draw from ``rng`` in this order."""
    staff = hire_staff(writer, now)
    catalogue = publish_catalogue(writer, staff.user_ids["admin"], now)
    approval_rule_id = add_approval_rule(writer, now)
    writer.flush()
    # Every account's iSeries number, plus two for accounts an onboarding request will add.
    iseries = [f"I{n:07d}" for n in rng.sample(range(1, 10_000_000), accounts + 2)]
    load = DemoLoad(
        writer=writer,
        chance=Chance(rng),
        now=now,
        accounts=accounts,
        staff=staff,
        catalogue=catalogue,
        approval_rule_id=approval_rule_id,
        iseries=iseries,
    )
    add_accounts(load)
    tell_retention_stories(load)
    add_onboarding_handoffs(load)
    assign_tasks(load)
    load.write_number_sequences()
    writer.flush()
