"""The business calendar counts working days and hours, with each country's public holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from acctmgr.services.kernel.calendar import BusinessCalendar, calendar_for


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("country", "start", "hours", "due"),
    [
        ("US", "2026-11-23 09:30", 48, "2026-11-25 09:30"),  # Monday: two days on
        ("US", "2026-11-20 16:00", 48, "2026-11-24 16:00"),  # Friday: the weekend waits
        ("US", "2026-11-21 12:00", 24, "2026-11-24 00:00"),  # Saturday: counts from Monday
        ("US", "2026-11-25 10:00", 24, "2026-11-27 10:00"),  # Thanksgiving stands still
        ("DE", "2026-04-02 10:00", 24, "2026-04-07 10:00"),  # Good Friday to Easter Monday
        ("US", "2026-04-02 10:00", 24, "2026-04-03 10:00"),  # Good Friday is worked in the US
    ],
)
def test_an_sla_counts_hours_of_working_days(
    country: str, start: str, hours: int, due: str
) -> None:
    """Weekends and the country's public holidays pause an SLA's clock."""
    assert calendar_for(country).add_working_hours(at(start), hours) == at(due)


def test_working_days_skip_weekends_and_holidays() -> None:
    """A working day later than a Friday is the Monday; Christmas is no working day."""
    calendar = calendar_for("gb")
    assert calendar.country == "GB"
    assert calendar.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)
    assert calendar.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert calendar.holiday(date(2026, 12, 25)) is not None
    assert not calendar.is_working_day(date(2026, 12, 26))


def test_a_task_lands_at_the_next_opening_hour() -> None:
    """Inside working hours a time stays; after closing it moves to the next working morning."""
    calendar = BusinessCalendar()
    assert calendar.next_opening(at("2026-11-24 10:00")) == at("2026-11-24 10:00")
    assert calendar.next_opening(at("2026-11-20 18:00")) == at("2026-11-23 09:00")
    assert calendar.next_opening(at("2026-11-24 07:00")) == at("2026-11-24 09:00")


def test_a_country_without_a_holiday_list_keeps_weekends_only() -> None:
    """An unknown country code still has weekends, and refuses nothing."""
    calendar = calendar_for("ZZ")
    assert calendar.add_working_hours(at("2026-12-24 12:00"), 24) == at("2026-12-25 12:00")
    assert calendar.add_working_hours(at("2026-12-25 12:00"), 24) == at("2026-12-28 12:00")
