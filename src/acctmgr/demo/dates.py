"""Calendar arithmetic for the demo load: months that clamp, instants at a given hour."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time

DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = 29 if month == 2 and calendar.isleap(year) else DAYS_IN_MONTH[month]
    return date(year, month, min(day.day, last))


def instant(day: date, hour: int, minute: int = 0) -> datetime:
    """That day at that time, in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)
