"""The approvals engine: conditions, who decides, tiers, groups, records bound to versions."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from acctmgr.domain.records import RecordType
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import (
    ApprovalRequest,
    ApprovalRequestStatus,
    ApprovalRule,
    ApprovalStatus,
    ApproverKind,
    Decision,
    GroupMode,
    Quote,
    QuoteStatus,
    RetentionStep,
    Role,
    Segment,
    User,
)
from acctmgr.services.approvals import conditions
from acctmgr.services.approvals import decisions as approval_decisions
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rules import RuleIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import run_use_case
from acctmgr.services.people import users as user_service
from acctmgr.services.retention import quote_approval, signing, views
from acctmgr.services.retention.inputs import ReviewIn, SendContractIn
from acctmgr.services.sales import quotes
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn
from tests import factories
from tests.retention_support import (
    Customer,
    customer,
    reduce_addon,
    stored_state,
    submit,
    to_quote,
)

LEADER_ONLY = [["Lee Leader"]]


@pytest.fixture
def acme(admin: Context) -> Customer:
    return customer(admin)


def pending(admin: Context, acme: Customer, discount: str = "30") -> views.CaseView:
    """A case whose quote (add-on at ``discount``%) waits for approval."""
    case = to_quote(admin, acme)
    reduce_addon(admin, case, discount)
    return submit(admin, case.id)


def request_of(admin: Context, case: views.CaseView) -> approval_inbox.RequestView:
    found = approval_inbox.latest_for(admin, RecordType.QUOTE, case.quote_id or 0)
    assert found is not None
    return found


def approval_of(admin: Context, case: views.CaseView, approver: str) -> int:
    """The id of the approval shown as ``approver`` (a name, or "all of Group") on the request."""
    ids = [a.id for a in request_of(admin, case).approvals if a.approver == approver]
    assert len(ids) == 1, request_of(admin, case).approvals
    return ids[0]


def add_user(admin: Context, login: str, name: str, segment: str | None, role: Role) -> None:
    user_service.create_user(
        admin,
        user_service.UserIn(
            login=login,
            name=name,
            email=f"{login}@example.com",
            segment_code=segment,
            roles=frozenset({role}),
        ),
    )


def finance_over_30(admin: Context, tier: int = 2) -> None:
    approval_rules.add_rule(
        admin,
        RuleIn(
            name="Deep discounts need Finance",
            record_type="quote",
            condition={"field": "discount_pct", "op": ">", "value": "30"},
            tier=tier,
            approver_kind=ApproverKind.USER,
            approver_login="finance",
        ),
    )


def group_rule(admin: Context, mode: GroupMode, members: list[str]) -> None:
    approval_rules.add_group(admin, "Pricing desk", members)
    approval_rules.add_rule(
        admin,
        RuleIn(
            name="Deep discounts need the pricing desk",
            record_type="quote",
            condition={"field": "discount_pct", "op": ">", "value": "30"},
            approver_kind=ApproverKind.GROUP,
            approver_group="Pricing desk",
            group_mode=mode,
        ),
    )


def is_approved(admin: Context, quote_id: int) -> bool:
    version = quotes.get_quote(admin, quote_id).version
    return run_use_case(
        admin,
        "test.is_approved",
        False,
        False,
        approval_requests.is_approved,
        "quote",
        quote_id,
        version,
    )


def statuses(admin: Context, case: views.CaseView) -> list[tuple[int, str, ApprovalStatus]]:
    """(tier, approver, status) of each approval; within a tier their order is not stored."""
    return sorted((a.tier, a.approver, a.status) for a in request_of(admin, case).approvals)


# --- conditions -------------------------------------------------------------------------------

FACTS: dict[str, Any] = {
    "discount_pct": Decimal("30.00"),
    "net_total_minor": 1_080_00,
    "currency": "USD",
    "opportunity_kind": "rate_reduction",
    "off_catalogue": False,
    "reduction_pct": None,
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "discount_pct", "op": "==", "value": "30"}, True),  # 30.00 == "30"
        ({"field": "discount_pct", "op": "==", "value": 30}, True),
        ({"field": "discount_pct", "op": ">", "value": "30"}, False),
        ({"field": "discount_pct", "op": ">", "value": "29.99"}, True),
        ({"field": "discount_pct", "op": ">=", "value": "30"}, True),
        ({"field": "discount_pct", "op": ">=", "value": "30.01"}, False),
        ({"field": "discount_pct", "op": "<", "value": "4"}, False),  # not compared as text
        ({"field": "net_total_minor", "op": ">", "value": "99999"}, True),
        ({"field": "currency", "op": "in", "value": ["USD", "EUR"]}, True),
        ({"field": "currency", "op": "in", "value": ["GBP"]}, False),
        ({"field": "discount_pct", "op": "in", "value": ["10", "30.0"]}, True),
        ({"field": "off_catalogue", "op": "==", "value": False}, True),
        ({"field": "currency", "op": ">", "value": "10"}, False),  # text against a number
        ({"field": "nothing_like_it", "op": "==", "value": "x"}, False),  # missing fact
        ({"field": "nothing_like_it", "op": "!=", "value": "x"}, False),
        ({"field": "reduction_pct", "op": ">=", "value": "0"}, False),  # fact with no value
        (
            {
                "all": [
                    {"field": "opportunity_kind", "op": "==", "value": "rate_reduction"},
                    {"field": "discount_pct", "op": ">=", "value": "30"},
                ]
            },
            True,
        ),
        (
            {
                "all": [
                    {"field": "opportunity_kind", "op": "==", "value": "rate_reduction"},
                    {"field": "discount_pct", "op": ">", "value": "30"},
                ]
            },
            False,
        ),
        (
            {
                "any": [
                    {"field": "discount_pct", "op": ">", "value": "50"},
                    {"field": "currency", "op": "==", "value": "USD"},
                ]
            },
            True,
        ),
        (
            {
                "any": [
                    {"field": "discount_pct", "op": ">", "value": "50"},
                    {"field": "missing", "op": "==", "value": "USD"},
                ]
            },
            False,
        ),
        ({"not": {"field": "currency", "op": "==", "value": "USD"}}, False),
        ({"not": {"field": "discount_pct", "op": ">", "value": "30"}}, True),
    ],
)
def test_a_condition_matches_the_facts(condition: dict[str, Any], expected: bool) -> None:
    """Conditions compare numbers as Decimal, combine with all/any/not, and skip missing facts."""
    conditions.check_condition(condition)
    assert conditions.matches(condition, FACTS) is expected


@pytest.mark.parametrize(
    "condition",
    [
        "discount_pct > 20",
        ["discount_pct"],
        {},
        {"all": []},
        {"any": {"field": "discount_pct", "op": ">", "value": "20"}},
        {"all": [{"field": "discount_pct", "op": ">", "value": "20"}, {"op": ">"}]},
        {"not": "discount_pct > 20"},
        {"field": "discount_pct", "op": ">"},
        {"field": "discount_pct", "value": "20"},
        {"field": 3, "op": ">", "value": "20"},
        {"field": "discount_pct", "op": "=>", "value": "20"},
        {"field": "discount_pct", "op": "between", "value": ["1", "2"]},
    ],
)
def test_a_malformed_condition_is_refused(condition: Any) -> None:
    """check_condition refuses a condition the engine could not evaluate."""
    with pytest.raises(InvalidInput) as raised:
        conditions.check_condition(condition)
    assert raised.value.field == "condition"


def test_a_rule_with_a_malformed_condition_is_not_saved(admin: Context) -> None:
    """add_rule checks the condition before saving; nothing is stored when it is refused."""
    before = approval_rules.rules(admin)
    with pytest.raises(InvalidInput, match="op is one of"):
        approval_rules.add_rule(
            admin,
            RuleIn(
                name="Broken",
                record_type="quote",
                condition={"field": "discount_pct", "op": "~", "value": "1"},
                approver_kind=ApproverKind.USER,
                approver_login="finance",
            ),
        )
    assert approval_rules.rules(admin) == before


def test_a_second_rule_of_the_same_name_is_refused(admin: Context) -> None:
    """A rule's name is its own, whatever the case: a second one is refused, naming the first."""

    def rule(name: str) -> RuleIn:
        return RuleIn(
            name=name,
            record_type="quote",
            condition={"field": "discount_pct", "op": ">", "value": "50"},
            approver_kind=ApproverKind.USER,
            approver_login="finance",
        )

    before = approval_rules.rules(admin)
    taken = approval_rules.DISCOUNT_RULE
    with pytest.raises(InvalidInput, match=f'already a rule called "{taken}"') as refused:
        approval_rules.add_rule(admin, rule(taken.upper()))
    assert refused.value.field == "name"
    assert approval_rules.rules(admin) == before
    added = approval_rules.add_rule(admin, rule("Deep discounts"))
    with pytest.raises(InvalidInput, match="already a rule called"):
        approval_rules.update_rule(admin, added.id, added.version, rule(taken.lower()))
    kept = approval_rules.update_rule(admin, added.id, added.version, rule("DEEP discounts"))
    assert kept.name == "DEEP discounts"  # its own name, in another case, is still its own


def test_only_an_admin_adds_rules_and_groups(admin: Context) -> None:
    """A Segment Leader cannot change who approves what."""
    leader = admin.as_user("leader")
    with pytest.raises(PermissionDenied):
        finance_over_30(leader)
    with pytest.raises(PermissionDenied):
        approval_rules.add_group(leader, "Friends", ["leader"])
    assert len(approval_rules.rules(admin)) == len(approval_rules.DEFAULT_RULES)


# --- who may decide ---------------------------------------------------------------------------


def test_the_segment_leader_approves_and_the_case_moves_to_signature(
    admin: Context, acme: Customer
) -> None:
    """The Segment Leader of the account's segment approves; the quote and case move on."""
    case = pending(admin, acme)
    assert case.step is RetentionStep.APPROVAL
    leader = admin.as_user("leader")
    status = approval_decisions.decide(
        leader, approval_of(admin, case, "Lee Leader"), Decision.APPROVE
    )
    assert status == "approved"
    assert quotes.get_quote(admin, case.quote_id or 0).status is QuoteStatus.APPROVED
    assert views.get_case(admin, case.id).step is RetentionStep.SIGNATURE
    assert is_approved(admin, case.quote_id or 0)


@pytest.mark.parametrize(
    ("login", "error", "sentence"),
    [
        ("cms", PermissionDenied, "You submitted this request"),
        ("ae", PermissionDenied, "someone else's inbox"),
        ("finance", PermissionDenied, "someone else's inbox"),
        ("admin", PermissionDenied, "someone else's inbox"),
    ],
)
def test_nobody_but_the_approver_decides(
    admin: Context, acme: Customer, login: str, error: type[Exception], sentence: str
) -> None:
    """The submitter, the AE, Finance and an admin cannot decide the leader's approval."""
    case = pending(admin, acme)
    approval_id = approval_of(admin, case, "Lee Leader")
    before = stored_state(admin)
    for decision, comment in ((Decision.APPROVE, ""), (Decision.REJECT, "No.")):
        with pytest.raises(error, match=sentence):
            approval_decisions.decide(admin.as_user(login), approval_id, decision, comment)
    assert stored_state(admin) == before


def test_an_account_executive_of_another_segment_cannot_decide(
    admin: Context, acme: Customer
) -> None:
    """ae2 (Enterprise) cannot even see the Small business quote's approval."""
    case = pending(admin, acme)
    approval_id = approval_of(admin, case, "Lee Leader")
    before = stored_state(admin)
    with pytest.raises(PermissionDenied):
        approval_decisions.decide(admin.as_user("ae2"), approval_id, Decision.APPROVE)
    assert stored_state(admin) == before


def test_a_segment_leader_of_another_segment_cannot_approve(admin: Context, acme: Customer) -> None:
    """The Enterprise Segment Leader is not asked, and cannot decide the SMB leader's approval."""
    add_user(admin, "leader2", "Lou Leader", "ENT", Role.SEGMENT_LEADER)
    case = pending(admin, acme)
    assert [a.approver for a in request_of(admin, case).approvals] == ["Lee Leader"]
    assert approval_inbox.inbox(admin.as_user("leader2")) == []
    before = stored_state(admin)
    with pytest.raises(PermissionDenied):
        approval_decisions.decide(
            admin.as_user("leader2"), approval_of(admin, case, "Lee Leader"), Decision.APPROVE
        )
    assert stored_state(admin) == before


def move_to_segment(admin: Context, login: str, code: str) -> None:
    with admin.database.write_session() as session:
        segment_id = session.scalar(select(Segment.id).where(Segment.code == code))
        user = session.scalars(select(User).where(User.login == login)).one()
        user.segment_id = segment_id
        session.commit()


def test_a_leader_moved_to_another_segment_after_submission_cannot_approve(
    admin: Context, acme: Customer
) -> None:
    """The role is checked when deciding: a leader now in Enterprise cannot approve SMB's quote."""
    case = pending(admin, acme)
    approval_id = approval_of(admin, case, "Lee Leader")
    move_to_segment(admin, "leader", "ENT")
    before = stored_state(admin)
    with pytest.raises(PermissionDenied):
        approval_decisions.decide(admin.as_user("leader"), approval_id, Decision.APPROVE)
    assert stored_state(admin) == before


def test_a_leader_who_lost_the_role_after_submission_cannot_approve(
    admin: Context, acme: Customer
) -> None:
    """Taking away the Segment Leader role takes away the approval at once."""
    case = pending(admin, acme)
    approval_id = approval_of(admin, case, "Lee Leader")
    leader = next(u for u in user_service.list_users(admin) if u.login == "leader")
    user_service.set_roles(admin, "leader", frozenset({Role.ACCOUNT_EXECUTIVE}), leader.version)
    before = stored_state(admin)
    with pytest.raises(PermissionDenied, match="someone else's inbox"):
        approval_decisions.decide(admin.as_user("leader"), approval_id, Decision.APPROVE)
    assert stored_state(admin) == before


def test_nobody_approves_a_record_they_own(admin: Context, acme: Customer) -> None:
    """Even named as its approver, the quote's owner cannot approve it."""
    request_id = factories.pending_quote_approval(
        admin, acme.account_id, "Q-900001", submitter="ae", approver="leader"
    )
    with admin.database.write_session() as session:
        quote_id = session.scalars(
            select(ApprovalRequest.record_id).where(ApprovalRequest.id == request_id)
        ).one()
        # A plain UPDATE: the quote keeps the version its request was bound to.
        session.execute(
            update(Quote)
            .where(Quote.id == quote_id)
            .values(owner_id=factories.user_id(admin, "leader"))
        )
        session.commit()
    request = approval_inbox.request_view(admin, request_id)
    before = stored_state(admin)
    with pytest.raises(PermissionDenied, match="You own the quote"):
        approval_decisions.decide(
            admin.as_user("leader"), request.approvals[0].id, Decision.APPROVE
        )
    assert stored_state(admin) == before


def test_nobody_approves_twice(admin: Context, acme: Customer) -> None:
    """A decided request cannot be decided again, by the same approver or another."""
    case = pending(admin, acme)
    approval_id = approval_of(admin, case, "Lee Leader")
    leader = admin.as_user("leader")
    approval_decisions.decide(leader, approval_id, Decision.APPROVE)
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match="already approved"):
        approval_decisions.decide(leader, approval_id, Decision.APPROVE)
    with pytest.raises(InvalidInput, match="already approved"):
        approval_decisions.decide(leader, approval_id, Decision.REJECT, "Changed my mind.")
    assert stored_state(admin) == before


def test_a_rejection_needs_a_comment(admin: Context, acme: Customer) -> None:
    """Rejecting without a comment (or with blanks) is refused and changes nothing."""
    case = pending(admin, acme)
    approval_id = approval_of(admin, case, "Lee Leader")
    before = stored_state(admin)
    for comment in ("", "   "):
        with pytest.raises(InvalidInput, match="Say why you reject it") as raised:
            approval_decisions.decide(
                admin.as_user("leader"), approval_id, Decision.REJECT, comment
            )
        assert raised.value.field == "comment"
    assert stored_state(admin) == before
    approval_decisions.decide(admin.as_user("leader"), approval_id, Decision.REJECT, "Too deep.")
    case = views.get_case(admin, case.id)
    assert (case.step, case.rejection_comment) == (RetentionStep.QUOTE, "Too deep.")
    assert quotes.get_quote(admin, case.quote_id or 0).status is QuoteStatus.REJECTED


def test_a_recalled_request_cannot_be_approved(admin: Context, acme: Customer) -> None:
    """Once the submitter recalls it, the approval is gone from the inbox and cannot be given."""
    case = pending(admin, acme)
    approval_id = approval_of(admin, case, "Lee Leader")
    approval_requests.recall(admin.as_user("cms"), request_of(admin, case).id)
    assert quotes.get_quote(admin, case.quote_id or 0).status is QuoteStatus.DRAFT
    assert approval_inbox.inbox(admin.as_user("leader")) == []
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match="recalled"):
        approval_decisions.decide(admin.as_user("leader"), approval_id, Decision.APPROVE)
    assert stored_state(admin) == before
    assert not is_approved(admin, case.quote_id or 0)


def test_only_the_submitter_recalls(admin: Context, acme: Customer) -> None:
    """The leader, the AE or an admin cannot recall the CMS's request."""
    case = pending(admin, acme)
    request_id = request_of(admin, case).id
    before = stored_state(admin)
    for login in ("leader", "ae", "admin"):
        with pytest.raises(PermissionDenied, match="Only the person who submitted"):
            approval_requests.recall(admin.as_user(login), request_id)
    with pytest.raises(PermissionDenied):
        quote_approval.recall_approval(admin.as_user("ae"), case.id, case.version)
    assert stored_state(admin) == before
    approval_requests.recall(admin.as_user("cms"), request_id)
    with pytest.raises(InvalidInput, match="already recalled"):
        approval_requests.recall(admin.as_user("cms"), request_id)


def test_a_request_whose_record_changed_cannot_be_approved(admin: Context, acme: Customer) -> None:
    """A request is bound to the quote's version: a quote changed behind it is a Conflict."""
    case = pending(admin, acme)
    approval_id = approval_of(admin, case, "Lee Leader")
    with admin.database.write_session() as session:
        quote = session.get(Quote, case.quote_id)
        assert quote is not None
        quote.territory = "Changed behind the engine's back"
        session.commit()
    before = stored_state(admin)
    with pytest.raises(Conflict, match="changed after it was submitted"):
        approval_decisions.decide(admin.as_user("leader"), approval_id, Decision.APPROVE)
    assert stored_state(admin) == before


# --- a pending quote is locked; an approved one edited is no longer approved ---------------------


def edit(admin: Context, quote_id: int, discount: str) -> QuoteEdit:
    quote = quotes.get_quote(admin.as_user("cms"), quote_id)
    return QuoteEdit(
        lines=[
            QuoteLineIn(line_id=quote.lines[0].id, quantity=2, discount_pct=Decimal(10)),
            QuoteLineIn(line_id=quote.lines[1].id, quantity=1, discount_pct=Decimal(discount)),
        ],
        starts_on=date(2027, 4, 1),
    )


def test_a_quote_waiting_for_approval_cannot_be_edited(admin: Context, acme: Customer) -> None:
    """While its request is pending the quote is locked; the refused edit saves nothing."""
    case = pending(admin, acme)
    cms = admin.as_user("cms")
    quote = quotes.get_quote(cms, case.quote_id or 0)
    assert quote.locked
    assert quote.approvals_needed == []
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match="waiting for approval and cannot be changed"):
        quotes.update_quote(cms, quote.id, quote.version, edit(admin, quote.id, "20"))
    assert stored_state(admin) == before


def test_an_approved_quote_edited_is_a_draft_again_and_its_approval_is_stale(
    admin: Context, acme: Customer
) -> None:
    """Editing an approved quote returns it to draft; the request goes stale and cannot be used."""
    case = pending(admin, acme)
    approval_id = approval_of(admin, case, "Lee Leader")
    approval_decisions.decide(admin.as_user("leader"), approval_id, Decision.APPROVE)
    quote_id = case.quote_id or 0
    assert is_approved(admin, quote_id)
    cms = admin.as_user("cms")
    quote = quotes.get_quote(cms, quote_id)
    quotes.update_quote(cms, quote_id, quote.version, edit(admin, quote_id, "35"))
    quote = quotes.get_quote(cms, quote_id)
    assert quote.status is QuoteStatus.DRAFT
    assert request_of(admin, case).status is ApprovalRequestStatus.STALE
    assert not is_approved(admin, quote_id)
    assert [need.names for need in quote.approvals_needed] == LEADER_ONLY
    with pytest.raises(InvalidInput, match="no longer applies"):
        approval_decisions.decide(admin.as_user("leader"), approval_id, Decision.APPROVE)
    case = views.get_case(cms, case.id)
    assert case.step is RetentionStep.QUOTE  # back to be reviewed and submitted again
    with pytest.raises(InvalidInput, match="not 'Contract for signature'"):
        signing.send_contract(
            cms, case.id, case.version, SendContractIn(contact_id=acme.contact_id)
        )
    case = submit(admin, case.id)
    assert [a.approver for a in request_of(admin, case).approvals] == ["Lee Leader"]


def test_a_quote_whose_contract_was_sent_cannot_be_edited(admin: Context, acme: Customer) -> None:
    """Once the contract went out for signature, its quote is what the customer has."""
    case = pending(admin, acme)
    approval_decisions.decide(
        admin.as_user("leader"), approval_of(admin, case, "Lee Leader"), Decision.APPROVE
    )
    cms = admin.as_user("cms")
    case = views.get_case(cms, case.id)
    signing.send_contract(cms, case.id, case.version, SendContractIn(contact_id=acme.contact_id))
    quote = quotes.get_quote(cms, case.quote_id or 0)
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match="sent for signature"):
        quotes.update_quote(cms, quote.id, quote.version, edit(admin, quote.id, "35"))
    assert stored_state(admin) == before
    assert is_approved(admin, quote.id)


# --- tiers, groups, and role holders ------------------------------------------------------------


def test_tiers_run_in_order(admin: Context, acme: Customer) -> None:
    """Finance's tier-2 approval waits until the leader's tier-1 approval is given."""
    finance_over_30(admin)
    case = pending(admin, acme, "40")
    finance = admin.as_user("finance")
    assert statuses(admin, case) == [
        (1, "Lee Leader", ApprovalStatus.PENDING),
        (2, "Fin Ance", ApprovalStatus.WAITING),
    ]
    assert approval_inbox.inbox(finance) == []
    finance_approval = approval_of(admin, case, "Fin Ance")
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match="tier has not started"):
        approval_decisions.decide(finance, finance_approval, Decision.APPROVE)
    assert stored_state(admin) == before

    status = approval_decisions.decide(
        admin.as_user("leader"), approval_of(admin, case, "Lee Leader"), Decision.APPROVE
    )
    assert status == "pending"
    assert request_of(admin, case).current_tier == 2
    assert views.get_case(admin, case.id).step is RetentionStep.APPROVAL
    assert [item.approval_id for item in approval_inbox.inbox(finance)] == [finance_approval]
    assert approval_decisions.decide(finance, finance_approval, Decision.APPROVE) == "approved"
    assert views.get_case(admin, case.id).step is RetentionStep.SIGNATURE


def test_a_rejection_at_the_first_tier_ends_the_request(admin: Context, acme: Customer) -> None:
    """When the leader rejects, Finance's waiting approval is skipped, never asked."""
    finance_over_30(admin)
    case = pending(admin, acme, "40")
    approval_decisions.decide(
        admin.as_user("leader"), approval_of(admin, case, "Lee Leader"), Decision.REJECT, "No."
    )
    assert statuses(admin, case) == [
        (1, "Lee Leader", ApprovalStatus.REJECTED),
        (2, "Fin Ance", ApprovalStatus.SKIPPED),
    ]
    assert approval_inbox.inbox(admin.as_user("finance")) == []


def test_a_rule_at_its_threshold_does_not_apply(admin: Context, acme: Customer) -> None:
    """discount_pct > 30: a 30% discount needs only the leader."""
    finance_over_30(admin)
    case = pending(admin, acme, "30")
    assert [a.approver for a in request_of(admin, case).approvals] == ["Lee Leader"]


def test_a_group_of_all_needs_every_member(admin: Context, acme: Customer) -> None:
    """With mode ALL the group approves only when each eligible member has approved."""
    add_user(admin, "pricer", "Pat Pricer", None, Role.FINANCE)
    group_rule(admin, GroupMode.ALL, ["finance", "pricer", "cms"])  # cms submits: excluded
    case = pending(admin, acme, "40")
    group = approval_of(admin, case, "all of Pricing desk")
    finance, pricer = admin.as_user("finance"), admin.as_user("pricer")
    assert [i.approval_id for i in approval_inbox.inbox(finance)] == [group]
    approval_decisions.decide(
        admin.as_user("leader"), approval_of(admin, case, "Lee Leader"), Decision.APPROVE
    )
    assert approval_decisions.decide(finance, group, Decision.APPROVE) == "pending"
    assert approval_inbox.inbox(finance) == []
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match="already decided"):
        approval_decisions.decide(finance, group, Decision.APPROVE)
    assert stored_state(admin) == before
    assert [i.approval_id for i in approval_inbox.inbox(pricer)] == [group]
    assert approval_decisions.decide(pricer, group, Decision.APPROVE) == "approved"
    assert views.get_case(admin, case.id).step is RetentionStep.SIGNATURE


def test_a_group_of_any_needs_one_member(admin: Context, acme: Customer) -> None:
    """With mode ANY the first member's approval is the group's."""
    add_user(admin, "pricer", "Pat Pricer", None, Role.FINANCE)
    group_rule(admin, GroupMode.ANY, ["finance", "pricer"])
    case = pending(admin, acme, "40")
    group = approval_of(admin, case, "any of Pricing desk")
    assert approval_decisions.decide(admin.as_user("pricer"), group, Decision.APPROVE) == "pending"
    assert approval_inbox.inbox(admin.as_user("finance")) == []
    with pytest.raises(InvalidInput, match="already decided"):
        approval_decisions.decide(admin.as_user("finance"), group, Decision.APPROVE)
    approval_decisions.decide(
        admin.as_user("leader"), approval_of(admin, case, "Lee Leader"), Decision.APPROVE
    )
    assert request_of(admin, case).status is ApprovalRequestStatus.APPROVED


def test_a_group_member_outside_the_group_cannot_decide_for_it(
    admin: Context, acme: Customer
) -> None:
    """Finance, not in the pricing desk, cannot decide the desk's approval."""
    add_user(admin, "pricer", "Pat Pricer", None, Role.FINANCE)
    group_rule(admin, GroupMode.ANY, ["pricer"])
    case = pending(admin, acme, "40")
    before = stored_state(admin)
    with pytest.raises(PermissionDenied, match="someone else's inbox"):
        approval_decisions.decide(
            admin.as_user("finance"),
            approval_of(admin, case, "any of Pricing desk"),
            Decision.APPROVE,
        )
    assert stored_state(admin) == before


def test_the_first_of_two_segment_leaders_decides_for_both(admin: Context, acme: Customer) -> None:
    """Role holders share one rule: the first approval skips the other leader's."""
    add_user(admin, "leader2", "Lou Leader", "SMB", Role.SEGMENT_LEADER)
    case = pending(admin, acme)
    assert sorted(a.approver for a in request_of(admin, case).approvals) == [
        "Lee Leader",
        "Lou Leader",
    ]
    assert len(approval_inbox.inbox(admin.as_user("leader2"))) == 1
    status = approval_decisions.decide(
        admin.as_user("leader2"), approval_of(admin, case, "Lou Leader"), Decision.APPROVE
    )
    assert status == "approved"
    assert statuses(admin, case) == [
        (1, "Lee Leader", ApprovalStatus.SKIPPED),
        (1, "Lou Leader", ApprovalStatus.APPROVED),
    ]
    assert approval_inbox.inbox(admin.as_user("leader")) == []
    with pytest.raises(InvalidInput, match="already approved"):
        approval_decisions.decide(
            admin.as_user("leader"), approval_of(admin, case, "Lee Leader"), Decision.APPROVE
        )


# --- submitting ---------------------------------------------------------------------------------


def test_submitting_when_only_the_submitter_could_approve_is_refused(
    admin: Context, acme: Customer
) -> None:
    """A rule naming the submitter as approver blocks submission with a sentence, saving nothing."""
    approval_rules.add_rule(
        admin,
        RuleIn(
            name="The CMS checks deep discounts",
            record_type="quote",
            condition={"field": "discount_pct", "op": ">", "value": "30"},
            approver_kind=ApproverKind.USER,
            approver_login="cms",
        ),
    )
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "40")
    quote = quotes.get_quote(admin.as_user("cms"), case.quote_id or 0)
    blocked = [need.blocked for need in quote.approvals_needed]
    assert blocked[0] == ""
    assert blocked[1].startswith("Nobody but you can give the approval 'The CMS checks")
    case = quote_approval.finish_quote(admin.as_user("cms"), case.id, case.version)
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match="Nobody but you can give the approval"):
        quote_approval.submit_for_approval(
            admin.as_user("cms"),
            case.id,
            case.version,
            ReviewIn(confirmed_reduction_minor=quote.reduction_minor or 0),
        )
    assert stored_state(admin) == before


def test_submitting_without_a_segment_leader_is_refused(admin: Context, acme: Customer) -> None:
    """With nobody holding the Segment Leader role in SMB, the quote cannot be submitted."""
    leader = next(u for u in user_service.list_users(admin) if u.login == "leader")
    user_service.set_roles(admin, "leader", frozenset(), leader.version)
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "30")
    case = quote_approval.finish_quote(admin.as_user("cms"), case.id, case.version)
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match="Nobody but you can give the approval"):
        quote_approval.submit_for_approval(
            admin.as_user("cms"), case.id, case.version, ReviewIn(confirmed_reduction_minor=90_00)
        )
    assert stored_state(admin) == before


def test_a_quote_no_rule_matches_is_approved_at_once(admin: Context, acme: Customer) -> None:
    """Without a matching rule the quote is approved on submission, by a request with no
    approvals that records it."""
    with admin.database.write_session() as session:
        session.execute(update(ApprovalRule).values(active=False))
        session.commit()
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "30")
    assert quotes.get_quote(admin, case.quote_id or 0).approvals_needed == []
    case = submit(admin, case.id)
    assert case.step is RetentionStep.SIGNATURE
    assert quotes.get_quote(admin, case.quote_id or 0).status is QuoteStatus.APPROVED
    assert is_approved(admin, case.quote_id or 0)
    with admin.database.read_session() as session:
        [request] = session.scalars(select(ApprovalRequest)).all()
        assert request.status is ApprovalRequestStatus.APPROVED
        assert request.approvals == []
        assert case.approval_request_id == request.id


def test_the_preview_follows_an_edit_across_a_threshold(admin: Context, acme: Customer) -> None:
    """preview_quote and get_quote add Finance once the discount goes over 30%."""
    finance_over_30(admin)
    case = to_quote(admin, acme)
    cms = admin.as_user("cms")
    quote_id = case.quote_id or 0
    at_30 = quotes.preview_quote(cms, quote_id, edit(admin, quote_id, "30"))
    over_30 = quotes.preview_quote(cms, quote_id, edit(admin, quote_id, "30.01"))
    assert [need.names for need in at_30.approvals_needed] == LEADER_ONLY
    assert [need.names for need in over_30.approvals_needed] == [["Lee Leader"], ["Fin Ance"]]
    assert [need.tier for need in over_30.approvals_needed] == [1, 2]
    assert over_30.reduction_minor == 90_03
    assert [n.names for n in quotes.get_quote(cms, quote_id).approvals_needed] == LEADER_ONLY
    before = stored_state(admin)
    quotes.preview_quote(cms, quote_id, edit(admin, quote_id, "50"))
    assert stored_state(admin) == before  # a preview saves nothing
    reduce_addon(admin, case, "31")
    assert [n.names for n in quotes.get_quote(cms, quote_id).approvals_needed] == [
        ["Lee Leader"],
        ["Fin Ance"],
    ]
    reduce_addon(admin, case, "20")
    assert [n.names for n in quotes.get_quote(cms, quote_id).approvals_needed] == LEADER_ONLY


def test_the_cms_recalls_the_cases_quote_and_the_leader_cannot(
    admin: Context, acme: Customer
) -> None:
    """retention.recall_approval is the submitter's: the leader holding the approval is refused."""
    case = pending(admin, acme)
    before = stored_state(admin)
    with pytest.raises(PermissionDenied, match="Only the person who submitted"):
        quote_approval.recall_approval(admin.as_user("leader"), case.id, case.version)
    assert stored_state(admin) == before
    case = quote_approval.recall_approval(admin.as_user("cms"), case.id, case.version)
    assert case.step is RetentionStep.QUOTE
    assert request_of(admin, case).status is ApprovalRequestStatus.RECALLED
    assert quotes.get_quote(admin, case.quote_id or 0).status is QuoteStatus.DRAFT


def test_two_approvers_deciding_at_once_get_one_decision_and_a_sentence(
    admin: Context, acme: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two leaders of the segment decide the same request at the same moment: one decision
    is recorded, and the other waits for it and is told the request was already approved, not
    that the quote changed or that "changes" were lost."""
    user_service.create_user(
        admin,
        user_service.UserIn(
            login="leader2",
            name="Lou Leader",
            email="leader2@example.com",
            segment_code="SMB",
            roles=frozenset({Role.SEGMENT_LEADER}),
        ),
    )
    pending(admin, acme)
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
        leader = admin.as_user(login)
        approval_id = approval_inbox.inbox(leader)[0].approval_id
        barrier.wait()
        try:
            approval_decisions.decide(leader, approval_id, Decision.APPROVE)
            outcomes.append("approved")
        except (Conflict, InvalidInput) as error:
            outcomes.append(error.message)

    inboxes = [approval_inbox.inbox(admin.as_user(login)) for login in ("leader", "leader2")]
    assert all(len(items) == 1 for items in inboxes)
    threads = [threading.Thread(target=decide, args=(login,)) for login in ("leader", "leader2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert "approved" in outcomes
    assert sorted(outcomes) == ["This request was already approved.", "approved"]
