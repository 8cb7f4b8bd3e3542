"""What an account is entitled to on a date, and the worker's daily pass, over a 100,000-account
database.

Reads ``fulfilment.entitled_on`` for accounts picked at random, each on a date picked at random
in the year around today, as Customer Success (who reads every segment), through the use case
the screen calls, and prints the percentiles (target p95 <= 20 ms). Then times
``fulfilment.run_due`` on a copy of the database: today (the demo's history, first seen by the
pass: what has already lapsed expires, what is due soon is warned of), again (a re-run: nothing
changes), and four months on (a heavy day: thousands of subscriptions end at their term, and
10,000 made pending as future-dated orders leave them start).
With ACCTMGR_BENCH_PG set to a PostgreSQL URL (an empty database to fill), the same three
passes run there too, on a copy made by ``acctmgr.demo.seed`` (target <= 30 s each).

    python benchmarks/entitlements.py [-v]
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.support import ACCOUNTS, CACHE, NOW, clock, database_path, percentile

if TYPE_CHECKING:
    from acctmgr.db import Database
    from acctmgr.services.kernel.context import Context

VERBOSE = "-v" in sys.argv
SAMPLE = 300
WARM_UP = 10  # first reads fill SQLite's page cache and SQLAlchemy's statement cache
TARGET_READ_MS = 20.0
TARGET_PASS_S = 30.0
HEAVY_DAY = timedelta(days=120)
PENDING_STARTS = 10_000


def main() -> None:
    from sqlalchemy import select

    from acctmgr.db import Database
    from acctmgr.models import Account
    from acctmgr.services.bootstrap import bootstrap
    from acctmgr.services.kernel.context import Context

    bootstrap()
    path = database_path()
    database = Database(f"sqlite:///{path}")
    with database.read_session() as session:
        account_ids = list(session.scalars(select(Account.id).order_by(Account.id)))
    timings, rows = _read_entitlements(Context(database, clock(), "success"), account_ids)
    database.dispose()
    print(f"accounts: {ACCOUNTS:,}; entitled_on read for {len(timings)}, {rows:,} rows shown")
    print(
        f"entitled_on: p50 {percentile(timings, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(timings, 0.95) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms "
        f"(target p95 <= {TARGET_READ_MS:.0f} ms)"
    )
    copy = CACHE / f"bench-{ACCOUNTS}-run-due.db"
    shutil.copy(path, copy)
    try:
        _time_passes("SQLite", f"sqlite:///{copy}")
    finally:
        copy.unlink(missing_ok=True)
    pg_url = os.environ.get("ACCTMGR_BENCH_PG")
    if pg_url:
        _time_passes("PostgreSQL", _seeded_pg(pg_url))


def _read_entitlements(context: Context, account_ids: list[int]) -> tuple[list[float], int]:
    from acctmgr.services.fulfilment import entitled

    chance = random.Random(17)
    picked = chance.sample(account_ids, min(SAMPLE + WARM_UP, len(account_ids)))
    today = NOW.date()
    timings: list[float] = []
    rows = 0
    for number, account_id in enumerate(picked):
        on = today + timedelta(days=chance.randint(-180, 180))
        began = time.perf_counter()
        seen = entitled.entitled_on(context, account_id, on)
        took = time.perf_counter() - began
        if number >= WARM_UP:
            timings.append(took)
            rows += len(seen.subscriptions) + len(seen.services)
        if VERBOSE:
            print(f"account {account_id:>6} on {on} {took * 1000:6.1f} ms")
    return timings, rows


def _time_passes(backend: str, url: str) -> None:
    from acctmgr.clock import AdjustableClock
    from acctmgr.db import Database
    from acctmgr.services.fulfilment import running
    from acctmgr.services.kernel.context import Context

    database = Database(url)
    passes = (("today", NOW), ("re-run", NOW), ("120 days on", NOW + HEAVY_DAY))
    for name, instant in passes:
        if instant != NOW:
            _pend(database)
        context = Context(database, AdjustableClock(instant), None)
        began = time.perf_counter()
        report = running.run_due(context)
        took = time.perf_counter() - began
        print(
            f"run_due on {backend}, {name} ({instant:%Y-%m-%d}): {took:.2f} s "
            f"(target <= {TARGET_PASS_S:.0f} s); {report.model_dump()}"
        )
    database.dispose()


def _pend(database: Database) -> None:
    """Make PENDING_STARTS running subscriptions wait for a start 60 days on, as activated
    future-dated orders would (the demo's history has none): the heavy day starts them."""
    from sqlalchemy import text

    with database.engine.begin() as connection:
        connection.execute(
            text(
                """
                UPDATE subscriptions SET status = 'pending', starts_on = :starts
                WHERE id IN (
                    SELECT id FROM subscriptions
                    WHERE status = 'active' AND kind = 'paid' AND ends_on > :heavy
                    ORDER BY id LIMIT :many)
                """
            ),
            {
                "starts": NOW.date() + timedelta(days=60),
                "heavy": (NOW + HEAVY_DAY).date(),
                "many": PENDING_STARTS,
            },
        )


def _seeded_pg(url: str) -> str:
    """The PostgreSQL database at ``url``, emptied, migrated and seeded like the SQLite one."""
    from sqlalchemy import text

    from acctmgr.db import Database
    from acctmgr.db.migrate import upgrade
    from acctmgr.demo.seed import seed_demo

    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(database)
    began = time.perf_counter()
    seed_demo(database, accounts=ACCOUNTS, seed=7, now=NOW)
    print(f"seeded PostgreSQL with {ACCOUNTS:,} accounts in {time.perf_counter() - began:.1f} s")
    database.dispose()
    return url


if __name__ == "__main__":
    main()
