"""Smart approvals: what an approver gave carries over a rejection or recall while the facts
their rule reads are unchanged, and the preview says so before submission does it."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import (
    Approval,
    ApprovalRequestStatus,
    ApprovalStatus,
    ApproverKind,
    AuditEvent,
    Decision,
    Role,
    User,
)
from acctmgr.services.approvals import decisions as approval_decisions
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.approvals import preview as approval_preview
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rules import RuleIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import users as user_service
from acctmgr.services.retention import views
from acctmgr.services.sales import quotes
from tests.retention_support import Customer, customer, reduce_addon, submit, to_quote

LEADER_OVER_20 = "Discounts above 20% need the Segment Leader"
FINANCE_OVER_30 = "Discounts above 30% need Finance, smartly"


def smart_rules(admin: Context) -> None:
    """The default rules off, and two smart ones on the discount: the segment's leader above
    20% (tier 1), Finance above 30% (tier 2)."""
    for rule in approval_rules.rules(admin):
        approval_rules.update_rule(admin, rule.id, rule.version, rule.data, active=False)
    for name, tier, role, threshold in (
        (LEADER_OVER_20, 1, Role.SEGMENT_LEADER, "20"),
        (FINANCE_OVER_30, 2, Role.FINANCE, "30"),
    ):
        approval_rules.add_rule(
            admin,
            RuleIn(
                name=name,
                record_type=RecordType.QUOTE,
                condition={"field": "discount_pct", "op": ">", "value": threshold},
                tier=tier,
                approver_kind=ApproverKind.ROLE_IN_SEGMENT,
                approver_role=role,
                sla_hours=48,
                smart=True,
            ),
        )


@pytest.fixture
def acme(admin: Context) -> Customer:
    """Acme, under the two smart rules of ``smart_rules``."""
    smart_rules(admin)
    return customer(admin)


def leader_rule_reads_the_kind(admin: Context) -> None:
    """The leader's rule reads the opportunity's kind instead: no discount edit changes it."""
    rule = next(r for r in approval_rules.rules(admin) if r.name == LEADER_OVER_20)
    data = rule.data.model_copy(
        update={"condition": {"field": "opportunity_kind", "op": "==", "value": "rate_reduction"}}
    )
    approval_rules.update_rule(admin, rule.id, rule.version, data)


def latest(admin: Context, case: views.CaseView) -> approval_inbox.RequestView:
    found = approval_inbox.latest_for(admin, RecordType.QUOTE, case.quote_id or 0)
    assert found is not None
    return found


def decide(admin: Context, case: views.CaseView, login: str, decision: Decision) -> None:
    request = latest(admin, case)
    approver = admin.as_user(login)
    mine = approval_inbox.request_view(approver, request.id).mine
    assert mine is not None, request.approvals
    approval_decisions.decide(
        approver, mine, decision, "No." if decision is Decision.REJECT else ""
    )


def needs(admin: Context, case: views.CaseView) -> dict[str, tuple[bool, str]]:
    """The quote's preview: each rule, whether it carries over and the sentence."""
    found = quotes.get_quote(admin.as_user("cms"), case.quote_id or 0).approvals_needed
    return {need.rule: (need.carried, need.carry_over) for need in found}


def submitted(admin: Context, case: views.CaseView) -> dict[str, ApprovalStatus]:
    return {a.rule: a.status for a in latest(admin, case).approvals}


def rejected_by_finance(admin: Context, acme: Customer, discount: str) -> views.CaseView:
    """The leader approved ``discount``% at tier 1, and Finance rejected it at tier 2."""
    case = to_quote(admin, acme)
    reduce_addon(admin, case, discount)
    case = submit(admin, case.id)
    decide(admin, case, "leader", Decision.APPROVE)
    decide(admin, case, "finance", Decision.REJECT)
    return views.get_case(admin, case.id)


def test_an_unchanged_approval_carries_over_a_later_rejection(
    admin: Context, acme: Customer
) -> None:
    """Finance rejects 35%; the leader's rule reads what did not change, so their approval is
    carried over to the resubmission, recorded with the approval it came from."""
    leader_rule_reads_the_kind(admin)
    case = rejected_by_finance(admin, acme, "35")
    first = latest(admin, case)
    given = next(a for a in first.approvals if a.rule == LEADER_OVER_20)
    reduce_addon(admin, case, "32")
    carried, sentence = needs(admin, case)[LEADER_OVER_20]
    assert carried
    assert sentence == (
        f"carried over: Lee Leader approved this opportunity kind of rate reduction on "
        f"{given.decided_at:%-d %b} and it is unchanged"
    )
    assert needs(admin, case)[FINANCE_OVER_30] == (False, "")  # Finance rejected: asked again
    case = submit(admin, case.id)
    again = latest(admin, case)
    assert submitted(admin, case) == {
        LEADER_OVER_20: ApprovalStatus.CARRIED_OVER,
        FINANCE_OVER_30: ApprovalStatus.PENDING,
    }
    assert again.current_tier == 2
    with admin.database.read_session() as session:
        row = session.scalar(
            select(Approval).where(
                Approval.request_id == again.id, Approval.status == ApprovalStatus.CARRIED_OVER
            )
        )
        assert row is not None
        assert (row.carried_from_id, row.decided_by_id) == (given.id, row.approver_id)
        action = session.scalar(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == RecordType.APPROVAL,
                AuditEvent.entity_id == row.id,
                AuditEvent.action.like("%:carried_over"),
            )
        )
    assert action is not None
    decide(admin, case, "finance", Decision.APPROVE)
    assert latest(admin, case).status is ApprovalRequestStatus.APPROVED


def test_a_changed_fact_asks_again_and_says_what_changed(admin: Context, acme: Customer) -> None:
    case = rejected_by_finance(admin, acme, "35")
    reduce_addon(admin, case, "32")
    assert needs(admin, case)[LEADER_OVER_20] == (
        False,
        "needed again: the discount changed from 35% to 32%",
    )
    case = submit(admin, case.id)
    assert submitted(admin, case)[LEADER_OVER_20] is ApprovalStatus.PENDING
    assert latest(admin, case).current_tier == 1


def test_the_same_value_typed_differently_is_unchanged(admin: Context, acme: Customer) -> None:
    """35 and 35.00 are one discount: the live preview of a typed edit carries it over."""
    leader_rule_reads_the_kind(admin)
    case = rejected_by_finance(admin, acme, "35")
    reduce_addon(admin, case, "35.00")
    assert needs(admin, case)[LEADER_OVER_20][0]
    preview = approval_preview.preview(admin.as_user("cms"), RecordType.QUOTE, case.quote_id or 0)
    assert [need.carried for need in preview] == [True, False]


def test_an_approver_who_lost_the_role_is_asked_again_with_that_reason(
    admin: Context, acme: Customer
) -> None:
    leader_rule_reads_the_kind(admin)
    case = rejected_by_finance(admin, acme, "35")
    user_service.create_user(
        admin,
        user_service.UserIn(
            login="leader2",
            name="Lou Leader",
            email="lou@example.com",
            segment_code="SMB",
            roles=frozenset({Role.SEGMENT_LEADER}),
        ),
    )
    leader = next(user for user in user_service.list_users(admin) if user.login == "leader")
    user_service.set_roles(admin, "leader", frozenset({Role.FINANCE}), leader.version)
    assert needs(admin, case)[LEADER_OVER_20] == (
        False,
        "needed again: Lee Leader is no longer a Segment Leader",
    )
    case = submit(admin, case.id)
    assert submitted(admin, case)[LEADER_OVER_20] is ApprovalStatus.PENDING


def test_a_recalled_request_carries_over_too_and_all_given_is_approved_at_once(
    admin: Context, acme: Customer
) -> None:
    """An approved quote edited in a way its rule does not read lapses, and its resubmission
    needs nothing new: the approval carries over and the request is approved at once."""
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "25")  # only the leader's rule applies
    case = submit(admin, case.id)
    decide(admin, case, "leader", Decision.APPROVE)
    assert latest(admin, case).status is ApprovalRequestStatus.APPROVED
    reduce_addon(admin, case, "25.0")  # an edit after approval: the approval lapses
    assert needs(admin, case) == {
        LEADER_OVER_20: (True, needs(admin, case)[LEADER_OVER_20][1]),
    }
    case = submit(admin, case.id)
    request = latest(admin, case)
    assert request.status is ApprovalRequestStatus.APPROVED
    assert [a.status for a in request.approvals] == [ApprovalStatus.CARRIED_OVER]
    assert request.approvals[0].turnaround.sentence == "carried over from the last round"


def test_a_recall_carries_the_given_approvals_over(admin: Context, acme: Customer) -> None:
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "35")
    case = submit(admin, case.id)
    decide(admin, case, "leader", Decision.APPROVE)
    approval_requests.recall(admin.as_user("cms"), latest(admin, case).id)
    assert needs(admin, case)[LEADER_OVER_20][0]
    case = submit(admin, views.get_case(admin, case.id).id)
    assert submitted(admin, case) == {
        LEADER_OVER_20: ApprovalStatus.CARRIED_OVER,
        FINANCE_OVER_30: ApprovalStatus.PENDING,
    }


def test_a_rule_that_is_not_smart_asks_again(admin: Context, acme: Customer) -> None:
    rule = next(r for r in approval_rules.rules(admin) if r.name == LEADER_OVER_20)
    approval_rules.update_rule(
        admin, rule.id, rule.version, rule.data.model_copy(update={"smart": False})
    )
    leader_rule_reads_the_kind(admin)
    case = rejected_by_finance(admin, acme, "35")
    assert needs(admin, case)[LEADER_OVER_20] == (False, "")
    case = submit(admin, case.id)
    assert submitted(admin, case)[LEADER_OVER_20] is ApprovalStatus.PENDING


def test_a_smart_rule_must_read_a_fact(admin: Context) -> None:
    with pytest.raises(InvalidInput, match="reads none of a quote's facts") as refused:
        approval_rules.add_rule(
            admin,
            RuleIn(
                name="Red quotes",
                record_type=RecordType.QUOTE,
                condition={"field": "colour", "op": "==", "value": "red"},
                approver_kind=ApproverKind.ROLE_IN_SEGMENT,
                approver_role=Role.FINANCE,
                smart=True,
            ),
        )
    assert refused.value.field == "smart"
    assert "Red quotes" not in [rule.name for rule in approval_rules.rules(admin)]


def test_the_preview_promises_what_submission_does_over_random_edits(
    admin: Context, acme: Customer
) -> None:
    """Eight rounds of random discounts, each rejected by Finance or recalled at a random
    tier: each submission makes exactly the carry-overs its preview showed."""
    rng = random.Random(15)
    case = to_quote(admin, acme)
    seen: set[bool] = set()
    for _ in range(8):
        reduce_addon(admin, case, rng.choice(["22", "25", "31", "35", "35.00", "40"]))
        promised = {rule: carried for rule, (carried, _) in needs(admin, case).items()}
        case = submit(admin, case.id)
        made = {
            rule: status is ApprovalStatus.CARRIED_OVER
            for rule, status in submitted(admin, case).items()
        }
        assert made == promised
        seen |= set(made.values())
        request = latest(admin, case)
        while request.status is ApprovalRequestStatus.PENDING:
            tier = request.current_tier
            login = "leader" if tier == 1 else "finance"
            if rng.random() < 0.3:
                approval_requests.recall(admin.as_user("cms"), request.id)
            elif tier == 2 and rng.random() < 0.6:
                decide(admin, case, login, Decision.REJECT)
            else:
                decide(admin, case, login, Decision.APPROVE)
            request = latest(admin, case)
        case = views.get_case(admin, case.id)
    assert seen == {True, False}  # the rounds both carried approvals over and asked again


def test_an_approval_needed_again_with_nobody_to_give_it_blocks_in_preview_and_submission(
    admin: Context, acme: Customer
) -> None:
    """Lee approved, then was deactivated with no other leader in the segment: the preview
    says nobody can approve it, and submission refuses with the same sentence."""
    leader_rule_reads_the_kind(admin)
    case = rejected_by_finance(admin, acme, "35")
    with admin.database.write_session() as session:
        leader = session.scalar(select(User).where(User.login == "leader"))
        assert leader is not None
        leader.active = False
        session.commit()
    found = quotes.get_quote(admin.as_user("cms"), case.quote_id or 0).approvals_needed
    need = next(need for need in found if need.rule == LEADER_OVER_20)
    assert (need.carried, need.carry_over) == (False, "needed again: Lee Leader was deactivated")
    assert need.blocked.startswith("Nobody but you can give the approval")
    with pytest.raises(InvalidInput, match="Nobody but you can give the approval"):
        submit(admin, case.id)
