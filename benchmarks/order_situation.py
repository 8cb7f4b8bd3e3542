"""The order situation and the upsell suggestions of key accounts, over a 100,000-account
database.

Counts the peer figures once as the worker does (``key_accounts.refresh_peer_holdings``), then
reads ``key_accounts.order_situation`` and ``key_accounts.upsell`` for key accounts picked at
random, each as its own Key Account Manager, through the use cases the screen calls (a
transaction, the actor loaded, the read models built), and prints the percentiles.

    python benchmarks/order_situation.py [-v]
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sized
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.support import ACCOUNTS, clock, database_path, percentile

VERBOSE = "-v" in sys.argv
SAMPLE = 300
WARM_UP = 10  # first reads fill SQLite's page cache and SQLAlchemy's statement cache
TARGETS_MS = {"order situation": 100.0, "upsell": 300.0}


def main() -> None:
    from sqlalchemy import select

    from acctmgr.db import Database
    from acctmgr.models import Account, User
    from acctmgr.services.bootstrap import bootstrap
    from acctmgr.services.kernel.context import Context
    from acctmgr.services.key_accounts import peers, situation, upsell

    bootstrap()
    database = Database(f"sqlite:///{database_path()}")
    context = Context(database, clock(), None)
    started = time.perf_counter()
    counted = peers.refresh_peer_holdings(context, force=True)
    refresh_seconds = time.perf_counter() - started
    with database.read_session() as session:
        key_accounts = session.execute(
            select(Account.id, User.login)
            .join(User, User.id == Account.key_account_manager_id)
            .order_by(Account.id)
        ).all()
    picked = random.Random(16).sample(key_accounts, min(SAMPLE + WARM_UP, len(key_accounts)))
    reads: dict[str, Callable[[Context, int], Sized]] = {
        "order situation": lambda kam, account_id: [situation.order_situation(kam, account_id)],
        "upsell": upsell.upsell,
    }
    timings: dict[str, list[float]] = {name: [] for name in reads}
    suggested = 0
    for number, (account_id, login) in enumerate(picked):
        kam = context.as_user(login)
        for name, read in reads.items():
            began = time.perf_counter()
            result = read(kam, account_id)
            took = time.perf_counter() - began
            if number >= WARM_UP:
                timings[name].append(took)
            if name == "upsell":
                suggested += len(result)
            if VERBOSE:
                print(f"{name:16} account {account_id:>6} {took * 1000:6.1f} ms")
    database.dispose()
    print(
        f"accounts: {ACCOUNTS:,}; key accounts: {len(key_accounts):,}, read: "
        f"{len(timings['upsell'])}; suggestions made: {suggested:,}"
    )
    print(f"peer figures counted: {counted:,} rows in {refresh_seconds:.2f} s (the worker)")
    for name, values in timings.items():
        print(
            f"{name}: p50 {percentile(values, 0.5) * 1000:.1f} ms, "
            f"p95 {percentile(values, 0.95) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms "
            f"(target p95 <= {TARGETS_MS[name]:.0f} ms)"
        )


if __name__ == "__main__":
    main()
