"""Figures as people write them: percentages without trailing zeros, counts in the right number."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from acctmgr.widgets.text import counted, day, percentage


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("30.0000"), "30%"),
        (Decimal("14.1243"), "14.12%"),
        (Decimal("12.5"), "12.5%"),
        ("7.005", "7.01%"),
        (None, "0%"),
        ("n/a", "n/a%"),
    ],
)
def test_a_percentage_shows_at_most_two_places_and_no_trailing_zeros(
    value: object, shown: str
) -> None:
    """30.0000 is 30%, 14.1243 is 14.12%: never the stored scale."""
    assert percentage(value) == shown


def test_a_count_takes_its_noun_in_the_right_number() -> None:
    """1 account, 2 accounts, 1,200 accounts, and an irregular plural when given."""
    assert counted(1, "account") == "1 account"
    assert counted(2, "account") == "2 accounts"
    assert counted(1200, "account") == "1,200 accounts"
    assert counted(0, "opportunity", "opportunities") == "0 opportunities"


def test_every_screen_writes_a_date_one_way() -> None:
    """31 Mar 2027, with the time when there is one: never ISO beside the written-out form."""
    assert day(date(2027, 3, 31)) == "31 Mar 2027"
    assert day(datetime(2027, 3, 31, 14, 5)) == "31 Mar 2027 14:05"
    assert day(None) == ""
