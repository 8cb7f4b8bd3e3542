"""The wiring: one bootstrap registers record kinds, follow-up handlers and audit listeners."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from acctmgr.domain.records import RecordType
from acctmgr.services.approvals import record_kinds
from acctmgr.services.bootstrap import bootstrap
from acctmgr.services.kernel import audit
from acctmgr.services.retention import quote_approval as retention_quote_approval
from acctmgr.services.sales import quote_approval


def _run(script: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip()


def test_a_use_case_before_bootstrap_is_refused(tmp_path: Path) -> None:
    """A program that never wired the services cannot save a change without its audit."""
    script = (
        "from acctmgr.db import Database\n"
        "from acctmgr.services.kernel.context import Context\n"
        "from acctmgr.services.people import users\n"
        f"context = Context(Database('sqlite:///{tmp_path / 'x.db'}'))\n"
        "try:\n"
        "    users.count_users(context)\n"
        "except RuntimeError as error:\n"
        "    print(error)\n"
    )
    assert "bootstrap() has not run" in _run(script)


def test_startup_connect_wires_the_services(tmp_path: Path) -> None:
    """Every program opens its database through startup.connect, which runs the bootstrap."""
    script = (
        "from sqlalchemy import event\n"
        "from sqlalchemy.orm import Session\n"
        "from pathlib import Path\n"
        "from acctmgr.config import Paths, load_settings\n"
        "from acctmgr.startup import connect\n"
        f"home = Path({str(tmp_path)!r})\n"
        "paths = Paths(home / 'data', home / 'config', home / 'logs')\n"
        "url = f'sqlite:///{home / \"x.db\"}'\n"
        "connect(load_settings({'database_url': url}, environ={}, paths=paths))\n"
        "from acctmgr.services.approvals import record_kinds\n"
        "from acctmgr.services.kernel import audit\n"
        "print(sorted(map(str, record_kinds.KINDS)), event.contains(Session, 'after_flush', "
        "audit._write_audit))\n"
    )
    assert _run(script) == "['quote'] True"


def test_bootstrap_twice_registers_each_thing_once() -> None:
    """Calling the bootstrap again (conftest, then startup.connect) changes nothing."""
    bootstrap()
    bootstrap()
    assert isinstance(record_kinds.kind_of(RecordType.QUOTE), quote_approval.QuoteKind)
    assert quote_approval._decision_followers == [retention_quote_approval.follow_quote_decision]
    assert quote_approval._edit_followers == [retention_quote_approval.follow_quote_edit]
    assert event.contains(Session, "before_flush", audit._stamp_times)
    assert event.contains(Session, "after_flush", audit._write_audit)
