"""The business calendar: which days are worked, in which hours, and the time a deadline needs.

Every deadline that counts working time (an approval's SLA and its reminder, a follow-up, a
chase) is counted here, so that a 48-hour SLA given on a Friday afternoon does not fall due on
Sunday, and a Brazilian customer's Carnival or a German Good Friday pauses the clock like a
weekend does. Public holidays come from the ``holidays`` package (Open World Holidays), per
country, loaded the first time a country's year is asked for.

An SLA of N hours counts N hours of working days: the clock runs all day on a working day and
stands still on weekends and public holidays. That is how "answer within 24 to 48 hours" is
meant (seed 003): one to two working days, whatever the hour it was asked. A task that
should land in the working day (a chase, a follow-up) is placed at the opening hour with
``next_opening``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import holidays

DEFAULT_COUNTRY = "US"
WEEKEND = frozenset({5, 6})  # Saturday, Sunday
DAY = timedelta(days=1)


@dataclass(frozen=True)
class BusinessCalendar:
    """The working days and hours of one country, in one time zone."""

    country: str = DEFAULT_COUNTRY
    opens: time = time(9)
    closes: time = time(17)
    zone: tzinfo = UTC

    def holiday(self, day: date) -> str | None:
        """The name of the public holiday on this day, or None."""
        return _holidays(self.country, day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        """A weekday that is no public holiday."""
        return day.weekday() not in WEEKEND and self.holiday(day) is None

    def add_working_days(self, day: date, days: int) -> date:
        """The working day ``days`` working days after ``day`` (``day`` itself for 0)."""
        found = day
        while days > 0:
            found += DAY
            if self.is_working_day(found):
                days -= 1
        return found

    def add_working_hours(self, start: datetime, hours: int) -> datetime:
        """The instant ``hours`` hours of working days after ``start``.

        Time on weekends and public holidays does not count; a start on such a day counts from
        the next working day's midnight. The result is in ``start``'s time zone.
        """
        local = start.astimezone(self.zone)
        left = timedelta(hours=hours)
        while True:
            if not self.is_working_day(local.date()):
                local = self._midnight(local.date() + DAY)
                continue
            to_midnight = self._midnight(local.date() + DAY) - local
            if left <= to_midnight:
                return (local + left).astimezone(start.tzinfo)
            left -= to_midnight
            local = self._midnight(local.date() + DAY)

    def next_opening(self, at: datetime) -> datetime:
        """``at`` if it falls in working hours, otherwise the next working day's opening."""
        local = at.astimezone(self.zone)
        if self.is_working_day(local.date()) and self.opens <= local.time() < self.closes:
            return at
        day = local.date()
        if not self.is_working_day(day) or local.time() >= self.closes:
            day = self.add_working_days(day, 1)
        return datetime.combine(day, self.opens, tzinfo=self.zone).astimezone(at.tzinfo)

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.zone)


@functools.cache
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    try:
        return holidays.country_holidays(country, years=year)
    except NotImplementedError:
        # A country the package does not know keeps weekends only, rather than refusing work.
        return holidays.HolidayBase(years=year)


def calendar_for(country: str | None) -> BusinessCalendar:
    """The calendar of a two-letter country code; the default country's when none is known."""
    return BusinessCalendar(country=(country or DEFAULT_COUNTRY).upper())
