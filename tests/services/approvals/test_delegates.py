"""Delegates in the approvals engine: who stands in decides for the approver, once, one level."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import (
    ApprovalDecision,
    ApprovalRequestStatus,
    Decision,
    Delegation,
    GroupMode,
    Role,
    User,
)
from acctmgr.services.approvals import decisions as approval_decisions
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.kernel.context import Context
from acctmgr.services.my_day import day as my_day_service
from acctmgr.services.people.delegations import DelegationIn, revoke_delegation, set_delegate
from acctmgr.services.retention import views
from acctmgr.services.sales import quotes
from tests.retention_support import Customer, customer, reduce_addon, submit, to_quote
from tests.services.approvals.test_approvals import (
    add_user,
    approval_of,
    finance_over_30,
    group_rule,
    request_of,
)

LATER = date(2026, 12, 12)  # the delegations' last day; the tests' today is 23 Nov 2026


@pytest.fixture
def acme(admin: Context) -> Customer:
    """Acme, whose deep discounts need the Segment Leader and Finance, both at tier 1."""
    found = customer(admin)
    finance_over_30(admin, tier=1)
    return found


def away(admin: Context, user: str, delegate: str, starts_on: date | None = None) -> int:
    """``user`` names ``delegate`` from ``starts_on`` (today) to 12 Dec; the delegation's id."""
    data = DelegationIn(
        delegate_login=delegate, starts_on=starts_on or admin.clock.today(), ends_on=LATER
    )
    return set_delegate(admin.as_user(user), data, confirmed=True).id


def pending(admin: Context, acme: Customer) -> views.CaseView:
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "40")
    return submit(admin, case.id)


def user_id(admin: Context, login: str) -> int:
    with admin.database.read_session() as session:
        found = session.scalar(select(User.id).where(User.login == login))
    assert found is not None
    return found


def votes(admin: Context, approval_id: int) -> list[tuple[int, int | None]]:
    with admin.database.read_session() as session:
        rows = session.execute(
            select(ApprovalDecision.user_id, ApprovalDecision.on_behalf_of_id).where(
                ApprovalDecision.approval_id == approval_id
            )
        )
        return [(voter, for_whom) for voter, for_whom in rows]


def test_the_delegate_decides_on_behalf_of_the_approver(admin: Context, acme: Customer) -> None:
    """Eli, standing in for Finance, sees the approval "for Fin Ance", decides it, and the
    decision reads "Eli Executive on behalf of Fin Ance"; Finance then has nothing left."""
    away(admin, "finance", "ae2")
    case = pending(admin, acme)
    eli = admin.as_user("ae2")
    finance = approval_of(admin, case, "Fin Ance")
    (item,) = approval_inbox.inbox(eli)
    assert (item.approval_id, item.on_behalf_of) == (finance, "Fin Ance")
    assert approval_inbox.request_view(eli, item.request_id).mine == finance
    assert approval_decisions.decide(eli, finance, Decision.APPROVE) == "pending"
    assert votes(admin, finance) == [(user_id(admin, "ae2"), user_id(admin, "finance"))]
    decided = {a.approver: a.decided_by for a in request_of(admin, case).approvals}
    assert decided["Fin Ance"] == "Eli Executive on behalf of Fin Ance"
    assert approval_inbox.inbox(admin.as_user("finance")) == []
    with pytest.raises(InvalidInput, match="already decided"):
        approval_decisions.decide(admin.as_user("finance"), finance, Decision.APPROVE)
    approval_decisions.decide(
        admin.as_user("leader"), approval_of(admin, case, "Lee Leader"), Decision.APPROVE
    )
    assert request_of(admin, case).status is ApprovalRequestStatus.APPROVED


def test_the_approver_can_still_decide_while_a_delegate_stands_in(
    admin: Context, acme: Customer
) -> None:
    """Finance decides its own approval while away; it leaves Eli's inbox, recorded as Finance's."""
    away(admin, "finance", "ae2")
    case = pending(admin, acme)
    finance = approval_of(admin, case, "Fin Ance")
    approval_decisions.decide(admin.as_user("finance"), finance, Decision.APPROVE)
    assert votes(admin, finance) == [(user_id(admin, "finance"), None)]
    assert approval_inbox.inbox(admin.as_user("ae2")) == []


def test_the_preview_shows_who_will_really_decide(admin: Context, acme: Customer) -> None:
    """Before submitting, the CMS reads that Eli decides for Finance, who is away."""
    away(admin, "finance", "ae2")
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "40")
    needs = quotes.get_quote(admin.as_user("cms"), case.quote_id or 0).approvals_needed
    assert [need.names for need in needs] == [["Lee Leader"], ["Fin Ance"]]
    assert [need.deciders for need in needs] == [
        ["Lee Leader"],
        ["Fin Ance (away: Eli Executive decides)"],
    ]


def test_a_delegate_without_the_role_leaves_it_to_the_approver(
    admin: Context, acme: Customer
) -> None:
    """Erin, no Segment Leader, standing in for the leader cannot take the leader's approval:
    it is not in her inbox, she is refused, and the preview names the leader alone."""
    away(admin, "leader", "ae")
    case = pending(admin, acme)
    erin = admin.as_user("ae")
    assert approval_inbox.inbox(erin) == []
    with pytest.raises(PermissionDenied, match="someone else's inbox"):
        approval_decisions.decide(erin, approval_of(admin, case, "Lee Leader"), Decision.APPROVE)
    other = to_quote(admin, customer(admin, name="Beta Ltd", contract_number="CT-0000002"))
    reduce_addon(admin, other, "40")
    needs = quotes.get_quote(admin.as_user("cms"), other.quote_id or 0).approvals_needed
    assert needs[0].deciders == ["Lee Leader"]


def test_a_delegate_never_decides_what_they_submitted(admin: Context, acme: Customer) -> None:
    """Casey, standing in for Finance, submitted the quote: Finance's approval stays Finance's."""
    away(admin, "finance", "cms")
    case = pending(admin, acme)
    assert approval_inbox.inbox(admin.as_user("cms")) == []
    with pytest.raises(PermissionDenied, match="You submitted this request"):
        approval_decisions.decide(
            admin.as_user("cms"), approval_of(admin, case, "Fin Ance"), Decision.APPROVE
        )


def test_delegation_goes_one_level_only(admin: Context, acme: Customer) -> None:
    """Were Eli's own delegate stored over the same days, they still decide nothing of
    Finance's: only the approver's delegate stands in."""
    away(admin, "finance", "ae2")
    with admin.database.write_session() as session:  # what set_delegate would refuse
        session.add(
            Delegation(
                user_id=user_id(admin, "ae2"),
                delegate_id=user_id(admin, "leader"),
                starts_on=admin.clock.today(),
                ends_on=LATER,
                created_at=admin.clock.now(),
            )
        )
        session.commit()
    case = pending(admin, acme)
    finance = approval_of(admin, case, "Fin Ance")
    assert finance not in [i.approval_id for i in approval_inbox.inbox(admin.as_user("leader"))]
    with pytest.raises(PermissionDenied):
        approval_decisions.decide(admin.as_user("leader"), finance, Decision.APPROVE)


def test_a_revoked_delegation_no_longer_decides(admin: Context, acme: Customer) -> None:
    """Once Finance revokes it, Eli's inbox is empty and his decision refused."""
    delegation = away(admin, "finance", "ae2")
    case = pending(admin, acme)
    revoke_delegation(admin.as_user("finance"), delegation)
    assert approval_inbox.inbox(admin.as_user("ae2")) == []
    with pytest.raises(PermissionDenied):
        approval_decisions.decide(
            admin.as_user("ae2"), approval_of(admin, case, "Fin Ance"), Decision.APPROVE
        )


def test_a_delegation_decides_only_within_its_days(
    admin: Context, acme: Customer, clock: AdjustableClock
) -> None:
    """Named from Wednesday, Eli decides nothing on Monday; after 12 Dec, nothing again."""
    away(admin, "finance", "ae2", starts_on=date(2026, 11, 25))
    case = pending(admin, acme)
    eli = admin.as_user("ae2")
    finance = approval_of(admin, case, "Fin Ance")
    assert approval_inbox.inbox(eli) == []
    clock.set(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))
    assert [item.approval_id for item in approval_inbox.inbox(eli)] == [finance]
    clock.set(datetime(2026, 12, 13, 0, 0, tzinfo=UTC))
    assert approval_inbox.inbox(eli) == []
    with pytest.raises(PermissionDenied):
        approval_decisions.decide(eli, finance, Decision.APPROVE)


def test_a_group_members_delegate_votes_for_the_member(admin: Context, acme: Customer) -> None:
    """In a desk that needs all its members, Eli's vote for Pat counts as Pat's."""
    add_user(admin, "pricer", "Pat Pricer", None, Role.FINANCE)
    group_rule(admin, GroupMode.ALL, ["finance", "pricer"])
    away(admin, "pricer", "ae2")
    case = pending(admin, acme)
    desk = approval_of(admin, case, "all of Pricing desk")
    (item,) = [i for i in approval_inbox.inbox(admin.as_user("ae2")) if i.approval_id == desk]
    assert item.on_behalf_of == "Pat Pricer"
    approval_decisions.decide(admin.as_user("ae2"), desk, Decision.APPROVE)
    assert approval_inbox.inbox(admin.as_user("pricer")) == []
    for login, approver in (("finance", "all of Pricing desk"), ("finance", "Fin Ance")):
        approval_decisions.decide(
            admin.as_user(login), approval_of(admin, case, approver), Decision.APPROVE
        )
    approval_decisions.decide(
        admin.as_user("leader"), approval_of(admin, case, "Lee Leader"), Decision.APPROVE
    )
    assert request_of(admin, case).status is ApprovalRequestStatus.APPROVED


def test_my_day_shows_the_banner_to_both_and_the_approval_to_the_delegate(
    admin: Context, acme: Customer
) -> None:
    """Finance reads who approves for them; Eli for whom he approves, and the approval is in
    his My day as in his inbox."""
    away(admin, "finance", "ae2")
    pending(admin, acme)
    assert my_day_service.my_day(admin.as_user("finance")).banners == [
        "Eli Executive approves for you until 12 Dec."
    ]
    eli = my_day_service.my_day(admin.as_user("ae2"))
    assert eli.banners == ["You approve for Fin Ance until 12 Dec."]
    assert my_day_service.my_day(admin.as_user("leader")).banners == []
    for login in ("ae2", "finance", "leader", "cms"):
        plain = my_day_service.my_day(admin.as_user(login)).items("approvals")
        orm = approval_inbox.inbox(admin.as_user(login))
        assert [item.key for item in plain] == [f"approval-{item.approval_id}" for item in orm]
    assert eli.items("approvals")[0].detail.endswith("· for Fin Ance")


def test_the_approver_and_the_delegate_deciding_at_once_get_one_decision(
    admin: Context, acme: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finance and Eli, standing in for it, decide Finance's approval at the same moment: one
    vote is recorded, and the other is told it was already decided."""
    away(admin, "finance", "ae2")
    case = pending(admin, acme)
    finance = approval_of(admin, case, "Fin Ance")
    barrier = threading.Barrier(2, timeout=10)
    record_vote = approval_decisions._record_vote
    first_voter: list[int] = []

    def first_lingers(*args: Any) -> None:
        # The first to vote holds its transaction open while the other reads: without the
        # request's row lock, PostgreSQL lets the second read it still pending.
        if not first_voter:
            first_voter.append(threading.get_ident())
            time.sleep(0.3)
        record_vote(*args)

    monkeypatch.setattr(approval_decisions, "_record_vote", first_lingers)
    outcomes: list[str] = []

    def decide(login: str) -> None:
        barrier.wait()
        try:
            approval_decisions.decide(admin.as_user(login), finance, Decision.APPROVE)
            outcomes.append("decided")
        except (Conflict, InvalidInput) as error:
            outcomes.append(error.message)

    threads = [threading.Thread(target=decide, args=(login,)) for login in ("finance", "ae2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["You have already decided this approval.", "decided"]
    assert len(votes(admin, finance)) == 1
