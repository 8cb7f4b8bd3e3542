"""Launch to "My day" painted with its data, against a bare Textual app, in the same run.

Each launch is a fresh Python process (imports included), timed from spawn until the app has
painted the screen with its data and exits. The bare app has a header, a DataTable of 20 rows
and a footer. Runs alternate between the two so machine noise hits both alike.

    python benchmarks/launch.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.support import ACCOUNTS, database_path

BARE = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App[None]):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("When", "What", "Detail")
        table.add_rows([(str(i), f"Task {i}", "Account") for i in range(20)])
        self.call_after_refresh(self.exit)

Bare().run(headless=True)
"""

ACCTMGR = """
import sys
from benchmarks.support import clock, settings_for
from pathlib import Path
from acctmgr.startup import open_context
from acctmgr.app import create_app
from acctmgr.screens.my_day import MyDayScreen

painted = MyDayScreen.show_day
def show_and_exit(self, day):
    painted(self, day)
    self.app.call_after_refresh(self.app.exit)
MyDayScreen.show_day = show_and_exit

loaded = settings_for(Path(sys.argv[1]))
app = create_app(open_context(loaded, clock()), loaded)
app.run(headless=True)
"""


def launch(code: str, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        stdin=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    path = database_path()
    launch(BARE)  # warm the file cache and .pyc files for both
    launch(ACCTMGR, str(path))
    bare: list[float] = []
    ours: list[float] = []
    for _ in range(options.runs):
        bare.append(launch(BARE))
        ours.append(launch(ACCTMGR, str(path)))
    bare_median = statistics.median(bare)
    ours_median = statistics.median(ours)
    print(f"accounts: {ACCOUNTS:,}; runs: {options.runs}")
    print(f"bare Textual app (header, DataTable, footer): median {bare_median * 1000:.0f} ms")
    print(f"acctmgr to My day painted with data:          median {ours_median * 1000:.0f} ms")
    print(f"ratio: {ours_median / bare_median:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
