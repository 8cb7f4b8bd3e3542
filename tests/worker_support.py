"""Two workers, each with its own connections, racing over one queue until it is empty: the
exactly-once tests of the outbox and the ERP export."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from acctmgr.clock import Clock
from acctmgr.db import Database
from acctmgr.services.kernel.context import Context

WORKERS = ("alpha:1", "beta:2")


def race_two_workers(
    database_url: str,
    clock: Clock,
    one_pass: Callable[[Context, str], object],
    left: Callable[[Session], int | None],
    *,
    seconds: float = 60,
) -> None:
    """Run ``one_pass(context, worker name)`` in two threads until ``left`` counts nothing
    left to do (or ``seconds`` pass); raises the first thing either worker raised."""
    errors: list[BaseException] = []

    def work(name: str) -> None:
        database = Database(database_url)
        context = Context(database, clock)
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                one_pass(context, name)
                with database.read_session() as session:
                    if not left(session):
                        return
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            database.dispose()

    threads = [threading.Thread(target=work, args=(name,)) for name in WORKERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
