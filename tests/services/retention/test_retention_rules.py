"""Each wrong move of the rate-reduction process is refused, with a sentence, saving nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from acctmgr.domain.records import RecordType
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import (
    ActivityKind,
    ApprovalRequestStatus,
    AuditEvent,
    CloseOutcome,
    Contract,
    ContractStatus,
    Decision,
    Draft,
    OpportunityStage,
    PlaceholderStatus,
    QuoteStatus,
    RetentionCase,
    RetentionStep,
    Role,
    SignatureMethod,
)
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn
from acctmgr.services.approvals import decisions as approval_decisions
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.drafts import keep_draft
from acctmgr.services.people import users as user_service
from acctmgr.services.retention import (
    closing,
    goals,
    opening,
    quote_approval,
    sales_steps,
    signing,
    usage,
    views,
)
from acctmgr.services.retention.inputs import (
    CaseIn,
    CloseIn,
    ContactAttemptIn,
    GoalsIn,
    OpportunityIn,
    PlaceholderIn,
    ReviewIn,
    SendContractIn,
    SignatureIn,
    UsageReviewIn,
)
from acctmgr.services.sales import opportunities, quotes
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn
from tests import factories
from tests.retention_support import (
    CURRENT_RATE,
    Customer,
    customer,
    open_case,
    reduce_addon,
    stored_state,
    submit,
    to_quote,
)


@pytest.fixture
def acme(admin: Context) -> Customer:
    return customer(admin)


def case_in(acme: Customer, **changes: Any) -> CaseIn:
    fields: dict[str, Any] = {
        "account_id": acme.account_id,
        "contract_id": acme.contract_id,
        "contact_id": acme.contact_id,
        "reason": "Budget cut",
        "reduction_pct": Decimal(10),
        "customer_informed": True,
    }
    fields.update(changes)
    return CaseIn(**fields)


def add_user(admin: Context, login: str, segment: str | None, role: Role) -> None:
    user_service.create_user(
        admin,
        user_service.UserIn(
            login=login,
            name=login.title(),
            email=f"{login}@example.com",
            segment_code=segment,
            roles=frozenset({role}),
        ),
    )


def case_count(admin: Context) -> int:
    with admin.database.read_session() as session:
        return session.scalar(select(func.count()).select_from(RetentionCase)) or 0


def at_signature(admin: Context, acme: Customer) -> views.CaseView:
    """A case whose quote the leader approved: the contract is next."""
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "30")
    case = submit(admin, case.id)
    inbox = approval_inbox.inbox(admin.as_user("leader"))
    approval_decisions.decide(admin.as_user("leader"), inbox[0].approval_id, Decision.APPROVE)
    return views.get_case(admin.as_user("cms"), case.id)


def sent(admin: Context, acme: Customer) -> views.CaseView:
    cms = admin.as_user("cms")
    case = at_signature(admin, acme)
    return signing.send_contract(
        cms, case.id, case.version, SendContractIn(contact_id=acme.contact_id)
    )


def signature(signed_on: date) -> SignatureIn:
    return SignatureIn(
        signer_name="Carla Buyer", signed_on=signed_on, method=SignatureMethod.ELECTRONIC
    )


# --- opening a case -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"reduction_pct": Decimal("100.01")}, "at most 100%"),
        ({"reduction_pct": Decimal(250)}, "at most 100%"),
        ({"reduction_pct": Decimal(0)}, "more than 0%"),
        ({"reduction_pct": Decimal(-5)}, "more than 0%"),
        ({"reduction_pct": None, "reduction_minor": 0}, "greater than zero"),
        ({"reduction_pct": None, "reduction_minor": -100}, "greater than zero"),
        ({"reduction_pct": None}, "one of them"),
        ({"reduction_minor": 100_00}, "one of them"),
    ],
)
def test_a_reduction_out_of_range_is_refused_by_the_form(
    admin: Context, acme: Customer, changes: dict[str, Any], sentence: str
) -> None:
    """CaseIn raises InvalidInput (not wrapped by pydantic) beside the reduction field."""
    with pytest.raises(InvalidInput, match=sentence) as raised:
        case_in(acme, **changes)
    assert raised.value.field == "reduction"
    assert case_count(admin) == 0


def test_a_reduction_of_the_whole_rate_is_allowed(admin: Context, acme: Customer) -> None:
    """100% is the upper bound, not beyond it."""
    case = opening.open_case(admin.as_user("ae"), case_in(acme, reduction_pct=Decimal(100)))
    assert case.requested_reduction_minor == CURRENT_RATE


def test_a_case_without_a_reason_is_refused_by_the_form(acme: Customer) -> None:
    """A blank reason fails validation with a sentence."""
    with pytest.raises(ValidationError, match="say why the customer asks"):
        case_in(acme, reason="   ")


@pytest.mark.parametrize(
    ("make", "error", "sentence", "field"),
    [
        (
            lambda acme: case_in(acme, reduction_pct=None, reduction_minor=CURRENT_RATE + 1),
            InvalidInput,
            "cannot be more than the current rate of 1,200.00 USD",
            "reduction",
        ),
        (
            lambda acme: case_in(acme, customer_informed=False),
            InvalidInput,
            "told the customer about the 12-month term",
            "customer_informed",
        ),
    ],
)
def test_opening_a_case_breaking_a_rule_is_refused(
    admin: Context,
    acme: Customer,
    make: Callable[[Customer], CaseIn],
    error: type[Exception],
    sentence: str,
    field: str,
) -> None:
    """The reduction is at most the rate, and the AE must have told the customer the terms."""
    before = stored_state(admin)
    with pytest.raises(error, match=sentence) as raised:
        opening.open_case(admin.as_user("ae"), make(acme))
    assert getattr(raised.value, "field", None) == field
    assert stored_state(admin) == before


@pytest.mark.parametrize("login", ["cms", "leader", "finance", "admin"])
def test_only_an_account_executive_opens_a_case(admin: Context, acme: Customer, login: str) -> None:
    """Nobody without the Account Executive role can open a case."""
    with pytest.raises(PermissionDenied, match="Account Executive can open a retention case"):
        opening.open_case(admin.as_user(login), case_in(acme))
    assert case_count(admin) == 0


def test_an_account_executive_of_another_segment_cannot_open_a_case(
    admin: Context, acme: Customer
) -> None:
    """ae2 works in Enterprise; Acme is a Small business account."""
    with pytest.raises(PermissionDenied, match="another segment"):
        opening.open_case(admin.as_user("ae2"), case_in(acme))
    assert case_count(admin) == 0


def globex(admin: Context) -> Customer:
    """An Enterprise account (ae2's) with a contract in force."""
    account = account_service.create_account(
        admin, AccountIn(name="Globex", segment_code="ENT", owner_login="ae2", territory="US")
    )
    contact = account_service.add_contact(
        admin,
        account.id,
        account_service.ContactIn(name="Gina Globex", email="gina@globex.example"),
    )
    contract_id = factories.contract(admin, account.id, "CT-0000002", date(2027, 3, 31))
    factories.subscription(
        admin, account.id, contract_id, "GLOBEX", quantity=1, list_price=900_00, net_price=900_00
    )
    return Customer(account.id, contract_id, contact.id, contact.id)


def test_a_contract_or_contact_of_another_account_is_refused(
    admin: Context, acme: Customer
) -> None:
    """The case reduces one of the account's own contracts, for one of its contacts."""
    other = globex(admin)
    ae = admin.as_user("ae")
    with pytest.raises(InvalidInput, match="not one of this account's") as raised:
        opening.open_case(ae, case_in(acme, contract_id=other.contract_id))
    assert raised.value.field == "contract"
    with pytest.raises(InvalidInput, match="one of the account's contacts"):
        opening.open_case(ae, case_in(acme, contact_id=other.contact_id))
    assert case_count(admin) == 0


def test_a_contract_not_in_force_is_refused(admin: Context, acme: Customer) -> None:
    """A superseded contract cannot be reduced."""
    with admin.database.write_session() as session:
        contract = session.get(Contract, acme.contract_id)
        assert contract is not None
        contract.status = ContractStatus.SUPERSEDED
        session.commit()
    with pytest.raises(InvalidInput, match="is not in force"):
        opening.open_case(admin.as_user("ae"), case_in(acme))
    assert case_count(admin) == 0


# --- routing ------------------------------------------------------------------------------------


def test_cases_go_round_robin_to_the_segments_contract_managers(
    admin: Context, acme: Customer
) -> None:
    """Two CMSs in SMB get new cases in turn; Enterprise's CMS gets none of them."""
    add_user(admin, "cms2", "SMB", Role.CONTRACT_MANAGER)
    add_user(admin, "entcms", "ENT", Role.CONTRACT_MANAGER)
    assigned = []
    for _ in range(4):  # one open case per contract: each is withdrawn before the next
        case = open_case(admin, acme)
        assigned.append(case.assigned_to)
        withdraw(admin, case)
    assert assigned == ["Casey Contracts", "Cms2", "Casey Contracts", "Cms2"]


def test_a_segment_without_a_contract_manager_leaves_the_case_in_its_queue(
    admin: Context,
) -> None:
    """No CMS in Enterprise: the case waits IN_QUEUE until a CMS of the segment takes it."""
    other = globex(admin)
    case = opening.open_case(
        admin.as_user("ae2"),
        CaseIn(
            account_id=other.account_id,
            contract_id=other.contract_id,
            reason="Budget cut",
            reduction_pct=Decimal(10),
            customer_informed=True,
        ),
    )
    assert (case.step, case.assigned_to) == (RetentionStep.IN_QUEUE, None)
    assert case.holder == "the CMS queue (unassigned)"
    add_user(admin, "entcms", "ENT", Role.CONTRACT_MANAGER)
    before = stored_state(admin)
    with pytest.raises(PermissionDenied, match="another segment"):
        opening.take_case(admin.as_user("cms"), case.id, case.version)
    with pytest.raises(PermissionDenied, match="Only a Contract"):
        opening.take_case(admin.as_user("ae2"), case.id, case.version)
    with pytest.raises(PermissionDenied, match="not with you"):
        usage.complete_usage_review(
            admin.as_user("entcms"), case.id, case.version, UsageReviewIn(notes="Fine.")
        )
    assert stored_state(admin) == before
    taken = opening.take_case(admin.as_user("entcms"), case.id, case.version)
    assert (taken.step, taken.assigned_to) == (RetentionStep.USAGE_REVIEW, "Entcms")
    with pytest.raises(Conflict):
        opening.take_case(admin.as_user("entcms"), case.id, case.version)
    with pytest.raises(InvalidInput, match="no longer in the queue"):
        opening.take_case(admin.as_user("entcms"), case.id, taken.version)


# --- the CMS's steps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "call"),
    [
        (
            "Placeholder request",
            lambda cms, c, v: sales_steps.submit_placeholder(
                cms, c, v, PlaceholderIn(estimated_reduction_minor=100_00, notes="")
            ),
        ),
        (
            "Opportunity",
            lambda cms, c, v: sales_steps.create_opportunity(
                cms, c, v, OpportunityIn(name="X", expected_close_on=date(2027, 1, 1))
            ),
        ),
        (
            "Customer's goals",
            lambda cms, c, v: goals.confirm_goals(cms, c, v, GoalsIn(goals="Cheaper")),
        ),
        ("Quote", lambda cms, c, v: quote_approval.finish_quote(cms, c, v)),
        (
            "Review",
            lambda cms, c, v: quote_approval.submit_for_approval(
                cms, c, v, ReviewIn(confirmed_reduction_minor=100_00)
            ),
        ),
        (
            "Contract for signature",
            lambda cms, c, v: signing.send_contract(cms, c, v, SendContractIn(contact_id=0)),
        ),
        (
            "Contract for signature",
            lambda cms, c, v: signing.record_signature(cms, c, v, signature(date(2026, 11, 23))),
        ),
    ],
)
def test_a_step_out_of_order_is_refused(
    admin: Context, acme: Customer, step: str, call: Callable[[Context, int, int], Any]
) -> None:
    """At the usage review, no later step can be taken."""
    case = open_case(admin, acme)
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match=f"is at the step 'Usage and services', not '{step}'"):
        call(admin.as_user("cms"), case.id, case.version)
    assert stored_state(admin) == before


def test_a_contact_attempt_out_of_order_is_refused(admin: Context, acme: Customer) -> None:
    """Logging a call before the goals step is refused."""
    case = open_case(admin, acme)
    with pytest.raises(InvalidInput, match="not 'Customer's goals'"):
        goals.log_contact(
            admin.as_user("cms"),
            case.id,
            ContactAttemptIn(channel=ActivityKind.CALL, contact_id=acme.contact_id, outcome="Ok"),
        )


@pytest.mark.parametrize("login", ["ae", "cms2", "leader", "admin"])
def test_someone_who_does_not_hold_the_step_is_refused(
    admin: Context, acme: Customer, login: str
) -> None:
    """Only the assigned CMS takes the case's steps; not the AE, another CMS, the leader, admin."""
    add_user(admin, "cms2", "SMB", Role.CONTRACT_MANAGER)
    case = open_case(admin, acme)
    assert case.assigned_to == "Casey Contracts"
    before = stored_state(admin)
    with pytest.raises(PermissionDenied, match="is with Casey Contracts"):
        usage.complete_usage_review(
            admin.as_user(login), case.id, case.version, UsageReviewIn(notes="Fine.")
        )
    assert stored_state(admin) == before


def test_an_estimate_beyond_the_rate_is_refused(admin: Context, acme: Customer) -> None:
    """The placeholder's estimated reduction is more than zero and at most the rate."""
    cms = admin.as_user("cms")
    case = open_case(admin, acme)
    case = usage.complete_usage_review(
        cms, case.id, case.version, UsageReviewIn(notes="Usage fell.")
    )
    case = sales_steps.create_opportunity(
        cms, case.id, case.version, OpportunityIn(name="Acme", expected_close_on=date(2027, 1, 15))
    )
    before = stored_state(admin)
    for estimate in (0, -1, CURRENT_RATE + 1):
        with pytest.raises(InvalidInput, match="estimated reduction"):
            sales_steps.submit_placeholder(
                cms,
                case.id,
                case.version,
                PlaceholderIn(estimated_reduction_minor=estimate, notes=""),
            )
    assert stored_state(admin) == before


def at_goals(admin: Context, acme: Customer) -> views.CaseView:
    cms = admin.as_user("cms")
    case = open_case(admin, acme)
    case = usage.complete_usage_review(
        cms, case.id, case.version, UsageReviewIn(notes="Usage fell.")
    )
    case = sales_steps.create_opportunity(
        cms, case.id, case.version, OpportunityIn(name="Acme", expected_close_on=date(2027, 1, 15))
    )
    return sales_steps.submit_placeholder(
        cms, case.id, case.version, PlaceholderIn(estimated_reduction_minor=120_00, notes="")
    )


def test_goals_cannot_be_confirmed_before_any_contact(admin: Context, acme: Customer) -> None:
    """confirm_goals needs a logged e-mail or call; a scheduled call is not one."""
    case = at_goals(admin, acme)
    cms = admin.as_user("cms")
    goals.switch_to_call(cms, case.id, admin.clock.now().replace(hour=15), "Confusing thread")
    case = views.get_case(cms, case.id)
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match="Log at least one e-mail or call"):
        goals.confirm_goals(cms, case.id, case.version, GoalsIn(goals="Cheaper add-on"))
    assert stored_state(admin) == before


def test_an_email_needs_a_contact_with_an_email_address(admin: Context, acme: Customer) -> None:
    """E-mailing the phone-only contact (or nobody) is refused; calling them is fine."""
    case = at_goals(admin, acme)
    cms = admin.as_user("cms")
    before = stored_state(admin)
    for contact_id in (acme.phone_only_contact_id, None):
        with pytest.raises(InvalidInput, match="has no e-mail address") as raised:
            goals.log_contact(
                cms,
                case.id,
                ContactAttemptIn(channel=ActivityKind.EMAIL, contact_id=contact_id, outcome="Sent"),
            )
        assert raised.value.field == "contact"
    assert stored_state(admin) == before
    case = goals.log_contact(
        cms,
        case.id,
        ContactAttemptIn(
            channel=ActivityKind.CALL, contact_id=acme.phone_only_contact_id, outcome="Talked"
        ),
    )
    assert [attempt.contact for attempt in case.attempts] == ["Pete Phone"]


# --- the quote ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"quantity": 1, "discount_pct": "100.01"}, "between 0% and 100%"),
        ({"quantity": 1, "discount_pct": "-1"}, "between 0% and 100%"),
        ({"quantity": 1, "discount_pct": "lots"}, "a discount is a number"),
        ({"quantity": 0, "discount_pct": "10"}, "from 1 to 1,000,000"),
        ({"quantity": -3, "discount_pct": "10"}, "from 1 to 1,000,000"),
        ({"quantity": "two", "discount_pct": "10"}, "whole number"),
    ],
)
def test_a_quote_line_out_of_range_is_refused_by_the_form(
    fields: dict[str, Any], sentence: str
) -> None:
    """QuoteLineIn refuses discounts outside 0-100% and quantities below 1."""
    with pytest.raises(ValidationError, match=sentence):
        QuoteLineIn(line_id=1, **fields)


def test_a_quote_line_at_the_bounds_is_accepted() -> None:
    """0% and 100% discounts and a quantity of 1 are allowed."""
    full = QuoteLineIn.model_validate({"line_id": 1, "quantity": "1", "discount_pct": "100%"})
    assert (full.quantity, full.discount_pct) == (1, Decimal(100))
    assert QuoteLineIn(line_id=1, quantity=1, discount_pct=Decimal(0)).quantity == 1


@pytest.mark.parametrize(
    ("starts_on", "sentence"),
    [
        (date(2026, 11, 22), "cannot be in the past"),
        (date(2027, 3, 31), "01 Apr 2027 at the earliest"),
    ],
)
def test_an_effective_date_too_early_is_refused(
    admin: Context, acme: Customer, starts_on: date, sentence: str
) -> None:
    """The new rate starts no earlier than today and than the earliest effective date."""
    case = to_quote(admin, acme)
    cms = admin.as_user("cms")
    quote = quotes.get_quote(cms, case.quote_id or 0)
    lines = [
        QuoteLineIn(line_id=line.id, quantity=line.quantity, discount_pct=line.discount_pct)
        for line in quote.lines
    ]
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match=sentence) as raised:
        quotes.update_quote(
            cms, quote.id, quote.version, QuoteEdit(lines=lines, starts_on=starts_on)
        )
    assert raised.value.field == "starts_on"
    assert stored_state(admin) == before


def test_only_the_quotes_owner_edits_it(admin: Context, acme: Customer) -> None:
    """The AE, though in the segment, cannot change the CMS's quote."""
    case = to_quote(admin, acme)
    quote = quotes.get_quote(admin.as_user("ae"), case.quote_id or 0)
    lines = [
        QuoteLineIn(line_id=line.id, quantity=1, discount_pct=Decimal(50)) for line in quote.lines
    ]
    with pytest.raises(PermissionDenied, match="Only the quote's owner"):
        quotes.update_quote(
            admin.as_user("ae"),
            quote.id,
            quote.version,
            QuoteEdit(lines=lines, starts_on=date(2027, 4, 1)),
        )


def test_the_confirmed_reduction_must_match_the_quote(admin: Context, acme: Customer) -> None:
    """Submitting with any other reduction than the quote's is refused, saving nothing."""
    cms = admin.as_user("cms")
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "30")
    case = quote_approval.finish_quote(cms, case.id, case.version)
    before = stored_state(admin)
    for confirmed in (90_01, 89_99, 120_00):
        with pytest.raises(InvalidInput, match=r"must match the quote: 90\.00 USD") as raised:
            quote_approval.submit_for_approval(
                cms, case.id, case.version, ReviewIn(confirmed_reduction_minor=confirmed)
            )
        assert raised.value.field == "confirmed"
    assert stored_state(admin) == before


def test_a_quote_that_does_not_reduce_the_rate_cannot_be_submitted(
    admin: Context, acme: Customer
) -> None:
    """With the current discounts the quote equals the rate: there is nothing to approve."""
    cms = admin.as_user("cms")
    case = to_quote(admin, acme)
    case = quote_approval.finish_quote(cms, case.id, case.version)
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match="does not reduce the rate"):
        quote_approval.submit_for_approval(
            cms, case.id, case.version, ReviewIn(confirmed_reduction_minor=0)
        )
    assert stored_state(admin) == before


# --- contract, signature and close ---------------------------------------------------------------


def test_a_contract_cannot_be_sent_to_a_contact_without_email(
    admin: Context, acme: Customer
) -> None:
    """send_contract to the phone-only contact is refused; no contract or e-mail is made."""
    case = at_signature(admin, acme)
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match="Pete Phone has no e-mail address") as raised:
        signing.send_contract(
            admin.as_user("cms"),
            case.id,
            case.version,
            SendContractIn(contact_id=acme.phone_only_contact_id),
        )
    assert raised.value.field == "contact"
    assert stored_state(admin) == before


def test_a_signature_date_in_the_future_is_refused(admin: Context, acme: Customer) -> None:
    """The customer cannot have signed tomorrow, nor before the contract was sent."""
    case = sent(admin, acme)
    cms = admin.as_user("cms")
    before = stored_state(admin)
    with pytest.raises(InvalidInput, match="cannot be in the future") as raised:
        signing.record_signature(cms, case.id, case.version, signature(date(2026, 11, 24)))
    assert raised.value.field == "signed_on"
    with pytest.raises(InvalidInput, match="before the contract was sent"):
        signing.record_signature(cms, case.id, case.version, signature(date(2026, 11, 22)))
    assert stored_state(admin) == before


def test_a_case_cannot_close_won_without_a_signed_contract(admin: Context, acme: Customer) -> None:
    """Won needs the signature: not before the contract is sent, nor while it awaits signing."""
    cms = admin.as_user("cms")
    for reach in (open_case, at_signature, sent):
        case = views.get_case(cms, reach(admin, acme).id)
        before = stored_state(admin)
        with pytest.raises(InvalidInput, match="cannot close won without a signed contract"):
            closing.close_case(
                cms, case.id, case.version, CloseIn(outcome=CloseOutcome.WON, reason="")
            )
        assert stored_state(admin) == before
        withdraw(admin, case)  # one open case per contract: the next one starts afresh


def withdraw(admin: Context, case: views.CaseView) -> None:
    """The AE who opened the case withdraws it."""
    ae = admin.as_user("ae")
    current = views.get_case(ae, case.id)
    closing.close_case(
        ae, case.id, current.version, CloseIn(outcome=CloseOutcome.WITHDRAWN, reason="Test")
    )


def test_an_opportunity_cannot_close_won_while_its_quote_is_unapproved(
    admin: Context, acme: Customer
) -> None:
    """close_opportunity refuses won for a draft quote and for one waiting for approval."""
    cms = admin.as_user("cms")
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "30")
    for waiting in (False, True):
        if waiting:
            submit(admin, case.id)
        case = views.get_case(cms, case.id)
        opportunity_id, opportunity_version = (
            case.opportunity_id or 0,
            case.opportunity_version or 0,
        )
        before = stored_state(admin)
        with pytest.raises(InvalidInput, match="while its quote is not approved"):
            opportunities.close_opportunity(
                cms, opportunity_id, opportunity_version, CloseOutcome.WON, ""
            )
        assert stored_state(admin) == before
    with pytest.raises(PermissionDenied, match="Only the opportunity's owner"):
        opportunities.close_opportunity(
            admin.as_user("ae"),
            opportunity_id,
            opportunity_version,
            CloseOutcome.LOST,
            "x",
        )


STEPS: dict[str, Callable[[Context, Customer], views.CaseView]] = {
    "usage": open_case,
    "goals": at_goals,
    "quote": to_quote,
    "approval": lambda admin, acme: submit(admin, reduce_and_return(admin, acme).id),
    "signature": at_signature,
    "sent": sent,
}


def reduce_and_return(admin: Context, acme: Customer) -> views.CaseView:
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "30")
    return case


@pytest.mark.parametrize("outcome", [CloseOutcome.LOST, CloseOutcome.WITHDRAWN])
@pytest.mark.parametrize("step", list(STEPS))
def test_closing_lost_or_withdrawn_works_from_any_step_with_a_reason(
    admin: Context, acme: Customer, step: str, outcome: CloseOutcome
) -> None:
    """The opening AE closes with a reason; what is open is recalled, withdrawn or cancelled."""
    ae = admin.as_user("ae")
    case = views.get_case(ae, STEPS[step](admin, acme).id)
    before = stored_state(admin)
    for reason in ("", "  "):
        with pytest.raises(InvalidInput, match=f"Say why the case closes {outcome.value}"):
            closing.close_case(ae, case.id, case.version, CloseIn(outcome=outcome, reason=reason))
    assert stored_state(admin) == before

    closed = closing.close_case(
        ae, case.id, case.version, CloseIn(outcome=outcome, reason="Customer went elsewhere")
    )
    assert (closed.step, closed.outcome) == (RetentionStep.CLOSED, outcome)
    state = stored_state(admin)
    assert all(status is PlaceholderStatus.WITHDRAWN for _, status, _ in state["placeholders"])
    assert all(stage is OpportunityStage.CLOSED for _, stage, _ in state["opportunities"])
    new_contracts = [status for _, status, _ in state["contracts"][1:]]
    assert all(status is ContractStatus.CANCELLED for status in new_contracts)
    assert len(new_contracts) == (1 if step == "sent" else 0)
    if step == "approval":
        assert [status for _, status, _ in state["requests"]] == [ApprovalRequestStatus.RECALLED]
        assert [status for _, status, _, _ in state["quotes"]] == [QuoteStatus.DRAFT]
        assert approval_inbox.inbox(admin.as_user("leader")) == []
    with pytest.raises(InvalidInput, match="already closed"):
        closing.close_case(ae, closed.id, closed.version, CloseIn(outcome=outcome, reason="Again"))
    with pytest.raises(InvalidInput, match="is closed"):
        usage.complete_usage_review(
            admin.as_user("cms"), closed.id, closed.version, UsageReviewIn(notes="x")
        )


def test_someone_neither_holding_nor_opening_the_case_cannot_close_it(
    admin: Context, acme: Customer
) -> None:
    """The leader (not holding the usage review) cannot close the case."""
    case = open_case(admin, acme)
    with pytest.raises(PermissionDenied, match="Only the person holding the case"):
        closing.close_case(
            admin.as_user("leader"),
            case.id,
            case.version,
            CloseIn(outcome=CloseOutcome.LOST, reason="x"),
        )


# --- drafts, conflicts and the audit trail ------------------------------------------------------


def test_a_draft_is_kept_for_its_author_and_cleared_when_the_step_is_submitted(
    admin: Context, acme: Customer
) -> None:
    """A draft shows in get_case for its author only, at its step, until the step is done."""
    cms, ae = admin.as_user("cms"), admin.as_user("ae")
    case = open_case(admin, acme)
    keep_draft(cms, RecordType.RETENTION_CASE, case.id, "usage", {"notes": "Usage fell by a fifth"})
    keep_draft(ae, RecordType.RETENTION_CASE, case.id, "usage", {"notes": "the AE's own"})
    assert views.get_case(cms, case.id).draft == {"notes": "Usage fell by a fifth"}
    assert views.get_case(ae, case.id).draft == {"notes": "the AE's own"}
    assert views.get_case(admin, case.id).draft == {}
    done = usage.complete_usage_review(cms, case.id, case.version, UsageReviewIn(notes="Fell."))
    assert done.draft == {}
    assert views.get_case(ae, case.id).draft == {}
    with admin.database.read_session() as session:
        assert session.scalars(select(Draft)).all() == []


def test_keeping_a_draft_never_makes_the_authors_next_save_a_conflict(
    admin: Context, acme: Customer
) -> None:
    """A draft kept (and kept again) leaves the case's version, so the step submits from it."""
    cms = admin.as_user("cms")
    case = open_case(admin, acme)
    for typed in ("Usage fell", "Usage fell by a fifth"):
        keep_draft(cms, RecordType.RETENTION_CASE, case.id, "usage", {"notes": typed})
        assert views.get_case(cms, case.id).version == case.version
    done = usage.complete_usage_review(cms, case.id, case.version, UsageReviewIn(notes="Fell."))
    assert done.step is RetentionStep.OPPORTUNITY


def test_two_screens_on_one_case_the_second_save_is_a_conflict(
    admin: Context, acme: Customer
) -> None:
    """The CMS's second screen, opened before the first saved, gets Conflict and saves nothing."""
    cms = admin.as_user("cms")
    case = open_case(admin, acme)
    first = views.get_case(cms, case.id)
    second = views.get_case(cms, case.id)
    usage.complete_usage_review(
        cms, first.id, first.version, UsageReviewIn(notes="From the first screen.")
    )
    before = stored_state(admin)
    with pytest.raises(Conflict, match="Someone else saved this case"):
        usage.complete_usage_review(
            cms, second.id, second.version, UsageReviewIn(notes="From the second.")
        )
    with pytest.raises(Conflict):
        sales_steps.create_opportunity(
            cms,
            second.id,
            second.version,
            OpportunityIn(name="Acme", expected_close_on=date(2027, 1, 15)),
        )
    assert stored_state(admin) == before


def decisions(admin: Context, case_id: int) -> list[str]:
    with admin.database.read_session() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.entity_type == RecordType.RETENTION_CASE,
                    AuditEvent.entity_id == case_id,
                    AuditEvent.change == "decision",
                )
                .order_by(AuditEvent.id)
            )
        )


def test_every_step_writes_its_audit_event(admin: Context, acme: Customer) -> None:
    """Each step of the case records one decision event, named for the use case and the step."""
    cms = admin.as_user("cms")
    case = sent(admin, acme)
    case = signing.record_signature(cms, case.id, case.version, signature(date(2026, 11, 23)))
    closing.close_case(cms, case.id, case.version, CloseIn(outcome=CloseOutcome.WON, reason=""))
    assert decisions(admin, case.id) == [
        "retention.open:routed",
        "retention.open:step_open",
        "retention.review_usage:step_usage",
        "retention.create_opportunity:step_opportunity",
        "retention.submit_placeholder:step_placeholder",
        "retention.confirm_goals:step_goals",
        "retention.finish_quote:step_quote",
        "retention.submit_for_approval:step_review",
        "retention.send_contract:step_signature",
        "retention.record_signature:step_signature",
        "retention.close:closed_won",
    ]


def test_a_step_whose_audit_event_fails_is_not_saved(
    admin: Context, acme: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit event is written in the step's transaction: if it fails, the step is undone."""
    case = open_case(admin, acme)
    before = stored_state(admin)

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("audit store is down")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        usage.complete_usage_review(
            admin.as_user("cms"), case.id, case.version, UsageReviewIn(notes="Fine.")
        )
    assert stored_state(admin) == before
    assert views.get_case(admin.as_user("cms"), case.id).step is RetentionStep.USAGE_REVIEW
