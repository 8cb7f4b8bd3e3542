"""A worker killed half-way through its daily pass: nothing of the pass is kept (it is one
transaction), the next worker does all of it once, and a re-run does nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from acctmgr.models import Activity, OutboxEmail, Subscription, SubscriptionStatus
from acctmgr.models.base import Base
from acctmgr.services.fulfilment import running
from acctmgr.services.fulfilment.running import RunReport
from acctmgr.services.kernel.context import Context
from tests.conftest import NOW
from tests.services.fulfilment.running_support import (
    a_bit_of_everything_due,
)

# Runs the pass and stops for good once it has warned of the entitlements, in its transaction.
DOOMED_WORKER = """
import sys
import time
from datetime import datetime

from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.services.bootstrap import bootstrap
from acctmgr.services.fulfilment import consumption, running
from acctmgr.services.kernel.context import Context

url, instant = sys.argv[1], datetime.fromisoformat(sys.argv[2])
warn = consumption.warn_before_deadline


def warn_then_stop(uow, today):
    warned = warn(uow, today)
    uow.session.flush()
    print("stopped", flush=True)
    time.sleep(60)
    return warned


consumption.warn_before_deadline = warn_then_stop
bootstrap()
running.run_due(Context(Database(url), AdjustableClock(instant)))
"""


def _count(admin: Context, model: type[Base]) -> int:
    with admin.database.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _pending(admin: Context) -> int:
    with admin.database.read_session() as session:
        return int(
            session.scalar(
                select(func.count()).where(Subscription.status == SubscriptionStatus.PENDING)
            )
            or 0
        )


def test_a_worker_killed_mid_pass_leaves_it_all_to_the_next(
    admin: Context, database_url: str, tmp_path: Path
) -> None:
    a_bit_of_everything_due(admin)
    pending = _pending(admin)
    environment = {
        **os.environ,
        "ACCTMGR_DATA_DIR": str(tmp_path / "data"),
        "ACCTMGR_CONFIG_DIR": str(tmp_path / "config"),
        "ACCTMGR_LOG_DIR": str(tmp_path / "logs"),
    }
    doomed = subprocess.Popen(
        [sys.executable, "-c", DOOMED_WORKER, database_url, admin.clock.now().isoformat()],
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        assert doomed.stdout is not None
        assert doomed.stdout.readline().strip() == "stopped"
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    # It had started, ended and warned, uncommitted: none of it is there.
    assert (_pending(admin), _count(admin, Activity), _count(admin, OutboxEmail)) == (
        pending,
        0,
        0,
    )
    assert running.run_due(admin) == RunReport(started=2, trials_ended=1, warned=1, expired=1)
    assert running.run_due(admin) == RunReport()
    assert (_count(admin, Activity), _count(admin, OutboxEmail)) == (2, 1)
    assert admin.clock.now() == NOW
