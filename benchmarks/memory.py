"""Peak memory of the app on a 100,000-account database, walking the screens people use.

Runs the real app headless in a child process: My day, Accounts, a few searches, paging down,
an account with every tab. Prints the child's peak resident set size.

    python benchmarks/memory.py
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.support import ACCOUNTS, database_path

WALK = """
import asyncio, sys
from pathlib import Path
from benchmarks.support import clock, settings_for
from acctmgr.app import create_app
from acctmgr.startup import launch

async def walk():
    loaded = settings_for(Path(sys.argv[1]), login="admin")
    context, first_day = launch(loaded, clock())
    app = create_app(context, loaded, first_day)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("f3")
        await app.workers.wait_for_complete()
        for text in ("north", "lyon", "zzz"):
            await pilot.press(*text)
            await app.workers.wait_for_complete()
            for _ in text:
                await pilot.press("backspace")
            await app.workers.wait_for_complete()
        table = app.screen.query_one("#accounts")
        table.focus()
        for _ in range(5):
            table.move_cursor(row=table.row_count - 1)
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        for key in "1234567":
            await pilot.press(key)
            await app.workers.wait_for_complete()

asyncio.run(walk())
"""


def main() -> None:
    path = database_path()
    subprocess.run(
        [sys.executable, "-c", WALK, str(path)],
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        stdin=subprocess.DEVNULL,
    )
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"accounts: {ACCOUNTS:,}")
    print(f"peak memory (RSS) walking the app: {peak_kib / 1024:.0f} MB (target <= 150 MB)")


if __name__ == "__main__":
    main()
