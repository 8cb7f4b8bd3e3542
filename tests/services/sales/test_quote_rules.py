"""The PO rules: exceptions and on-site support go to Customer Success within 48 hours, large
discounts to Finance; all three are data an admin changes; late approvals are chased."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import (
    Account,
    Activity,
    ActivityKind,
    Approval,
    ApprovalStatus,
    ApproverKind,
    Decision,
    QuoteStatus,
    Role,
    User,
)
from acctmgr.services.accounts import billing_details
from acctmgr.services.accounts import records as account_service
from acctmgr.services.approvals import deadlines as approval_deadlines
from acctmgr.services.approvals import decisions as approval_decisions
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import users as user_service
from acctmgr.services.sales import quote_builder as builder
from acctmgr.services.sales import quotes
from acctmgr.services.sales.quote_builder import CatalogueLineIn, NewQuoteIn, OffCatalogueLineIn
from acctmgr.services.sales.quote_views import QuoteView
from tests.quote_support import STARTS, Catalogue, catalogue, new_customer, staff


@pytest.fixture
def shop(admin: Context) -> Catalogue:
    staff(admin)
    return catalogue(admin, starter_pack=False)


def quote_with(admin: Context, sku_id: int, discount: str = "0") -> QuoteView:
    ae = admin.as_user("ae")
    quote = builder.new_quote(
        ae, NewQuoteIn(account_id=new_customer(admin), starts_on=STARTS, territory="Germany")
    )
    return builder.add_catalogue_line(
        ae, quote.id, quote.version, CatalogueLineIn(sku_id=sku_id, discount_pct=Decimal(discount))
    )


def needs(quote: QuoteView) -> list[tuple[str, list[str]]]:
    return [(need.approver, need.names) for need in quote.approvals_needed]


def test_a_catalogue_quote_at_list_price_needs_nobody(admin: Context, shop: Catalogue) -> None:
    """A catalogue quote at list price needs no approval and is approved at once."""
    quote = quote_with(admin, shop.platform)
    assert needs(quote) == []
    result = builder.submit_quote(admin.as_user("ae"), quote.id, quote.version)
    assert (result.quote.status, result.approvers) == (QuoteStatus.APPROVED, [])


def test_on_site_support_needs_customer_success(admin: Context, shop: Catalogue) -> None:
    """On-site support needs Customer Success."""
    assert needs(quote_with(admin, shop.onsite)) == [("Customer Success", ["Sam Success"])]


@pytest.mark.parametrize(("discount", "finance"), [("30", False), ("30.01", True)])
def test_a_discount_above_30_percent_needs_finance(
    admin: Context, shop: Catalogue, discount: str, finance: bool
) -> None:
    """A discount above 30% needs Finance; 30% or less does not."""
    quote = quote_with(admin, shop.platform, discount)
    assert needs(quote) == ([("Finance", ["Fin Ance"])] if finance else [])


def test_an_admin_moves_the_discount_threshold(admin: Context, shop: Catalogue) -> None:
    """An Admin moves Finance's threshold; a condition with an unknown operator is refused."""
    rule = next(r for r in approval_rules.rules(admin) if r.name == approval_rules.DISCOUNT_RULE)
    changed = rule.data.model_copy(
        update={
            "name": "Discounts above 20% need Finance",
            "condition": {"field": "discount_pct", "op": ">", "value": "20"},
        }
    )
    approval_rules.update_rule(admin, rule.id, rule.version, changed)
    assert needs(quote_with(admin, shop.platform, "25")) == [("Finance", ["Fin Ance"])]
    with pytest.raises(InvalidInput, match="op is one of"):
        approval_rules.update_rule(
            admin,
            rule.id,
            rule.version + 1,
            changed.model_copy(update={"condition": {"field": "x", "op": "~", "value": 1}}),
        )


def test_an_exception_waits_for_customer_success_with_a_48_hour_sla(
    admin: Context, shop: Catalogue, clock: AdjustableClock
) -> None:
    """An exception waits for Customer Success, due within 48 hours and reminded at 24."""
    ae = admin.as_user("ae")
    quote = quote_with(admin, shop.platform)
    quote = builder.add_off_catalogue_line(
        ae,
        quote.id,
        quote.version,
        OffCatalogueLineIn(description="Custom connector", list_price="900"),
    )
    submitted_at = clock.now()
    result = builder.submit_quote(ae, quote.id, quote.version)
    assert (result.quote.status, result.approvers) == (
        QuoteStatus.PENDING_APPROVAL,
        ["Sam Success"],
    )
    with admin.database.read_session() as session:
        approval = session.scalars(select(Approval)).one()
        assert approval.due_at is not None
        assert approval.remind_at is not None
        assert approval.due_at.replace(tzinfo=None) == (submitted_at + timedelta(hours=48)).replace(
            tzinfo=None
        )
        assert approval.remind_at.replace(tzinfo=None) == (
            submitted_at + timedelta(hours=24)
        ).replace(tzinfo=None)
    with pytest.raises(InvalidInput, match="waiting for approval"):
        builder.add_catalogue_line(
            ae, quote.id, result.quote.version, CatalogueLineIn(sku_id=shop.workshop)
        )
    inbox = approval_inbox.inbox(admin.as_user("success"))
    assert [item.record_label for item in inbox] == [f"quote {quote.number} for Nova GmbH"]
    approval_decisions.decide(
        admin.as_user("success"), inbox[0].approval_id, Decision.APPROVE, "Feasible."
    )
    assert quotes.get_quote(ae, quote.id).status is QuoteStatus.APPROVED


def reminders(admin: Context) -> list[tuple[ActivityKind, str, str]]:
    """Every activity as (kind, assignee's login, subject), oldest first."""
    with admin.database.read_session() as session:
        rows = session.execute(
            select(Activity.kind, User.login, Activity.subject)
            .join(User, User.id == Activity.assigned_to_id)
            .order_by(Activity.id)
        ).all()
    return [(kind, login, subject) for kind, login, subject in rows]


def test_customer_success_is_reminded_at_24_hours_and_the_seller_alerted_at_48(
    admin: Context, shop: Catalogue, clock: AdjustableClock
) -> None:
    """Customer Success is reminded once at 24 hours; at 48 the seller gets a task to chase."""
    ae = admin.as_user("ae")
    quote = quote_with(admin, shop.onsite)
    builder.submit_quote(ae, quote.id, quote.version)
    clock.advance(timedelta(hours=23))
    assert approval_deadlines.follow_up(admin).reminded == 0
    clock.advance(timedelta(hours=1))
    assert approval_deadlines.follow_up(admin).reminded == 1
    assert approval_deadlines.follow_up(admin).reminded == 0  # once, however often it runs
    assert [(kind, login) for kind, login, _ in reminders(admin)] == [
        (ActivityKind.REMINDER, "success")
    ]
    assert reminders(admin)[0][2].startswith("Decide by ")
    clock.advance(timedelta(hours=24, minutes=1))
    found = approval_deadlines.follow_up(admin)
    assert (found.reminded, found.overdue) == (0, 1)
    assert approval_deadlines.follow_up(admin).overdue == 0
    assert reminders(admin)[-1][:2] == (ActivityKind.TASK, "ae")
    assert (
        reminders(admin)[-1][2] == f"Approval overdue, chase it: quote {quote.number} for Nova GmbH"
    )
    with admin.database.read_session() as session:
        approval = session.scalars(select(Approval)).one()
        assert approval.status is ApprovalStatus.PENDING  # still Customer Success's to decide
        assert approval.escalated_at is not None


def test_a_decided_approval_is_not_chased(
    admin: Context, shop: Catalogue, clock: AdjustableClock
) -> None:
    """An approval already decided is neither reminded nor chased."""
    ae = admin.as_user("ae")
    quote = quote_with(admin, shop.onsite)
    builder.submit_quote(ae, quote.id, quote.version)
    inbox = approval_inbox.inbox(admin.as_user("success"))
    approval_decisions.decide(admin.as_user("success"), inbox[0].approval_id, Decision.APPROVE, "")
    clock.advance(timedelta(days=3))
    found = approval_deadlines.follow_up(admin)
    assert (found.reminded, found.overdue) == (0, 0)


def test_billing_details_are_named_before_anything_is_sent(admin: Context) -> None:
    """Every missing or wrong billing detail is named before anything is sent."""
    account_id = new_customer(admin, complete=False)
    with admin.database.write_session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        account.billing_country = "DE"
        account.billing_postal_code = "1011"
        session.commit()
    found = billing_details.sending_problems(admin, account_id, "")
    assert found == [
        ("territory", "the territory of use is missing"),
        ("invoice_contact", "the account has no invoice contact"),
        ("billing_street", "the billing street is missing"),
        ("billing_city", "the billing city is missing"),
        (
            "billing_postal_code",
            "the billing postal code '1011' is not a German postcode of five digits",
        ),
    ]


def test_a_quote_rejected_then_changed_below_every_rule_can_be_sent(
    admin: Context, shop: Catalogue
) -> None:
    """Finance rejects 35%; at 20% no rule applies, so it is approved at once and the PO goes."""
    ae = admin.as_user("ae")
    quote = quote_with(admin, shop.platform, "35")
    builder.submit_quote(ae, quote.id, quote.version)
    inbox = approval_inbox.inbox(admin.as_user("finance"))
    approval_decisions.decide(
        admin.as_user("finance"), inbox[0].approval_id, Decision.REJECT, "Too much."
    )
    rejected = quotes.get_quote(ae, quote.id)
    edit = quotes.QuoteEdit(
        lines=[
            quotes.QuoteLineIn(line_id=line.id, quantity=1, discount_pct=Decimal(20))
            for line in rejected.lines
        ],
        starts_on=STARTS,
    )
    lowered = quotes.update_quote(ae, quote.id, rejected.version, edit)
    approved = builder.submit_quote(ae, quote.id, lowered.version).quote
    assert approved.status is QuoteStatus.APPROVED
    contact = account_service.get_account(admin, approved.account_id).contacts[0]
    sent = builder.send_po(ae, quote.id, approved.version, contact.id)
    assert sent.status is QuoteStatus.APPROVED


def test_with_two_customer_success_people_the_seller_gets_one_alert(
    admin: Context, shop: Catalogue, clock: AdjustableClock
) -> None:
    """Each of them is reminded; the overdue approval is chased once."""
    user_service.create_user(
        admin,
        user_service.UserIn(
            login="success2",
            name="Sid Success",
            email="success2@example.com",
            roles=frozenset({Role.CUSTOMER_SUCCESS}),
        ),
    )
    quote = quote_with(admin, shop.onsite)
    builder.submit_quote(admin.as_user("ae"), quote.id, quote.version)
    clock.advance(timedelta(hours=49))
    found = approval_deadlines.follow_up(admin)
    assert (found.reminded, found.overdue) == (2, 1)
    assert sorted((kind, login) for kind, login, _ in reminders(admin)) == [
        (ActivityKind.REMINDER, "success"),
        (ActivityKind.REMINDER, "success2"),
        (ActivityKind.TASK, "ae"),
    ]


def test_an_sla_started_on_a_friday_afternoon_waits_out_the_weekend(
    admin: Context, shop: Catalogue, clock: AdjustableClock
) -> None:
    """The 48-hour SLA counts working days: Friday 16:00 is due Tuesday 16:00, reminded Monday."""
    clock.advance(timedelta(days=4, hours=6, minutes=30))  # Monday 09:30 -> Friday 16:00
    friday = clock.now()
    assert friday.weekday() == 4
    ae = admin.as_user("ae")
    quote = quote_with(admin, shop.onsite)
    builder.submit_quote(ae, quote.id, quote.version)
    with admin.database.read_session() as session:
        approval = session.scalars(select(Approval)).one()
        assert approval.due_at == friday + timedelta(days=4)
        assert approval.remind_at == friday + timedelta(days=3)


def test_a_rule_can_ask_for_approval_of_a_statement_of_work_or_of_its_absence(
    admin: Context, shop: Catalogue
) -> None:
    """Seed 003 has a statement of work approved: a rule on ``statement_of_work`` sends a
    workshop with one to Finance, in the live preview and on the quote; one on
    ``service_without_sow`` catches a workshop still without one."""
    for name, field in (
        ("Statements of work need Finance", "statement_of_work"),
        ("A service needs its statement of work", "service_without_sow"),
    ):
        approval_rules.add_rule(
            admin,
            approval_rules.RuleIn(
                name=name,
                record_type=RecordType.QUOTE,
                condition={"field": field, "op": "==", "value": True},
                approver_kind=ApproverKind.ROLE_IN_SEGMENT,
                approver_role=Role.FINANCE,
            ),
        )
    quote = quote_with(admin, shop.workshop)
    assert [need.rule for need in quote.approvals_needed] == [
        "A service needs its statement of work"
    ]
    (line,) = quote.lines
    quote = builder.write_statement_of_work(
        admin.as_user("ae"), quote.id, quote.version, line.id, "Two days on tagging."
    )
    assert [need.rule for need in quote.approvals_needed] == ["Statements of work need Finance"]
    edit = quotes.QuoteEdit(
        lines=[quotes.QuoteLineIn(line_id=line.id, quantity=2, discount_pct=Decimal(0))],
        starts_on=STARTS,
    )
    preview = quotes.preview_quote(admin.as_user("ae"), quote.id, edit)
    assert [need.rule for need in preview.approvals_needed] == ["Statements of work need Finance"]
