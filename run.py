#!/usr/bin/env python3
"""Start acctmgr, or run its tests, from a fresh clone with nothing but Python >= 3.11.

    python3 run.py [acctmgr arguments]   start the app (or any acctmgr sub-command)
    python3 run.py test [pytest args]    run the whole test suite

On first use it creates ``.venv`` beside this file and installs acctmgr with its development
tools into it; it installs again whenever ``pyproject.toml`` changes. Nothing else is needed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".acctmgr-installed"


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):
        print("acctmgr needs Python 3.11 or newer.", file=sys.stderr)
        return 1
    ensure_environment()
    if argv[:1] == ["test"]:
        command = [str(PYTHON), "-m", "pytest", *argv[1:]]
    else:
        command = [str(PYTHON), "-m", "acctmgr", *argv]
    if os.name == "nt":
        return subprocess.call(command, cwd=ROOT if argv[:1] == ["test"] else None)
    if argv[:1] == ["test"]:
        os.chdir(ROOT)
    os.execv(command[0], command)
    return 0  # not reached


def ensure_environment() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not PYTHON.exists():
        print("Creating .venv (first run only)...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    print("Installing acctmgr and its tools into .venv...", file=sys.stderr)
    log = VENV / "install.log"
    with log.open("w") as out:
        steps = [
            [str(PYTHON), "-m", "pip", "install", "--upgrade", "pip"],
            [str(PYTHON), "-m", "pip", "install", "-e", f"{ROOT}[dev]"],
        ]
        for step in steps:
            if subprocess.call(step, stdout=out, stderr=subprocess.STDOUT) != 0:
                print(log.read_text()[-4000:], file=sys.stderr)
                print(f"Installing failed; the whole log is in {log}.", file=sys.stderr)
                raise SystemExit(1)
    STAMP.write_text(wanted)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
