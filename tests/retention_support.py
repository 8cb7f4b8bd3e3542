"""A customer with a contract in force, ready for a rate-reduction case (service and UI tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from acctmgr.models import (
    Activity,
    ActivityKind,
    Approval,
    ApprovalDecision,
    ApprovalRequest,
    AuditEvent,
    Contract,
    Draft,
    Opportunity,
    OutboxEmail,
    PlaceholderRequest,
    Quote,
    RetentionCase,
)
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn, ContactIn
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.kernel.context import Context
from acctmgr.services.retention import goals, opening, quote_approval, sales_steps, usage, views
from acctmgr.services.retention.inputs import (
    CaseIn,
    ContactAttemptIn,
    GoalsIn,
    OpportunityIn,
    PlaceholderIn,
    ReviewIn,
    UsageReviewIn,
)
from acctmgr.services.sales import quote_views, quotes
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn
from tests import factories

CONTRACT_ENDS = date(2027, 3, 31)  # notice by 30 Jan 2027: still open on 23 Nov 2026
CURRENT_RATE = 1_200_00  # 2 x 450.00 + 1 x 300.00 a year


@dataclass(frozen=True)
class Customer:
    account_id: int
    contract_id: int
    contact_id: int  # has an e-mail address
    phone_only_contact_id: int  # has none


def customer(
    admin: Context,
    segment: str = "SMB",
    *,
    po_rules: bool = False,
    name: str = "Acme Corp",
    contract_number: str = "CT-0000001",
) -> Customer:
    """Acme with a contract of two paid subscriptions.

    The retention tests follow the Segment Leader's route alone, so unless ``po_rules`` is set
    the shipped purchase-order rules (Customer Success, Finance over 30%) are switched off;
    tests/test_quote_rules.py covers them.
    """
    if not po_rules:
        switch_off_po_rules(admin)
    account = account_service.create_account(
        admin,
        AccountIn(
            name=name,
            segment_code=segment,
            owner_login="ae",
            territory="US",
            billing_street="1 Market Street",
            billing_city="San Francisco",
            billing_postal_code="94105",
            billing_country="US",
        ),
    )
    contact = account_service.add_contact(
        admin,
        account.id,
        ContactIn(name="Carla Buyer", email="carla@acme.example", is_primary=True),
    )
    phone_only = account_service.add_contact(
        admin, account.id, ContactIn(name="Pete Phone", phone="+1 555 0100")
    )
    version = account_service.get_account(admin, account.id).version
    account_service.set_invoice_contact(admin, account.id, contact.id, version)
    contract_id = factories.contract(admin, account.id, contract_number, CONTRACT_ENDS)
    factories.subscription(
        admin, account.id, contract_id, "PLAT", quantity=2, list_price=500_00, net_price=450_00
    )
    factories.subscription(
        admin, account.id, contract_id, "ADDON", quantity=1, list_price=300_00, net_price=300_00
    )
    return Customer(account.id, contract_id, contact.id, phone_only.id)


def switch_off_po_rules(admin: Context) -> None:
    po_rules = {
        approval_rules.OFF_CATALOGUE_RULE,
        approval_rules.ONSITE_RULE,
        approval_rules.DISCOUNT_RULE,
    }
    for rule in approval_rules.rules(admin):
        if rule.name in po_rules and rule.active:
            approval_rules.update_rule(admin, rule.id, rule.version, rule.data, active=False)


def open_case(admin: Context, acme: Customer, pct: str = "10") -> views.CaseView:
    return opening.open_case(
        admin.as_user("ae"),
        CaseIn(
            account_id=acme.account_id,
            contract_id=acme.contract_id,
            contact_id=acme.contact_id,
            reason="Budget cut",
            reduction_pct=Decimal(pct),
            customer_informed=True,
        ),
    )


def to_quote(admin: Context, acme: Customer) -> views.CaseView:
    """Open a case and take it, as the CMS, to the quote step."""
    return work_to_quote(admin, open_case(admin, acme), acme)


def work_to_quote(
    admin: Context,
    case: views.CaseView,
    acme: Customer,
    *,
    cms_login: str = "cms",
    title: str = "Acme rate reduction",
) -> views.CaseView:
    """Take an open case, as the CMS who holds it, to the quote step."""
    cms = admin.as_user(cms_login)
    case = usage.complete_usage_review(
        cms, case.id, case.version, UsageReviewIn(notes="Usage fell 20%.")
    )
    case = sales_steps.create_opportunity(
        cms,
        case.id,
        case.version,
        OpportunityIn(name=title, expected_close_on=date(2027, 1, 15)),
    )
    case = sales_steps.submit_placeholder(
        cms,
        case.id,
        case.version,
        PlaceholderIn(estimated_reduction_minor=12_000_00 // 100, notes=""),
    )
    case = goals.log_contact(
        cms,
        case.id,
        ContactAttemptIn(channel=ActivityKind.EMAIL, contact_id=acme.contact_id, outcome="Replied"),
    )
    return goals.confirm_goals(
        cms, case.id, case.version, GoalsIn(goals="Keep the platform, cheaper add-on.")
    )


def reduce_addon(
    admin: Context, case: views.CaseView, discount: str, *, cms_login: str = "cms"
) -> quote_views.QuoteView:
    """The CMS gives the quote's second line (the add-on) ``discount`` percent off."""
    cms = admin.as_user(cms_login)
    assert case.quote_id is not None
    quote = quotes.get_quote(cms, case.quote_id)
    lines = [
        QuoteLineIn(line_id=line.id, quantity=line.quantity, discount_pct=line.discount_pct)
        for line in quote.lines
    ]
    lines[1] = QuoteLineIn(line_id=quote.lines[1].id, quantity=1, discount_pct=Decimal(discount))
    return quotes.update_quote(
        cms, quote.id, quote.version, QuoteEdit(lines=lines, starts_on=date(2027, 4, 1))
    )


def submit(admin: Context, case_id: int, *, cms_login: str = "cms") -> views.CaseView:
    """The CMS finishes the quote step and submits the reduction for approval."""
    cms = admin.as_user(cms_login)
    case = views.get_case(cms, case_id)
    case = quote_approval.finish_quote(cms, case.id, case.version)
    quote = quotes.get_quote(cms, case.quote_id or 0)
    assert quote.reduction_minor is not None
    return quote_approval.submit_for_approval(
        cms, case.id, case.version, ReviewIn(confirmed_reduction_minor=quote.reduction_minor)
    )


def contract_sent(admin: Context, acme: Customer) -> views.CaseView:
    """Acme's case taken to its new contract sent for signature: a 20% reduction approved by
    the leader, the contract's documents kept and the e-mail carrying them queued."""
    from acctmgr.models import Decision
    from acctmgr.services.approvals import decisions, inbox
    from acctmgr.services.retention import signing
    from acctmgr.services.retention.inputs import SendContractIn

    case = to_quote(admin, acme)
    reduce_addon(admin, case, "20")
    case = submit(admin, case.id)
    leader = admin.as_user("leader")
    decisions.decide(leader, inbox.inbox(leader)[0].approval_id, Decision.APPROVE)
    cms = admin.as_user("cms")
    case = views.get_case(cms, case.id)
    return signing.send_contract(
        cms, case.id, case.version, SendContractIn(contact_id=acme.contact_id)
    )


def stored_state(admin: Context) -> dict[str, list[tuple[Any, ...]]]:
    """The status and version of every row a refused call could have half-saved."""
    tables: dict[str, tuple[Any, ...]] = {
        "cases": (RetentionCase.id, RetentionCase.step, RetentionCase.version),
        "drafts": (Draft.id, Draft.step, Draft.fields),
        "quotes": (Quote.id, Quote.status, Quote.version, Quote.net_total_minor),
        "requests": (ApprovalRequest.id, ApprovalRequest.status, ApprovalRequest.version),
        "approvals": (Approval.id, Approval.status, Approval.decided_by_id),
        "decisions": (ApprovalDecision.id,),
        "placeholders": (
            PlaceholderRequest.id,
            PlaceholderRequest.status,
            PlaceholderRequest.confirmed_reduction_minor,
        ),
        "opportunities": (Opportunity.id, Opportunity.stage, Opportunity.version),
        "contracts": (Contract.id, Contract.status, Contract.version),
        "activities": (Activity.id,),
        "emails": (OutboxEmail.id,),
        "audit": (AuditEvent.id,),
    }
    with admin.database.read_session() as session:
        return {
            name: [tuple(row) for row in session.execute(select(*columns).order_by(columns[0]))]
            for name, columns in tables.items()
        }
