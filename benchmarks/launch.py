"""Launch to "My day" painted with its data, against a bare Textual app, in the same run.

Each launch is a fresh Python process (imports included), timed from spawn until the app has
painted the screen with its data: the child prints the wall-clock time of its first refresh
after the data is shown, then exits (what it does after painting, such as loading the database
layer behind My day, and the interpreter's teardown are not part of the launch a person waits
for). The bare app has a header, a DataTable of 20 rows and a footer. Runs alternate between the
two so machine noise hits both alike.

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
import time
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
        self.call_after_refresh(painted, self)


def painted(app):
    print(time.time(), flush=True)
    app.exit()

Bare().run(headless=True)
"""

# Both acctmgr children stop the clock at the first refresh after My day has shown its data.
STOP_AT_MY_DAY = """
import sys
import time
from pathlib import Path
from acctmgr.screens.my_day import MyDayScreen

show_day = MyDayScreen.show_day
def show_and_exit(self, day):
    show_day(self, day)
    self.app.call_after_refresh(painted, self.app)
def painted(app):
    print(time.time(), flush=True)
    app.exit()
MyDayScreen.show_day = show_and_exit
"""

ACCTMGR = (
    STOP_AT_MY_DAY
    + """
from benchmarks.support import clock, settings_for
from acctmgr.startup import launch
from acctmgr.app import create_app

loaded = settings_for(Path(sys.argv[1]))
context, first_day = launch(loaded, clock())
app = create_app(context, loaded, first_day)
app.run(headless=True)
"""
)

# The same through the ``acctmgr`` command as a person starts it (click, settings, the log
# file); the clock is the real one, so My day holds what is due today in the demo data.
COMMAND = (
    STOP_AT_MY_DAY
    + """
import os
from textual.app import App
from benchmarks.support import settings_for
from acctmgr.cli import main

run = App.run
App.run = lambda app, **options: run(app, headless=True)
paths = settings_for(Path(sys.argv[1])).paths
os.environ.update(
    ACCTMGR_DATA_DIR=str(paths.data_dir),
    ACCTMGR_CONFIG_DIR=str(paths.config_dir),
    ACCTMGR_LOG_DIR=str(paths.log_dir),
)
main(["--database-url", f"sqlite:///{sys.argv[1]}", "--as", "leader"], standalone_mode=False)
"""
)


def launch(code: str, *args: str) -> float:
    """Seconds from spawning the child to the wall-clock time it printed when it had painted."""
    started = time.time()
    finished = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    return float(finished.stdout.split()[-1]) - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    path = database_path()
    launch(BARE)  # warm the file cache and .pyc files for both
    launch(ACCTMGR, str(path))
    launch(COMMAND, str(path))
    bare: list[float] = []
    ours: list[float] = []
    command: list[float] = []
    for _ in range(options.runs):
        bare.append(launch(BARE))
        ours.append(launch(ACCTMGR, str(path)))
        command.append(launch(COMMAND, str(path)))
    bare_median = statistics.median(bare)
    ours_median = statistics.median(ours)
    command_median = statistics.median(command)
    print(f"accounts: {ACCOUNTS:,}; runs: {options.runs}")
    print(f"bare Textual app (header, DataTable, footer): median {bare_median * 1000:.0f} ms")
    print(f"acctmgr to My day painted with data:          median {ours_median * 1000:.0f} ms")
    print(f"ratio: {ours_median / bare_median:.2f} (target <= 1.5)")
    print(
        f"the same through the acctmgr command:         median {command_median * 1000:.0f} ms, "
        f"ratio {command_median / bare_median:.2f}"
    )


if __name__ == "__main__":
    main()
