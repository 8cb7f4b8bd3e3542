"""Running the `acctmgr` command as a person would: a new process, with folders of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_acctmgr(
    tmp_path: Path,
    url: str,
    *args: str,
    environ: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`acctmgr --database-url URL ARGS...` in a child process whose data, config and log
    folders are under ``tmp_path`` (``environ`` adds settings), with no standard input."""
    environment = {
        **os.environ,
        "ACCTMGR_DATA_DIR": str(tmp_path / "data"),
        "ACCTMGR_CONFIG_DIR": str(tmp_path / "config"),
        "ACCTMGR_LOG_DIR": str(tmp_path / "logs"),
        **(environ or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "acctmgr", "--database-url", url, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def assert_one_sentence(result: subprocess.CompletedProcess[str], phrase: str) -> None:
    """The command failed with exit status 1 and one ``acctmgr: ...`` line holding ``phrase``."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("acctmgr: ")
    assert phrase in lines[0], lines[0]
