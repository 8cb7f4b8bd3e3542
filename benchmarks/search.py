"""Keystroke to search results on the accounts list, over a 100,000-account database.

Drives the real app with Pilot (headless): opens Accounts, types queries one key at a time,
and times each key from the press until the table shows that text's results.

    python benchmarks/search.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.support import ACCOUNTS, clock, database_path, percentile, settings_for

# Names, cities, iSeries numbers, contacts, and strings that match nothing (full scans).
QUERIES = ["north", "lyon", "i00012", "garcia", "zzqx", "systems", "100%", "br", "o'", "müller"]


async def measure(path: Path) -> list[float]:
    from acctmgr.app import create_app
    from acctmgr.startup import open_context
    from acctmgr.widgets.record_table import RecordTable

    loaded = settings_for(path, login="admin")
    app = create_app(open_context(loaded, clock()), loaded)
    timings: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("f3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#accounts", RecordTable)
        for query in QUERIES:
            for key in query:
                started = time.perf_counter()
                await pilot.press(key)
                await app.workers.wait_for_complete()
                await pilot.pause()
                timings.append(time.perf_counter() - started)
            assert table is not None
            for _ in query:
                await pilot.press("backspace")
            await app.workers.wait_for_complete()
    return timings


def main() -> None:
    timings = asyncio.run(measure(database_path()))
    print(f"accounts: {ACCOUNTS:,}; keystrokes: {len(timings)}")
    print(
        f"keystroke to results: p50 {percentile(timings, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(timings, 0.95) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms "
        "(target p95 <= 50 ms)"
    )


if __name__ == "__main__":
    main()
