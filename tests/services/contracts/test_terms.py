"""Contract terms at month ends, leap days and year boundaries (pure functions)."""

from __future__ import annotations

from datetime import date

import pytest

from acctmgr.services.kernel.terms import NoticeTerms, notice_terms, term_end, term_start

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("first", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 3, 1)),  # no 31 Feb: the 1st after
        (date(2027, 1, 31), 2, date(2027, 3, 31)),
        (date(2027, 8, 31), 1, date(2027, 10, 1)),  # no 31 Sep
        (date(2027, 4, 30), 12, date(2028, 4, 30)),
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
        (date(2026, 12, 31), 2, date(2027, 3, 1)),  # no 31 Feb 2027 → 1 Mar
        (date(2026, 11, 30), 3, date(2027, 3, 1)),  # no 30 Feb 2027 → 1 Mar
        (date(2024, 2, 29), 12, date(2025, 3, 1)),  # leap day, a year later
        (date(2024, 2, 29), 48, date(2028, 2, 29)),  # the next leap year has it
        (date(2027, 11, 30), 3, date(2028, 3, 1)),  # 30 Feb never exists, even in 2028
        (date(2027, 12, 29), 2, date(2028, 2, 29)),  # 29 Feb exists in 2028
        (date(2026, 12, 1), 1, date(2027, 1, 1)),  # across the year boundary
        (date(2026, 12, 1), 0, date(2026, 12, 1)),
    ],
)
def test_term_start_rolls_a_missing_day_to_the_first_of_the_next_month(
    first: date, months: int, expected: date
) -> None:
    """A term starts on the same day ``months`` later, or the 1st after when the month lacks it."""
    assert term_start(first, months) == expected


@pytest.mark.parametrize(
    ("starts_on", "months", "expected"),
    [
        (date(2026, 2, 1), 12, date(2027, 1, 31)),  # a term ending 31 Jan
        (date(2026, 5, 1), 12, date(2027, 4, 30)),  # ending 30 Apr
        (date(2026, 9, 1), 12, date(2027, 8, 31)),  # ending 31 Aug
        (date(2027, 1, 1), 12, date(2027, 12, 31)),  # ending 31 Dec
        (date(2027, 3, 1), 12, date(2028, 2, 29)),  # ending on a leap day
        (date(2026, 3, 1), 12, date(2027, 2, 28)),  # ending 28 Feb in a common year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # a leap-day start ends the day before 1 Mar
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
    ],
)
def test_term_end_is_the_day_before_the_next_term_starts(
    starts_on: date, months: int, expected: date
) -> None:
    """A term's last day is the day before the following term's first day."""
    assert term_end(starts_on, months) == expected
    assert term_end(starts_on, months) < term_start(starts_on, months)


@pytest.mark.parametrize(
    ("today", "ends_on", "expected"),
    [
        # month ends: the deadline is 60 days before the last day; the change starts the day after
        (TODAY, date(2027, 1, 31), (date(2026, 12, 2), date(2027, 2, 1))),
        (TODAY, date(2027, 4, 30), (date(2027, 3, 1), date(2027, 5, 1))),
        (TODAY, date(2027, 8, 31), (date(2027, 7, 2), date(2027, 9, 1))),
        # terms ending on the last day of February, common and leap year
        (TODAY, date(2027, 2, 28), (date(2026, 12, 30), date(2027, 3, 1))),
        (TODAY, date(2028, 2, 28), (date(2027, 12, 30), date(2028, 2, 29))),
        (TODAY, date(2028, 2, 29), (date(2027, 12, 31), date(2028, 3, 1))),
        # year boundary: 31 Dec, and the deadline day itself still counts
        (date(2026, 11, 1), date(2026, 12, 31), (date(2026, 11, 1), date(2027, 1, 1))),
        (date(2026, 10, 31), date(2026, 12, 31), (date(2026, 11, 1), date(2027, 1, 1))),
        (TODAY, date(2027, 12, 31), (date(2027, 11, 1), date(2028, 1, 1))),
        (date(2027, 12, 2), date(2028, 1, 31), (date(2027, 12, 2), date(2028, 2, 1))),
    ],
)
def test_notice_in_time_takes_effect_when_the_current_term_ends(
    today: date, ends_on: date, expected: tuple[date, date]
) -> None:
    """Notice given on or before the deadline takes effect the day after the current term."""
    terms = notice_terms(today, ends_on, 12, 60)
    assert (terms.notice_deadline, terms.earliest_effective) == expected
    assert terms.current_term_ends == ends_on
    assert terms.missed_current_term is False


@pytest.mark.parametrize(
    ("today", "ends_on", "expected"),
    [
        # 31 Dec: the deadline (1 Nov) passed by one day, so the change waits a whole term
        (date(2026, 11, 2), date(2026, 12, 31), (date(2027, 11, 1), date(2028, 1, 1))),
        (TODAY, date(2026, 12, 31), (date(2027, 11, 1), date(2028, 1, 1))),
        (date(2026, 12, 3), date(2027, 1, 31), (date(2027, 12, 2), date(2028, 2, 1))),
        (date(2027, 3, 2), date(2027, 4, 30), (date(2028, 3, 1), date(2028, 5, 1))),
        (date(2027, 7, 3), date(2027, 8, 31), (date(2028, 7, 2), date(2028, 9, 1))),
        # a leap-day term end missed: the next term ends 28 Feb 2029
        (date(2028, 1, 1), date(2028, 2, 29), (date(2028, 12, 30), date(2029, 3, 1))),
        # the term ending 28 Feb 2027 missed: the next one ends on the leap day
        (date(2026, 12, 31), date(2027, 2, 28), (date(2027, 12, 31), date(2028, 3, 1))),
    ],
)
def test_a_missed_deadline_moves_the_change_one_whole_term_later(
    today: date, ends_on: date, expected: tuple[date, date]
) -> None:
    """Notice after the deadline takes effect a whole term later, and says it missed the term."""
    terms = notice_terms(today, ends_on, 12, 60)
    assert (terms.notice_deadline, terms.earliest_effective) == expected
    assert terms.current_term_ends == ends_on
    assert terms.missed_current_term is True
    assert terms.notice_deadline >= today


def test_a_short_term_can_be_missed_more_than_once() -> None:
    """With monthly terms and 60 days' notice the change skips every term it is too late for."""
    terms = notice_terms(TODAY, date(2026, 11, 30), 1, 60)
    assert terms == NoticeTerms(
        notice_deadline=date(2026, 12, 2),
        earliest_effective=date(2027, 2, 1),
        current_term_ends=date(2026, 11, 30),
        missed_current_term=True,
    )


def test_the_last_day_of_notice_counts_and_the_next_day_does_not() -> None:
    """On the deadline day the current term is still reachable; a day later it is not."""
    ends_on = date(2027, 1, 22)  # 60 days' notice: deadline 23 Nov 2026, today
    on_time = notice_terms(TODAY, ends_on, 12, 60)
    late = notice_terms(date(2026, 11, 24), ends_on, 12, 60)
    assert (on_time.notice_deadline, on_time.missed_current_term) == (TODAY, False)
    assert on_time.earliest_effective == date(2027, 1, 23)
    assert (late.earliest_effective, late.missed_current_term) == (date(2028, 1, 23), True)
