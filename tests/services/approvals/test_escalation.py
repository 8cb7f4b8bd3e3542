"""Escalation: past its SLA an approval goes to its rule's target as well, once, whatever the
workers; the target and the original approver may both decide, and the target is told."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.errors import InvalidInput
from acctmgr.models import (
    Activity,
    ApprovalRequestStatus,
    ApprovalStatus,
    ApproverKind,
    Decision,
    GroupMode,
    OutboxEmail,
    Role,
    User,
)
from acctmgr.services.approvals import deadlines as approval_deadlines
from acctmgr.services.approvals import decisions as approval_decisions
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rules import ONSITE_RULE, RuleIn, RuleView
from acctmgr.services.kernel.context import Context
from acctmgr.services.my_day import day as my_day_service
from acctmgr.services.people import users as user_service
from acctmgr.services.sales import quote_builder as builder
from acctmgr.services.sales.quote_views import QuoteView
from tests.quote_support import Catalogue, catalogue, staff
from tests.services.sales.test_quote_rules import quote_with


@pytest.fixture
def shop(admin: Context) -> Catalogue:
    staff(admin)
    return catalogue(admin, starter_pack=False)


def onsite_rule(admin: Context) -> RuleView:
    return next(rule for rule in approval_rules.rules(admin) if rule.name == ONSITE_RULE)


def escalate(admin: Context, **fields: object) -> RuleView:
    """The on-site support rule (Customer Success, 48 h) escalating as ``fields`` say."""
    rule = onsite_rule(admin)
    data = rule.data.model_copy(update=fields)
    return approval_rules.update_rule(admin, rule.id, rule.version, RuleIn.model_validate(data))


def submitted(admin: Context, shop: Catalogue) -> QuoteView:
    quote = quote_with(admin, shop.onsite)
    builder.submit_quote(admin.as_user("ae"), quote.id, quote.version)
    return quote


def tasks_of(admin: Context, login: str) -> list[str]:
    with admin.database.read_session() as session:
        return list(
            session.scalars(
                select(Activity.subject)
                .join(User, User.id == Activity.assigned_to_id)
                .where(User.login == login)
                .order_by(Activity.id)
            )
        )


def my_day_approvals(admin: Context, login: str) -> list[str]:
    return [item.key for item in my_day_service.my_day(admin.as_user(login)).items("approvals")]


def test_past_its_sla_the_approval_goes_to_the_target_once(
    admin: Context, shop: Catalogue, clock: AdjustableClock
) -> None:
    """Escalating to the Segment Leader at the SLA: the leader gets a task, an inbox item, a
    My day line and an e-mail, once however often the worker runs; Customer Success may still
    decide it."""
    escalate(admin, escalate_to_login="leader")
    quote = submitted(admin, shop)
    assert approval_inbox.inbox(admin.as_user("leader")) == []
    clock.advance(timedelta(hours=47))
    assert approval_deadlines.follow_up(admin).escalated == 0
    clock.advance(timedelta(hours=1, minutes=1))
    assert approval_deadlines.follow_up(admin).escalated == 1
    assert approval_deadlines.follow_up(admin).escalated == 0
    (item,) = approval_inbox.inbox(admin.as_user("leader"))
    assert item.escalated
    assert not approval_inbox.inbox(admin.as_user("success"))[0].escalated
    assert my_day_approvals(admin, "leader") == [f"approval-{item.approval_id}"]
    assert tasks_of(admin, "leader") == [
        f"Escalated to you, decide: quote {quote.number} for Nova GmbH"
    ]
    with admin.database.read_session() as session:
        mails = session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
        escalated = [mail for mail in mails if mail.subject.startswith("Escalated")]
    assert [mail.to_addresses for mail in escalated] == ["leader@example.com"]
    assert "Sam Success has not decided; you may decide it." in escalated[0].body_text
    approval_decisions.decide(admin.as_user("success"), item.approval_id, Decision.APPROVE)
    assert approval_inbox.inbox(admin.as_user("leader")) == []


def test_the_target_decides_in_the_approvers_place(
    admin: Context, shop: Catalogue, clock: AdjustableClock
) -> None:
    escalate(admin, escalate_to_login="leader", escalate_hours=8)
    submitted(admin, shop)
    clock.advance(timedelta(hours=49))
    assert approval_deadlines.follow_up(admin).escalated == 0  # 8 working hours more to go
    clock.advance(timedelta(hours=8))
    assert approval_deadlines.follow_up(admin).escalated == 1
    (item,) = approval_inbox.inbox(admin.as_user("leader"))
    status = approval_decisions.decide(admin.as_user("leader"), item.approval_id, Decision.APPROVE)
    assert status == ApprovalRequestStatus.APPROVED.value
    request = approval_inbox.request_view(admin, item.request_id)
    assert [(a.status, a.decided_by, a.escalated_to) for a in request.approvals] == [
        (ApprovalStatus.APPROVED, "Lee Leader", ["Lee Leader"])
    ]


def test_a_role_target_is_its_holders_in_the_records_segment(
    admin: Context, shop: Catalogue, clock: AdjustableClock
) -> None:
    """To the Segment Leader role: the leader of the quote's segment, not another segment's."""
    user_service.create_user(
        admin,
        user_service.UserIn(
            login="leader_ent",
            name="Eli Enterprise",
            email="eli@example.com",
            segment_code="ENT",
            roles=frozenset({Role.SEGMENT_LEADER}),
        ),
    )
    escalate(admin, escalate_to_role=Role.SEGMENT_LEADER)
    submitted(admin, shop)
    clock.advance(timedelta(hours=49))
    assert approval_deadlines.follow_up(admin).escalated == 1
    assert len(approval_inbox.inbox(admin.as_user("leader"))) == 1
    assert approval_inbox.inbox(admin.as_user("leader_ent")) == []
    assert my_day_approvals(admin, "leader_ent") == []


def test_two_workers_escalate_once(admin: Context, shop: Catalogue, clock: AdjustableClock) -> None:
    escalate(admin, escalate_to_login="leader")
    submitted(admin, shop)
    clock.advance(timedelta(hours=49))
    barrier = threading.Barrier(2, timeout=10)
    counts: list[int] = []

    def work() -> None:
        barrier.wait()
        counts.append(approval_deadlines.follow_up(admin).escalated)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(counts) == [0, 1]
    assert len(tasks_of(admin, "leader")) == 1


@pytest.mark.parametrize(
    ("fields", "sentence", "field"),
    [
        ({"escalate_to_login": "leader", "sla_hours": None}, "give the rule an SLA", "sla_hours"),
        (
            {"escalate_to_login": "leader", "escalate_to_role": Role.FINANCE},
            "one user or to one role, not both",
            "escalate_to",
        ),
        ({"escalate_hours": 4}, "Name whom the approval escalates to.", "escalate_to"),
        ({"escalate_to_login": "nobody"}, "There is no user 'nobody'.", "escalate_to"),
    ],
)
def test_an_escalation_that_cannot_work_is_refused(
    admin: Context, fields: dict[str, object], sentence: str, field: str
) -> None:
    before = onsite_rule(admin)
    with pytest.raises(InvalidInput, match=sentence) as refused:
        escalate(admin, **fields)
    assert refused.value.field == field
    assert onsite_rule(admin) == before


def test_a_deactivated_target_is_refused(admin: Context) -> None:
    leader = next(user for user in user_service.list_users(admin) if user.login == "leader")
    with admin.database.write_session() as session:
        session.get(User, leader.id).active = False  # type: ignore[union-attr]
        session.commit()
    with pytest.raises(InvalidInput, match="Lee Leader is deactivated and cannot approve"):
        escalate(admin, escalate_to_login="leader")


def test_an_escalated_group_of_all_is_decided_by_its_target(
    admin: Context, shop: Catalogue, clock: AdjustableClock
) -> None:
    """Escalated, a group needing all its members is decided by the target's one approval."""
    approval_rules.add_group(admin, "Delivery board", ["success", "presales"])
    escalate(
        admin,
        approver_kind=ApproverKind.GROUP,
        approver_role=None,
        approver_group="Delivery board",
        group_mode=GroupMode.ALL,
        escalate_to_login="leader",
    )
    submitted(admin, shop)
    clock.advance(timedelta(hours=49))
    assert approval_deadlines.follow_up(admin).escalated == 1
    (item,) = approval_inbox.inbox(admin.as_user("leader"))
    status = approval_decisions.decide(admin.as_user("leader"), item.approval_id, Decision.APPROVE)
    assert status == ApprovalRequestStatus.APPROVED.value


def test_an_escalation_never_reaches_the_records_owner(
    admin: Context, shop: Catalogue, clock: AdjustableClock
) -> None:
    """Escalating to the AE who owns the quote: nothing reaches them, in F4 or My day."""
    escalate(admin, escalate_to_login="ae")
    submitted(admin, shop)
    clock.advance(timedelta(hours=49))
    approval_deadlines.follow_up(admin)
    assert approval_inbox.inbox(admin.as_user("ae")) == []
    assert my_day_approvals(admin, "ae") == []
