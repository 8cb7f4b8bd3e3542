"""The people list sorts by any of its columns in SQL, pages alike, and refuses other names."""

from __future__ import annotations

import pytest

from acctmgr.errors import InvalidInput
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.sorting import Sort
from acctmgr.services.people import deactivation, directory
from acctmgr.services.people import users as user_service
from acctmgr.services.people.users import UserIn

# The staff of tests/conftest.py, with zed (a lower-case name) added last and cms deactivated;
# ties fall back to the order they were added in.
EXPECTED = {
    "login": ["admin", "ae", "ae2", "cms", "finance", "leader", "zed"],
    "name": ["admin", "zed", "cms", "ae2", "ae", "finance", "leader"],
    "email": ["admin", "ae2", "ae", "cms", "finance", "leader", "zed"],
    "segment": ["admin", "finance", "zed", "ae2", "ae", "cms", "leader"],
    "active": ["cms", "admin", "ae", "ae2", "leader", "finance", "zed"],
}


@pytest.fixture
def people(admin: Context) -> Context:
    user_service.create_user(admin, UserIn(login="zed", name="adam lower", email="z@example.com"))
    deactivation.deactivate_user(admin, "cms")
    return admin


def _logins(context: Context, sort: Sort, offset: int = 0, limit: int = 100) -> list[str]:
    rows = directory.search_people(context, sort=sort, offset=offset, limit=limit)
    return [row.login for row in rows]


@pytest.mark.parametrize("column", sorted(EXPECTED))
def test_each_column_sorts_the_people_and_again_reverses_them(people: Context, column: str) -> None:
    """Sorted by a column, users come in its order (text without regard to case), and
    descending exactly reversed, ties included."""
    assert set(EXPECTED) == set(directory.SORTS)
    assert _logins(people, Sort(column)) == EXPECTED[column]
    assert _logins(people, Sort(column, descending=True)) == EXPECTED[column][::-1]


def test_pages_of_sorted_people_neither_repeat_nor_skip(people: Context) -> None:
    """Taken two at a time, the people sorted by segment are the whole list in order."""
    paged = [login for n in (0, 2, 4, 6) for login in _logins(people, Sort("segment"), n, 2)]
    assert paged == EXPECTED["segment"]


@pytest.mark.parametrize("column", ["roles", "password_hash", "login desc"])
def test_a_column_the_people_list_does_not_offer_is_refused(people: Context, column: str) -> None:
    """A sort by anything but the list's columns is refused with a sentence naming them."""
    with pytest.raises(InvalidInput, match="sorts by login, name, email"):
        directory.search_people(people, sort=Sort(column))
