"""Contract terms: when a customer must give notice, and when a change can take effect.

Contracts run for a term (12 months) and renew term by term; a change to the rate takes effect
at the start of a term, and only if the customer asked at least the notice period (60 days)
before the term it replaces ends. So the earliest effective date is the first term start whose
notice deadline has not passed. Term starts are computed from the first one with whole months;
a start that falls on a day the month lacks (29 February, the 31st) moves to the 1st of the next
month, which is what a contract signed on such a day means by "a year later".
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from acctmgr.errors import InvalidInput


@dataclass(frozen=True)
class NoticeTerms:
    """What an account executive tells the customer when a change is asked for."""

    notice_deadline: date  # the last day to give notice for the earliest effective date
    earliest_effective: date
    current_term_ends: date  # the last day of the contract's current term
    missed_current_term: bool  # the deadline for the current term end had already passed


def term_start(first: date, months: int) -> date:
    """The day ``months`` after ``first``; a missing day (31st, 29 Feb) rolls to the 1st after."""
    index = first.year * 12 + first.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if first.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, first.day)
    return date(year + (month == 12), month % 12 + 1, 1)


def term_end(starts_on: date, term_months: int) -> date:
    """The last day of a term of ``term_months`` starting on ``starts_on``."""
    return term_start(starts_on, term_months) - timedelta(days=1)


def notice_deadline(ends_on: date, notice_days: int) -> date:
    """The last day on which notice counts for a term ending on ``ends_on``."""
    return ends_on - timedelta(days=notice_days)


def notice_terms(today: date, ends_on: date, term_months: int, notice_days: int) -> NoticeTerms:
    """The notice deadline and earliest effective date of a change asked for ``today``.

    ``ends_on`` is the last day of the contract's current term; if its notice deadline has
    passed, the change waits for the following term, and so on.
    """
    next_start = ends_on + timedelta(days=1)
    terms = 0
    while True:
        start = term_start(next_start, terms * term_months)
        deadline = notice_deadline(start - timedelta(days=1), notice_days)
        if deadline >= today:
            return NoticeTerms(
                notice_deadline=deadline,
                earliest_effective=start,
                current_term_ends=ends_on,
                missed_current_term=terms > 0,
            )
        terms += 1


def check_notice_within_term(term_months: int, notice_days: int) -> None:
    """Refuse (InvalidInput on ``notice_days``) a notice period as long as the term or longer:
    notice could never be given in time, so the contract could never be left."""
    days = (term_end(date(2001, 1, 1), term_months) - date(2001, 1, 1)).days + 1
    if notice_days >= days:
        raise InvalidInput(
            f"A notice of {notice_days} days is longer than the {term_months}-month term.",
            field="notice_days",
        )
