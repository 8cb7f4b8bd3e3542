"""The render pool: workers killed or frozen are replaced and the pool keeps serving; workers
start from any program and leave with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

from acctmgr.errors import InvalidInput
from acctmgr.services.documents import render_pool
from acctmgr.services.documents.render_pool import POOL, fill_in

NAME = "po_email.txt.j2"


def test_a_killed_worker_is_replaced_and_the_pool_keeps_serving() -> None:
    """Workers killed from outside are replaced, and no render fails for it."""
    assert fill_in(NAME, "{{ 6 * 7 }}", {}).text == "42"
    killed = POOL.pids()
    assert len(killed) == 2
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    assert [fill_in(NAME, "{{ 6 * 7 }}", {}).text for _ in range(4)] == ["42"] * 4
    serving = POOL.pids()
    assert len(serving) == 2
    assert not set(serving) & set(killed)


def test_a_worker_that_does_not_answer_is_killed_at_the_backstop() -> None:
    """A worker that stops answering is killed at the wall-clock backstop, with the time limit's
    sentence, and a fresh one takes its place."""
    fill_in(NAME, "{{ 1 }}", {})
    stopped = POOL.pids()
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)  # as frozen as a C call that never returns
    try:
        started = time.monotonic()
        with pytest.raises(InvalidInput) as caught:
            fill_in(NAME, "{{ 1 }}", {}, seconds=0.5)
        assert 3.0 < time.monotonic() - started < 6.0
        assert caught.value.message == (
            f"The template {NAME} took longer than 0.5 seconds and was stopped."
        )
    finally:
        for pid in stopped:
            with suppress(ProcessLookupError):  # the one killed is gone
                os.kill(pid, signal.SIGCONT)
    assert [fill_in(NAME, "{{ 1 }}", {}).text for _ in range(3)] == ["1"] * 3
    assert len(set(POOL.pids()) - set(stopped)) == 1


PROGRAM = """
import sys

class Captured:  # as the TUI's capture of print(): no file descriptor
    def write(self, text): return len(text)
    def flush(self): pass
    def fileno(self): return -1

sys.stderr = Captured()
from acctmgr.services.documents.render_pool import fill_in
print(fill_in("t.txt.j2", "{{ 6 * 7 }}", {}).text)
"""


def test_workers_start_from_any_program_and_leave_with_it(tmp_path: Path) -> None:
    """Workers start from a program with no main guard and with stderr captured, as the TUI's
    is, and the program exits at once when it ends, its workers with it."""
    script = tmp_path / "program.py"
    script.write_text(PROGRAM)  # no `if __name__ == "__main__"`: a worker must not run it
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=20, env=environment
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "42\n", "")


def test_an_operation_deaf_to_the_timer_is_killed_at_the_cpu_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One C operation that holds the interpreter past the CPU limit (summing lists copies them
    over and over) is killed by the kernel soon after it, with the time limit's sentence."""
    monkeypatch.setattr(render_pool, "WALL_FACTOR", 100)  # so the clock cannot be what kills
    fill_in(NAME, "{{ 1 }}", {})
    before = set(POOL.pids())
    started = time.monotonic()
    with pytest.raises(InvalidInput) as caught:
        fill_in(NAME, "{% set y = [[1]]*500000 %}{{ (y|sum(start=[]))|length }}", {}, seconds=0.5)
    assert caught.value.message == (
        f"The template {NAME} took longer than 0.5 seconds and was stopped."
    )
    assert time.monotonic() - started < 20.0  # the clock would wait 52 s
    assert len(set(POOL.pids()) - before) == 1
    assert fill_in(NAME, "{{ 1 }}", {}).text == "1"
