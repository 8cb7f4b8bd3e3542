"""Keystroke to search results on the accounts list, over a 100,000-account database.

Drives the real app with Pilot (headless): opens Accounts and types queries one key at a time.
Each key is timed from the moment it is sent until the results for the whole text typed so
far are on screen: the clock stops when the frame that rendered those rows has been written.
(Timing until ``pilot.press`` returns would add Pilot's own idle-waiting.)

    python benchmarks/search.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.support import ACCOUNTS, clock, database_path, percentile, settings_for

# Names, cities, iSeries numbers, contacts, and strings that match nothing (full scans).
VERBOSE = "-v" in sys.argv
GIVE_UP_SECONDS = 5.0
QUERIES = ["north", "lyon", "i00012", "garcia", "zzqx", "systems", "100%", "br", "o'", "müller"]


async def measure(path: Path) -> list[float]:
    from textual.geometry import Region
    from textual.screen import Screen
    from textual.strip import Strip
    from textual.widgets import Input

    from acctmgr.app import create_app
    from acctmgr.startup import launch
    from acctmgr.widgets.record_table import RecordTable, Row

    painted: dict[str, float] = {}
    # The text whose rows were shown, and whether a frame has rendered them since.
    shown: dict[str, bool] = {}
    original_show = RecordTable.show
    original_render_lines = RecordTable.render_lines
    original_refresh = Screen._compositor_refresh

    def show_and_note(table: RecordTable, rows: Iterable[Row]) -> None:
        original_show(table, rows)
        if table.id == "accounts":
            # Stale answers never reach show(), so these rows are for the text on screen.
            shown.clear()
            shown[table.screen.query_one("#account-search", Input).value] = False

    def render_and_note(table: RecordTable, crop: Region) -> list[Strip]:
        if table.id == "accounts":
            shown.update(dict.fromkeys(shown, True))
        return original_render_lines(table, crop)

    def refresh_and_stamp(screen: Screen[object]) -> None:
        original_refresh(screen)
        # The frame that rendered the shown rows has been written to the terminal.
        for text, rendered in list(shown.items()):
            if rendered:
                painted[text] = time.perf_counter()
                shown.clear()

    RecordTable.show = show_and_note  # type: ignore[method-assign, assignment]
    RecordTable.render_lines = render_and_note  # type: ignore[method-assign, assignment]
    Screen._compositor_refresh = refresh_and_stamp  # type: ignore[method-assign, assignment]
    loaded = settings_for(path, login="admin")
    context, first_day = launch(loaded, clock())
    app = create_app(context, loaded, first_day)
    timings: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("f3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        typed = ""
        for query in QUERIES:
            for key in query:
                typed += key
                started = time.perf_counter()
                await pilot.press(key)
                # Not Pilot's pause: it paints by itself, and would stop the clock early.
                while typed not in painted:
                    if time.perf_counter() - started > GIVE_UP_SECONDS:
                        raise SystemExit(f"No results were painted for {typed!r}.")
                    await asyncio.sleep(0.001)
                timings.append(painted[typed] - started)
                await app.workers.wait_for_complete()  # then settle, as between a person's keys
                await pilot.pause()
                if VERBOSE:
                    print(f"{typed!r:12} {(painted[typed] - started) * 1000:6.1f} ms")
            for _ in query:
                await pilot.press("backspace")
            typed = ""
            await app.workers.wait_for_complete()
            await pilot.pause()
    return timings


def main() -> None:
    timings = asyncio.run(measure(database_path()))
    print(f"accounts: {ACCOUNTS:,}; keystrokes: {len(timings)}")
    print(
        f"keystroke to results painted: p50 {percentile(timings, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(timings, 0.95) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms "
        "(target p95 <= 50 ms)"
    )


if __name__ == "__main__":
    main()
