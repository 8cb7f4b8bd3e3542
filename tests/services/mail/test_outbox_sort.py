"""The outbox sorts by any of its columns in SQL, pages alike, and refuses other names."""

from __future__ import annotations

from datetime import timedelta

import pytest

from acctmgr.clock import AdjustableClock
from acctmgr.errors import InvalidInput
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.sorting import Sort
from acctmgr.services.mail import outbox as outbox_service
from tests.mail_support import queue
from tests.services.mail.test_mail_delivery import fail_for_good

# (to, subject) queued a minute apart; the third fails for good.
MESSAGES: tuple[tuple[str, str], ...] = (("d@example.com", "beta"), ("c@example.com", "Alpha"))
MESSAGES += (("b@example.com", "delta"), ("a@example.com", "Gamma"))
# Each column's order, ascending, as positions in MESSAGES; ties fall back to the ids.
EXPECTED = {
    "created": [0, 1, 2, 3],
    "status": [2, 0, 1, 3],  # failed before queued
    "to": [3, 2, 1, 0],
    "subject": [1, 0, 2, 3],  # without regard to case
    "attempts": [0, 1, 3, 2],
    "next_attempt": [0, 1, 3, 2],  # the queued ones by when, then the rest
    "error": [0, 1, 3, 2],
}


@pytest.fixture
def queued(admin: Context, clock: AdjustableClock) -> list[int]:
    ids = []
    for to, subject in MESSAGES:
        ids.append(queue(admin, [to], subject))
        clock.advance(timedelta(minutes=1))
    fail_for_good(admin, ids[2])
    return ids


def _listed(admin: Context, sort: Sort, offset: int = 0, limit: int = 50) -> list[int]:
    return [row.id for row in outbox_service.outbox(admin, None, limit, offset, sort=sort)]


@pytest.mark.parametrize("column", sorted(EXPECTED))
def test_each_column_sorts_the_outbox_and_again_reverses_it(
    admin: Context, queued: list[int], column: str
) -> None:
    """Sorted by a column, the messages come in its order, and descending exactly reversed."""
    assert set(EXPECTED) == set(outbox_service.SORTS)
    expected = [queued[position] for position in EXPECTED[column]]
    assert _listed(admin, Sort(column)) == expected
    assert _listed(admin, Sort(column, descending=True)) == expected[::-1]


def test_pages_of_a_sorted_outbox_neither_repeat_nor_skip(
    admin: Context, queued: list[int]
) -> None:
    """Taken one at a time, the messages sorted by subject are the whole list in order."""
    paged = [key for n in range(4) for key in _listed(admin, Sort("subject"), n, 1)]
    assert paged == [queued[position] for position in EXPECTED["subject"]]


def test_a_column_the_outbox_does_not_offer_is_refused(admin: Context) -> None:
    """A sort by anything but the outbox's columns is refused with a sentence naming them."""
    with pytest.raises(InvalidInput, match="sorts by created, status, to"):
        outbox_service.outbox(admin, sort=Sort("body_text"))
