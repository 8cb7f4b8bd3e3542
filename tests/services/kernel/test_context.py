"""How use cases run: retries on PostgreSQL serialization failures, and the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from acctmgr.clock import AdjustableClock
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case


class _SerializationFailure(Exception):
    sqlstate = "40001"


def test_serialization_failures_are_retried(admin: Context) -> None:
    """A use case that hits a serialization failure is run again from the start."""
    calls: list[int] = []

    @use_case("test.flaky")
    def flaky(uow: UnitOfWork) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("UPDATE", {}, _SerializationFailure())
        return uow.user.login

    assert flaky(admin) == "admin"
    assert len(calls) == 3


def test_other_database_errors_are_not_retried(admin: Context) -> None:
    """An error that is not a serialization failure or deadlock surfaces at once."""
    calls: list[int] = []

    @use_case("test.broken")
    def broken(_uow: UnitOfWork) -> None:
        calls.append(1)
        raise OperationalError("UPDATE", {}, Exception('near "UPDTE": syntax error'))

    with pytest.raises(OperationalError):
        broken(admin)
    assert len(calls) == 1


def test_the_clock_can_be_set_and_fast_forwarded() -> None:
    """Demo mode and tests move time; a naive instant is refused."""
    clock = AdjustableClock(datetime(2024, 2, 28, 23, 0, tzinfo=UTC))
    clock.advance(timedelta(hours=2))
    assert clock.today().isoformat() == "2024-02-29"
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2024, 1, 1))
    running = AdjustableClock(datetime(2030, 1, 1, tzinfo=UTC), frozen=False)
    assert running.now() >= datetime(2030, 1, 1, tzinfo=UTC)
