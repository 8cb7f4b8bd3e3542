"""Naming a delegate: who may, what is refused in one sentence, what is only warned of."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import AuditEvent, Delegation, Role, User
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import deactivation
from acctmgr.services.people.delegations import (
    DelegationIn,
    check_delegate,
    list_delegations,
    revoke_delegation,
    set_delegate,
)
from tests.services.approvals.test_approvals import add_user

# The tests' today is Monday 23 November 2026 (tests/conftest.py NOW).
MONDAY, FRIDAY, LATER = date(2026, 11, 23), date(2026, 11, 27), date(2026, 12, 12)

LEADER_AWAY_WARNING = (
    "Erin Executive is not a Segment Leader in Small business, so Lee Leader's Segment Leader "
    "approvals will still wait for Lee Leader."
)


def away(
    delegate: str, starts_on: date = MONDAY, ends_on: date = LATER, user: str = ""
) -> DelegationIn:
    return DelegationIn(
        delegate_login=delegate, starts_on=starts_on, ends_on=ends_on, user_login=user
    )


def stored(admin: Context) -> list[tuple[int, int, date, date, bool]]:
    with admin.database.read_session() as session:
        rows = session.scalars(select(Delegation).order_by(Delegation.id))
        return [
            (r.user_id, r.delegate_id, r.starts_on, r.ends_on, r.revoked_at is None) for r in rows
        ]


def test_a_user_names_their_own_delegate_and_both_list_it(admin: Context) -> None:
    """Erin names Casey for three weeks: saved, audited, listed to both of them."""
    erin = admin.as_user("ae")
    assert check_delegate(erin, away("cms")) == []
    made = set_delegate(erin, away("cms"))
    assert (made.user, made.delegate, made.active) == ("Erin Executive", "Casey Contracts", True)
    for login in ("ae", "cms"):
        assert [d.id for d in list_delegations(admin.as_user(login))] == [made.id]
    assert list_delegations(admin.as_user("finance")) == []
    assert [d.id for d in list_delegations(admin, everyone=True)] == [made.id]
    with admin.database.read_session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "delegation")
        ).all()
    assert "delegations.set:delegate_set" in actions


def test_only_an_admin_names_someone_elses_delegate_or_lists_everyones(admin: Context) -> None:
    """Casey cannot name Erin's delegate, nor read every delegation; the admin can."""
    with pytest.raises(PermissionDenied):
        set_delegate(admin.as_user("cms"), away("ae2", user="ae"))
    with pytest.raises(PermissionDenied):
        list_delegations(admin.as_user("cms"), everyone=True)
    assert stored(admin) == []
    made = set_delegate(admin, away("cms", user="ae"))
    assert (made.user_login, made.delegate_login) == ("ae", "cms")


@pytest.mark.parametrize(
    ("data", "field", "sentence"),
    [
        (away("ae"), "delegate_login", "Nobody can be your own delegate"),
        (away("nobody"), "delegate_login", "There is no user with the login nobody"),
        (away("cms", LATER, FRIDAY), "ends_on", "The last day comes before the first"),
        (away("cms", date(2026, 11, 2), date(2026, 11, 20)), "ends_on", "over already"),
    ],
)
def test_a_delegate_is_refused_in_one_sentence(
    admin: Context, data: DelegationIn, field: str, sentence: str
) -> None:
    """Oneself, an unknown login and a range backwards or over are refused beside the field."""
    with pytest.raises(InvalidInput, match=sentence) as refused:
        set_delegate(admin.as_user("ae"), data)
    assert refused.value.field == field
    assert stored(admin) == []


def test_a_finance_delegate_without_the_role_is_warned_of(admin: Context) -> None:
    """Finance approves purchase-order exceptions as Finance: a delegate without the role
    leaves those waiting, in one sentence."""
    assert check_delegate(admin.as_user("finance"), away("cms")) == [
        "Casey Contracts does not hold the Finance role, so Fin Ance's Finance approvals will "
        "still wait for Fin Ance."
    ]


def test_a_deactivated_delegate_is_refused(admin: Context) -> None:
    """Someone deactivated can approve nothing, so cannot stand in."""
    deactivation.deactivate_user(admin, "cms")
    with pytest.raises(InvalidInput, match="Casey Contracts is deactivated"):
        check_delegate(admin.as_user("ae"), away("cms"))
    assert stored(admin) == []


def test_overlapping_ranges_of_one_user_are_refused(admin: Context) -> None:
    """A second delegate over some of the same days is refused; after the first is revoked,
    or on other days, it is not."""
    erin = admin.as_user("ae")
    first = set_delegate(erin, away("cms", MONDAY, FRIDAY))
    with pytest.raises(InvalidInput, match="You have Casey Contracts as delegate from 23 Nov"):
        set_delegate(erin, away("ae2", FRIDAY, LATER))
    set_delegate(erin, away("ae2", date(2026, 11, 28), LATER))
    revoke_delegation(erin, first.id)
    set_delegate(erin, away("admin", MONDAY, FRIDAY))
    assert len(stored(admin)) == 3


def test_delegation_goes_one_level_only(admin: Context) -> None:
    """A delegate away themselves over those days is refused, and so is a user who stands in
    for someone else then."""
    set_delegate(admin.as_user("cms"), away("ae2", FRIDAY, LATER), confirmed=True)
    with pytest.raises(InvalidInput, match="Casey Contracts is away from 27 Nov") as refused:
        set_delegate(admin.as_user("ae"), away("cms", MONDAY, FRIDAY))
    assert refused.value.field == "delegate_login"
    with pytest.raises(InvalidInput, match="you stand in for Casey Contracts"):
        set_delegate(admin.as_user("ae2"), away("ae", MONDAY, FRIDAY))
    # Before Casey's days away, Casey may stand in.
    set_delegate(admin.as_user("ae"), away("cms", MONDAY, date(2026, 11, 26)))


def test_a_delegate_without_the_role_is_warned_of_and_saved_once_confirmed(
    admin: Context,
) -> None:
    """The leader naming an Account Executive is warned their Segment Leader approvals stay
    theirs; unconfirmed it is refused with that sentence, confirmed it is saved."""
    leader = admin.as_user("leader")
    assert check_delegate(leader, away("ae")) == [LEADER_AWAY_WARNING]
    with pytest.raises(InvalidInput, match="is not a Segment Leader in Small business"):
        set_delegate(leader, away("ae"))
    assert stored(admin) == []
    made = set_delegate(leader, away("ae"), confirmed=True)
    assert made.warnings == [LEADER_AWAY_WARNING]


def test_a_leader_of_another_segment_is_warned_of_and_one_of_the_same_is_not(
    admin: Context,
) -> None:
    """A Segment Leader in Enterprise cannot take Small business approvals; one in it can."""
    add_user(admin, "entlead", "Ena Leader", "ENT", Role.SEGMENT_LEADER)
    add_user(admin, "smblead", "Sam Leader", "SMB", Role.SEGMENT_LEADER)
    leader = admin.as_user("leader")
    assert check_delegate(leader, away("entlead")) == [
        "Ena Leader is not a Segment Leader in Small business, so Lee Leader's Segment Leader "
        "approvals will still wait for Lee Leader."
    ]
    assert check_delegate(leader, away("smblead")) == []


def test_revoking_is_for_the_two_people_and_admins(admin: Context) -> None:
    """Someone else is refused; the delegate may decline; it is gone from the lists."""
    made = set_delegate(admin.as_user("ae"), away("cms"))
    with pytest.raises(PermissionDenied):
        revoke_delegation(admin.as_user("finance"), made.id)
    revoke_delegation(admin.as_user("cms"), made.id)
    assert list_delegations(admin.as_user("ae")) == []
    with pytest.raises(InvalidInput, match="revoked already"):
        revoke_delegation(admin, made.id)
    # Named again from the same day, the revoked one is taken up again.
    again = set_delegate(admin.as_user("ae"), away("cms", ends_on=FRIDAY))
    assert again.id == made.id
    assert stored(admin) == [(user_id(admin, "ae"), user_id(admin, "cms"), MONDAY, FRIDAY, True)]


def user_id(admin: Context, login: str) -> int:
    with admin.database.read_session() as session:
        found = session.scalar(select(User.id).where(User.login == login))
    assert found is not None
    return found


def test_two_overlapping_delegations_set_at_once_are_not_both_saved(admin: Context) -> None:
    """Erin names Casey while an admin names Eli for her over the same days: one is saved,
    the other is refused as overlapping."""
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def name(context: Context, delegate: str, user: str) -> None:
        barrier.wait()
        try:
            set_delegate(context, away(delegate, user=user))
            outcomes.append("saved")
        except InvalidInput as error:
            outcomes.append(error.message)

    threads = [
        threading.Thread(target=name, args=(admin.as_user("ae"), "cms", "")),
        threading.Thread(target=name, args=(admin, "ae2", "ae")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes)[-1] == "saved"
    assert "as delegate from 23 Nov to 12 Dec 2026 already" in sorted(outcomes)[0]
    assert len(stored(admin)) == 1
