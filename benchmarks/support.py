"""What the benchmarks share: a 100,000-account demo database, made once and reused."""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from acctmgr.clock import AdjustableClock
from acctmgr.config import Paths, load_settings

ACCOUNTS = int(os.environ.get("ACCTMGR_BENCH_ACCOUNTS", "100000"))
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
CACHE = Path(os.environ.get("ACCTMGR_BENCH_DIR", Path(__file__).parent / ".data"))
LOGIN = "leader"


def database_path(accounts: int = ACCOUNTS) -> Path:
    """The benchmark database, seeded on first use (under a minute for 100,000 accounts)."""
    # Imported here: the launch benchmark imports this module in the process it times.
    from acctmgr.db import Database
    from acctmgr.db.migrate import upgrade
    from acctmgr.demo.seed import seed_demo

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"bench-{accounts}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        database = Database(f"sqlite:///{partial}")
        upgrade(database)
        seed_demo(database, accounts=accounts, seed=7, now=NOW)
        database.dispose()
        partial.rename(path)
        print(
            f"seeded {accounts:,} accounts in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    return path


def settings_for(path: Path, login: str = LOGIN):  # type: ignore[no-untyped-def]
    scratch = CACHE / "home"
    paths = Paths(scratch / "data", scratch / "config", scratch / "logs")
    return load_settings(
        {"database_url": f"sqlite:///{path}", "login": login}, environ={}, paths=paths
    )


def clock() -> AdjustableClock:
    return AdjustableClock(NOW)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]
