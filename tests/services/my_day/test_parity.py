"""Each My day section read with plain SQL lists what its ORM twin lists, for every user."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from acctmgr.clock import AdjustableClock
from acctmgr.domain.approvals import Decision, GroupMode
from acctmgr.domain.roles import Role
from acctmgr.services.approvals import deadlines as approval_deadlines
from acctmgr.services.approvals import decisions as approval_decisions
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rules import RATE_REDUCTION_RULE
from acctmgr.services.kernel.context import Context
from acctmgr.services.my_day import day as my_day_service
from acctmgr.services.people.delegations import DelegationIn, set_delegate
from tests.retention_support import customer, reduce_addon, submit, to_quote
from tests.services.approvals.test_approvals import add_user, approval_of, group_rule

LOGINS = ("admin", "ae", "ae2", "cms", "leader", "leader2", "finance", "pricer", "helper")
LATER = date(2026, 12, 12)


@pytest.fixture
def approvals_in_flight(admin: Context, clock: AdjustableClock) -> Context:
    """Two quotes waiting: one for the two leaders and the pricing desk (all of it), one
    half-voted; both leaders' approvals escalated to Customer Success past their SLA."""
    add_user(admin, "pricer", "Pat Pricer", None, Role.FINANCE)
    add_user(admin, "helper", "Hal Helper", None, Role.CUSTOMER_SUCCESS)
    add_user(admin, "leader2", "Lou Leader", "SMB", Role.SEGMENT_LEADER)
    group_rule(admin, GroupMode.ALL, ["finance", "pricer", "cms"])
    rule = next(r for r in approval_rules.rules(admin) if r.name == RATE_REDUCTION_RULE)
    escalating = rule.data.model_copy(update={"escalate_to_role": Role.CUSTOMER_SUCCESS})
    approval_rules.update_rule(admin, rule.id, rule.version, escalating)
    # One open case per contract: the two quotes are two customers'.
    for number, discount in enumerate(("40", "45"), start=1):
        acme = customer(admin, name=f"Acme {number}", contract_number=f"CT-000000{number}")
        case = to_quote(admin, acme)
        reduce_addon(admin, case, discount)
        submit(admin, case.id)
    # Finance votes on the second quote's desk approval: it leaves Finance's list, not Pat's.
    approval_decisions.decide(
        admin.as_user("finance"), approval_of(admin, case, "all of Pricing desk"), Decision.APPROVE
    )
    clock.advance(timedelta(days=5))
    assert approval_deadlines.follow_up(admin).escalated == 2
    return admin


def same_as_the_inbox(admin: Context, login: str) -> list[approval_inbox.InboxItem]:
    """My day's approvals for ``login`` are those of their F4 inbox, in its order; the inbox."""
    user = admin.as_user(login)
    plain = my_day_service.my_day(user).items("approvals")
    orm = approval_inbox.inbox(user)
    assert [(item.key, item.account_id) for item in plain] == [
        (f"approval-{item.approval_id}", item.account_id) for item in orm
    ], login
    return orm


def test_my_day_approvals_are_the_inbox(approvals_in_flight: Context) -> None:
    """The approvals in My day are those of the F4 inbox, in its order, for each user (one
    test for them all: the approvals in flight take seconds to set up)."""
    for login in LOGINS:
        same_as_the_inbox(approvals_in_flight, login)


def test_a_group_member_sees_the_groups_approval_in_my_day(approvals_in_flight: Context) -> None:
    """Pat, in the pricing desk, has both desk approvals waiting in My day (and in F4)."""
    waiting = my_day_service.my_day(approvals_in_flight.as_user("pricer")).items("approvals")
    assert len(waiting) == 2
    finance = my_day_service.my_day(approvals_in_flight.as_user("finance")).items("approvals")
    assert len(finance) == 1


def test_my_day_approvals_are_the_inbox_with_delegates(approvals_in_flight: Context) -> None:
    """With Pat's approvals reaching Hal, Finance's reaching Eli and the leader's reaching
    Erin (who has not the role to take them), My day still lists what F4 lists, for each."""
    admin = approvals_in_flight
    for away, delegate in (("pricer", "helper"), ("finance", "ae2"), ("leader", "ae")):
        data = DelegationIn(delegate_login=delegate, starts_on=date(2026, 11, 23), ends_on=LATER)
        set_delegate(admin.as_user(away), data, confirmed=True)
    for login in LOGINS:
        orm = same_as_the_inbox(admin, login)
        if login in ("helper", "ae2"):
            assert any(item.on_behalf_of for item in orm)
            # Hal is Customer Success too: the leaders' approvals escalated to him are his own.
            assert all(item.on_behalf_of or item.escalated for item in orm)
