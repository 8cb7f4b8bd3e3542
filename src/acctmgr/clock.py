"""The one source of "now" for the whole application.

Deadlines, SLA timers and reminders are computed from a clock that tests and demo mode can set
and fast-forward; nothing else calls ``datetime.now``.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...

    def today(self) -> date:
        """Today's date in UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()


class AdjustableClock:
    """A clock that can be set and moved, for tests and for demo mode's fast-forward.

    With ``frozen`` it stays where it was set; otherwise it runs on from the set instant at
    wall-clock speed, so a demo keeps moving between fast-forwards.
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = True) -> None:
        self._lock = threading.Lock()
        self._frozen = frozen
        self._anchor_wall = datetime.now(UTC)
        self._anchor = _aware(start) if start is not None else self._anchor_wall

    def now(self) -> datetime:
        with self._lock:
            if self._frozen:
                return self._anchor
            return self._anchor + (datetime.now(UTC) - self._anchor_wall)

    def today(self) -> date:
        return self.now().date()

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._anchor = _aware(instant)
            self._anchor_wall = datetime.now(UTC)

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("The clock takes timezone-aware instants only.")
    return instant.astimezone(UTC)
