"""A month of usage for every account of a 100,000-account database, imported as Finance:
the dry run, the import, and the same file again (which must write nothing).

Works on a copy of the benchmark database, so the cached one stays as seeded. Writes a CSV of
next month's page views for every account (by acctmgr id: prospects have no iSeries number),
some above what their plan includes, and times ``fulfilment.import_usage`` as the command
calls it.

    python benchmarks/usage_import.py
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.support import ACCOUNTS, NOW, clock, database_path

TARGETS_S = {"dry run": 10.0, "applied": 30.0, "again": 10.0, "changed": 30.0}
MONTH = NOW.date().replace(day=1)  # the month being counted: the demo's usage stops before it


def main() -> None:
    from sqlalchemy import func, select

    from acctmgr.db import Database
    from acctmgr.models import Account, OverageLine, Role, User, UserRole
    from acctmgr.services.bootstrap import bootstrap
    from acctmgr.services.fulfilment.usage_import import import_usage
    from acctmgr.services.kernel.context import Context

    bootstrap()
    scratch = Path(tempfile.mkdtemp(prefix="acctmgr-usage-bench-"))
    try:
        copy = scratch / "bench.db"
        shutil.copyfile(database_path(), copy)
        database = Database(f"sqlite:///{copy}")
        with database.read_session() as session:
            account_ids = list(session.scalars(select(Account.id).order_by(Account.id)))
            login = session.scalar(
                select(User.login)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == Role.FINANCE, User.active.is_(True))
                .limit(1)
            )
        assert login, "the demo has a Finance user"
        path, changed = scratch / "usage.csv", scratch / "corrected.csv"
        chance = random.Random(17)
        views = [chance.randrange(100_000, 1_600_000, 100) for _ in account_ids]
        _write(path, account_ids, views)
        # The supplier's corrected figures: every account's month changed, its overage re-priced.
        _write(changed, account_ids, [count + 100 for count in views])
        finance = Context(database, clock(), login)
        timings = {}
        runs = (("dry run", path, True), ("applied", path, False), ("again", path, False))
        for name, file, dry_run in (*runs, ("changed", changed, False)):
            began = time.perf_counter()
            done = import_usage(finance, file, dry_run=dry_run)
            timings[name] = time.perf_counter() - began
            print(
                f"{name}: {timings[name]:.2f} s (target <= {TARGETS_S[name]:.0f} s); "
                f"{done.summary()}; written: {done.written}"
            )
            if name == "again":
                assert (done.new, done.changed, done.written) == (0, 0, False), done.summary()
        with database.read_session() as session:
            lines = session.scalar(select(func.count()).select_from(OverageLine))
        database.dispose()
        print(
            f"accounts: {ACCOUNTS:,}; rows in the file: {len(account_ids):,}; "
            f"overage lines: {lines:,}"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _write(path: Path, account_ids: list[int], views: list[int]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["account_id", "metric", "month", "quantity"])
        for account_id, count in zip(account_ids, views, strict=True):
            writer.writerow([account_id, "page_views", f"{MONTH:%Y-%m}", count])


if __name__ == "__main__":
    main()
