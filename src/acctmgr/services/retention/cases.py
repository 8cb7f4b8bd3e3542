"""Retention (rate-reduction) cases: from the customer's request to a new, signed contract.

The process of seeds/000: the Account Executive opens the case and tells the customer the
terms (12-month contracts, 60 days' notice); the case goes to a Contract Management
Specialist of the account's segment, who reviews usage, opens an Opportunity, submits a
Placeholder Request, confirms the customer's goals, builds the quote, and submits it for the
Segment Leader's approval; then the new contract is sent, signed, and the case closed.

Each use case moves the case one step and checks that the signed-in user holds that step.
Every change is audited by the flush listener; the steps a person takes are also written as
explicit decisions, so the case's timeline reads as a story.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import or_, select

from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    Account,
    Activity,
    ActivityKind,
    ApprovalRequestStatus,
    ApprovalStatus,
    AuditEvent,
    CloseOutcome,
    Contact,
    Contract,
    ContractStatus,
    Invoice,
    Opportunity,
    OpportunityKind,
    OpportunityStage,
    PlaceholderRequest,
    PlaceholderStatus,
    Quote,
    QuoteStatus,
    RetentionCase,
    RetentionStep,
    Role,
    SignatureMethod,
    SkuVersion,
    Subscription,
    SubscriptionKind,
    UsageRecord,
    User,
    UserRole,
)
from acctmgr.services.accounts import billing_details
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.contracts import contract_documents
from acctmgr.services.contracts import lifecycle as contracts
from acctmgr.services.contracts.terms import NoticeTerms, notice_terms, term_end
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.money import HUNDRED, format_money
from acctmgr.services.kernel.permissions import require_role, require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.sales import opportunities, quote_facts, quotes

RECORD = "retention_case"


class Stage(enum.StrEnum):
    """The eleven steps of the wizard as people see them (``RetentionStep`` is what is stored;
    "close" is the signature step once the contract is signed)."""

    OPEN = "open"
    ROUTING = "routing"
    USAGE = "usage"
    OPPORTUNITY = "opportunity"
    PLACEHOLDER = "placeholder"
    GOALS = "goals"
    QUOTE = "quote"
    REVIEW = "review"
    APPROVAL = "approval"
    SIGNATURE = "signature"
    CLOSE = "close"


STAGE_LABELS = {
    Stage.OPEN: "Open the case",
    Stage.ROUTING: "Routing",
    Stage.USAGE: "Usage and services",
    Stage.OPPORTUNITY: "Opportunity",
    Stage.PLACEHOLDER: "Placeholder request",
    Stage.GOALS: "Customer's goals",
    Stage.QUOTE: "Quote",
    Stage.REVIEW: "Review",
    Stage.APPROVAL: "Approval",
    Stage.SIGNATURE: "Contract for signature",
    Stage.CLOSE: "Close",
}
STAGE_OF_STEP = {
    RetentionStep.OPENED: Stage.OPEN,
    RetentionStep.IN_QUEUE: Stage.ROUTING,
    RetentionStep.USAGE_REVIEW: Stage.USAGE,
    RetentionStep.OPPORTUNITY: Stage.OPPORTUNITY,
    RetentionStep.PLACEHOLDER: Stage.PLACEHOLDER,
    RetentionStep.CUSTOMER_GOALS: Stage.GOALS,
    RetentionStep.QUOTE: Stage.QUOTE,
    RetentionStep.REVIEW: Stage.REVIEW,
    RetentionStep.APPROVAL: Stage.APPROVAL,
    RetentionStep.SIGNATURE: Stage.SIGNATURE,
    RetentionStep.CLOSED: Stage.CLOSE,
}
STAGES = list(Stage)
SIGNED = (ContractStatus.SIGNED, ContractStatus.ACTIVE)


# --- inputs -----------------------------------------------------------------------------------


class CaseIn(BaseModel):
    """What the Account Executive records when the customer asks for a lower rate."""

    account_id: int
    contract_id: int
    contact_id: int | None = None
    reason: str = Field(max_length=2000)
    reduction_minor: int | None = None
    reduction_pct: Decimal | None = None
    customer_informed: bool = False

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say why the customer asks for a lower rate")
        return value.strip()

    @model_validator(mode="after")
    def _one_reduction(self) -> CaseIn:
        if (self.reduction_minor is None) == (self.reduction_pct is None):
            raise InvalidInput(
                "Give the reduction asked for as an amount or as a percentage (one of them).",
                field="reduction",
            )
        if self.reduction_pct is not None and not 0 < self.reduction_pct <= 100:
            raise InvalidInput(
                "A reduction is more than 0% and at most 100% of the current rate.",
                field="reduction",
            )
        if self.reduction_minor is not None and self.reduction_minor <= 0:
            raise InvalidInput("A reduction is an amount greater than zero.", field="reduction")
        return self


class ContactAttemptIn(BaseModel):
    channel: ActivityKind  # EMAIL or CALL
    contact_id: int | None = None
    outcome: str = Field(max_length=200)
    notes: str = Field(default="", max_length=4000)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say how the contact went")
        return value.strip()


class SignatureIn(BaseModel):
    signer_name: str = Field(max_length=200)
    signer_title: str = Field(default="", max_length=120)
    signed_on: date
    method: SignatureMethod

    @field_validator("signer_name")
    @classmethod
    def _signer(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name the person who signed")
        return value.strip()


# --- read models ------------------------------------------------------------------------------


class ContactChoice(ReadModel):
    id: int
    name: str
    email: str


class CaseTerms(ReadModel):
    """What the case form shows before anything is saved: the contract and its terms."""

    account_id: int
    account_name: str
    contract_id: int
    contract_number: str
    contract_starts_on: date
    contract_ends_on: date
    currency: str
    current_rate_minor: int
    notice_days: int
    notice_deadline: date
    earliest_effective: date
    missed_current_term: bool
    contacts: list[ContactChoice]


class StageState(ReadModel):
    stage: Stage
    label: str
    state: str  # done, current, next
    holder: str  # who holds the ball at this step ("" when not known yet)


class ContactAttempt(ReadModel):
    at: datetime
    channel: ActivityKind
    contact: str
    outcome: str
    notes: str
    by: str


class CaseView(ReadModel):
    id: int
    number: str
    account_id: int
    account_name: str
    segment_id: int
    step: RetentionStep
    stage: Stage
    stages: list[StageState]
    holder: str
    holder_ids: list[int]
    mine: bool  # the signed-in user holds the current step
    opened_by: str
    assigned_to: str | None
    reason: str
    contact_id: int | None
    contact_name: str | None
    requested_reduction_minor: int
    requested_reduction_pct: Decimal
    current_rate_minor: int
    currency: str
    contract_id: int | None
    contract_number: str | None
    contract_ends_on: date | None
    notice_deadline: date | None
    earliest_effective: date | None
    opportunity_id: int | None
    opportunity_version: int | None
    placeholder_estimate_minor: int | None
    placeholder_confirmed_minor: int | None
    quote_id: int | None
    quote_status: QuoteStatus | None
    approval_request_id: int | None
    can_recall: bool  # the signed-in user submitted the quote that waits for approval
    rejection_comment: str
    new_contract_id: int | None
    new_contract_number: str | None
    new_contract_status: ContractStatus | None
    contacts: list[ContactChoice]
    attempts: list[ContactAttempt]
    outcome: CloseOutcome | None
    close_reason: str
    draft: dict[str, str]  # what the signed-in user typed at this step and did not submit
    version: int


class UsageMonth(ReadModel):
    month: date
    page_views: int
    included: int | None  # page views included a month, from the contract's threshold


class SubscriptionLine(ReadModel):
    description: str
    quantity: int
    list_price_minor: int
    net_price_minor: int
    status: str


class InvoiceLine(ReadModel):
    number: str
    issued_on: date
    total_minor: int
    status: str


class UsageReview(ReadModel):
    currency: str
    subscriptions: list[SubscriptionLine]
    usage: list[UsageMonth]
    invoices: list[InvoiceLine]
    invoiced_12_months_minor: int


class TimelineEntry(ReadModel):
    at: datetime
    who: str
    what: str


# --- opening and routing ----------------------------------------------------------------------


@use_case("retention.terms", write=False)
def case_terms(uow: UnitOfWork, account_id: int, contract_id: int | None = None) -> CaseTerms:
    """The contract a case would reduce, its notice deadline and earliest effective date."""
    account = _account(uow, account_id)
    contract = _current_contract(uow, account, contract_id)
    terms = _terms(uow, contract)
    contacts = uow.session.scalars(
        select(Contact)
        .where(Contact.account_id == account.id)
        .order_by(Contact.is_primary.desc(), Contact.name)
    )
    return CaseTerms(
        account_id=account.id,
        account_name=account.name,
        contract_id=contract.id,
        contract_number=contract.number,
        contract_starts_on=contract.starts_on,
        contract_ends_on=contract.ends_on,
        currency=contract.currency,
        current_rate_minor=quote_facts.contract_rate(uow, contract.id),
        notice_days=contract.notice_days,
        notice_deadline=terms.notice_deadline,
        earliest_effective=terms.earliest_effective,
        missed_current_term=terms.missed_current_term,
        contacts=[ContactChoice(id=c.id, name=c.name, email=c.email) for c in contacts],
    )


@use_case("retention.open")
def open_case(uow: UnitOfWork, data: CaseIn) -> CaseView:
    """The Account Executive opens a rate-reduction case; it is routed to a CMS at once.

    Rules: only an AE of the account's segment; the contract must be the account's and in
    force; the customer must have been told the terms; a reduction is more than nothing and
    no more than the current rate. Routing assigns the segment's CMSs round-robin; a segment
    without one leaves the case in its queue.
    """
    actor = uow.user
    require_role(actor, Role.ACCOUNT_EXECUTIVE, to="open a retention case")
    account = _account(uow, data.account_id)
    contract = _current_contract(uow, account, data.contract_id)
    if data.contact_id is not None:
        _contact(uow, account, data.contact_id)
    if not data.customer_informed:
        raise InvalidInput(
            "Confirm that you told the customer about the 12-month term and the notice period.",
            field="customer_informed",
        )
    rate = quote_facts.contract_rate(uow, contract.id)
    if data.reduction_minor is not None:
        if data.reduction_minor > rate:
            raise InvalidInput(
                f"The reduction cannot be more than the current rate of "
                f"{format_money(rate, contract.currency)} a year.",
                field="reduction",
            )
        amount = data.reduction_minor
        pct = (Decimal(amount) * HUNDRED / rate).quantize(Decimal("0.0001")) if rate else HUNDRED
    else:
        assert data.reduction_pct is not None
        pct = data.reduction_pct
        amount = int((Decimal(rate) * pct / HUNDRED).quantize(Decimal(1)))
    terms = _terms(uow, contract)
    case = RetentionCase(
        account_id=account.id,
        contract_id=contract.id,
        contact_id=data.contact_id,
        opened_by_id=actor.id,
        step=RetentionStep.IN_QUEUE,
        reason=data.reason,
        requested_reduction_minor=amount,
        requested_reduction_pct=pct,
        customer_informed_of_terms=True,
        notice_deadline=terms.notice_deadline,
        earliest_effective_date=terms.earliest_effective,
        draft={},
    )
    uow.add_numbered(case, "RC", 6)
    cms = _next_cms(uow, account.segment_id, exclude=actor.id)
    if cms is not None:
        _assign(uow, case, cms)
    _step_done(uow, case, Stage.OPEN, {"reduction_minor": amount, "reduction_pct": pct})
    return _view(uow, case)


def _next_cms(uow: UnitOfWork, segment_id: int, exclude: int) -> int | None:
    """Round-robin: the segment's CMS after the one who was assigned the latest case."""
    cmss = [
        user_id
        for user_id in uow.session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == Role.CONTRACT_MANAGER,
                User.segment_id == segment_id,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
        if user_id != exclude
    ]
    if not cmss:
        return None
    last = uow.session.scalar(
        select(RetentionCase.assigned_to_id)
        .join(Account, Account.id == RetentionCase.account_id)
        .where(Account.segment_id == segment_id, RetentionCase.assigned_to_id.in_(cmss))
        .order_by(RetentionCase.id.desc())
        .limit(1)
    )
    if last is None:
        return cmss[0]
    return cmss[(cmss.index(last) + 1) % len(cmss)]


@use_case("retention.take")
def take_case(uow: UnitOfWork, case_id: int, expected_version: int) -> CaseView:
    """A CMS of the segment picks an unassigned case from the queue."""
    case = _case(uow, case_id)
    actor = uow.user
    require_role(actor, Role.CONTRACT_MANAGER, to="take a case from the queue")
    uow.expect_version(case, expected_version, "case")
    if case.step is not RetentionStep.IN_QUEUE or case.assigned_to_id is not None:
        raise InvalidInput("This case is no longer in the queue; someone has taken it.")
    _assign(uow, case, actor.id)
    return _view(uow, case)


def _assign(uow: UnitOfWork, case: RetentionCase, cms_id: int) -> None:
    case.assigned_to_id = cms_id
    case.step = RetentionStep.USAGE_REVIEW
    uow.session.flush()
    audit.record(uow, RECORD, case.id, "routed", {"assigned_to_id": cms_id})


# --- the CMS's steps --------------------------------------------------------------------------


@use_case("retention.usage", write=False)
def usage_review(uow: UnitOfWork, case_id: int) -> UsageReview:
    """The account's subscriptions, usage against its threshold, and a year of invoices."""
    case = _case(uow, case_id)
    today = uow.now.date()
    since = date(today.year - 1, today.month, 1)
    contract = uow.session.get(Contract, case.contract_id) if case.contract_id else None
    subs = uow.session.execute(
        select(Subscription, SkuVersion.name)
        .join(SkuVersion, SkuVersion.id == Subscription.sku_version_id)
        .where(
            Subscription.account_id == case.account_id, Subscription.kind == SubscriptionKind.PAID
        )
        .order_by(Subscription.status, Subscription.id)
        .limit(100)
    ).all()
    monthly = None
    if contract and contract.page_view_threshold:
        monthly = contract.page_view_threshold // 12
    usage = uow.session.scalars(
        select(UsageRecord)
        .where(UsageRecord.account_id == case.account_id, UsageRecord.month >= since)
        .order_by(UsageRecord.month)
    )
    invoices = uow.session.scalars(
        select(Invoice)
        .where(
            Invoice.account_id == case.account_id, Invoice.issued_on >= today - timedelta(days=365)
        )
        .order_by(Invoice.issued_on.desc())
    ).all()
    account = _account(uow, case.account_id)
    return UsageReview(
        currency=contract.currency if contract else account.currency,
        subscriptions=[
            SubscriptionLine(
                description=name,
                quantity=sub.quantity,
                list_price_minor=sub.list_price_minor,
                net_price_minor=sub.net_price_minor,
                status=sub.status.value,
            )
            for sub, name in subs
        ],
        usage=[
            UsageMonth(month=record.month, page_views=record.quantity, included=monthly)
            for record in usage
        ],
        invoices=[
            InvoiceLine(
                number=invoice.number,
                issued_on=invoice.issued_on,
                total_minor=invoice.total_minor,
                status=invoice.status.value,
            )
            for invoice in invoices
        ],
        invoiced_12_months_minor=sum(invoice.total_minor for invoice in invoices),
    )


@use_case("retention.review_usage")
def complete_usage_review(
    uow: UnitOfWork, case_id: int, expected_version: int, notes: str
) -> CaseView:
    """The CMS has reviewed usage and services; their findings are kept on the case."""
    case = _holding(uow, case_id, expected_version, RetentionStep.USAGE_REVIEW)
    if not notes.strip():
        raise InvalidInput("Write down what the usage review found.", field="notes")
    _log(uow, case, ActivityKind.NOTE, "Usage and services reviewed", notes=notes.strip())
    case.step = RetentionStep.OPPORTUNITY
    _step_done(uow, case, Stage.USAGE, {"notes": notes.strip()})
    return _view(uow, case)


@use_case("retention.create_opportunity")
def create_opportunity(
    uow: UnitOfWork, case_id: int, expected_version: int, name: str, expected_close_on: date
) -> CaseView:
    """The CMS opens a rate-reduction Opportunity on the account, linked to the case."""
    case = _holding(uow, case_id, expected_version, RetentionStep.OPPORTUNITY)
    if not name.strip():
        raise InvalidInput("Give the opportunity a name.", field="name")
    if expected_close_on < uow.now.date():
        raise InvalidInput(
            "The expected close date cannot be in the past.", field="expected_close_on"
        )
    contract = _case_contract(uow, case)
    rate = quote_facts.contract_rate(uow, contract.id)
    opportunity = uow.add(
        Opportunity(
            account_id=case.account_id,
            retention_case_id=case.id,
            owner_id=uow.user.id,
            name=name.strip(),
            kind=OpportunityKind.RATE_REDUCTION,
            stage=OpportunityStage.QUALIFYING,
            amount_minor=rate - (case.requested_reduction_minor or 0),
            currency=contract.currency,
            expected_close_on=expected_close_on,
        )
    )
    case.step = RetentionStep.PLACEHOLDER
    _step_done(uow, case, Stage.OPPORTUNITY, {"opportunity_id": opportunity.id})
    return _view(uow, case)


@use_case("retention.submit_placeholder")
def submit_placeholder(
    uow: UnitOfWork, case_id: int, expected_version: int, estimated_reduction_minor: int, notes: str
) -> CaseView:
    """The CMS signals the intent for a new contract with the estimated reduction."""
    case = _holding(uow, case_id, expected_version, RetentionStep.PLACEHOLDER)
    contract = _case_contract(uow, case)
    rate = quote_facts.contract_rate(uow, contract.id)
    if not 0 < estimated_reduction_minor <= rate:
        raise InvalidInput(
            "The estimated reduction is more than zero and no more than the current rate of "
            f"{format_money(rate, contract.currency)}.",
            field="estimate",
        )
    opportunity = _opportunity(uow, case)
    uow.add(
        PlaceholderRequest(
            opportunity_id=opportunity.id,
            submitted_by_id=uow.user.id,
            status=PlaceholderStatus.SUBMITTED,
            estimated_reduction_minor=estimated_reduction_minor,
            notes=notes.strip(),
        )
    )
    case.step = RetentionStep.CUSTOMER_GOALS
    _step_done(
        uow, case, Stage.PLACEHOLDER, {"estimated_reduction_minor": estimated_reduction_minor}
    )
    return _view(uow, case)


@use_case("retention.log_contact")
def log_contact(uow: UnitOfWork, case_id: int, data: ContactAttemptIn) -> CaseView:
    """Log one attempt to reach the customer (an e-mail or a call) and how it went.

    An e-mail needs a contact with an e-mail address.
    """
    case = _holding(uow, case_id, None, RetentionStep.CUSTOMER_GOALS)
    if data.channel not in (ActivityKind.EMAIL, ActivityKind.CALL):
        raise InvalidInput("A contact attempt is an e-mail or a call.", field="channel")
    account = _account(uow, case.account_id)
    contact = _contact(uow, account, data.contact_id) if data.contact_id else None
    if data.channel is ActivityKind.EMAIL and (contact is None or not contact.email):
        who = contact.name if contact else "The contact"
        raise InvalidInput(
            f"{who} has no e-mail address; call instead, or add one first.", field="contact"
        )
    verb = "E-mailed" if data.channel is ActivityKind.EMAIL else "Called"
    _log(
        uow,
        case,
        data.channel,
        f"{verb} {contact.name if contact else 'the customer'}",
        notes=data.notes.strip(),
        outcome=data.outcome,
        contact=contact,
        done=True,
    )
    return _view(uow, case)


@use_case("retention.switch_to_call")
def switch_to_call(uow: UnitOfWork, case_id: int, call_at: datetime, reason: str) -> CaseView:
    """The e-mail thread got confused: schedule a call with the customer instead."""
    case = _holding(uow, case_id, None, RetentionStep.CUSTOMER_GOALS)
    if call_at < uow.now:
        raise InvalidInput("The call cannot be scheduled in the past.", field="call_at")
    contact = uow.session.get(Contact, case.contact_id) if case.contact_id else None
    _log(
        uow,
        case,
        ActivityKind.CALL,
        f"Call {contact.name if contact else 'the customer'} instead of e-mailing",
        notes=reason.strip() or "The e-mail thread was getting confused.",
        contact=contact,
        due_at=call_at,
    )
    audit.record(uow, RECORD, case.id, "switched_to_call", {"call_at": call_at})
    return _view(uow, case)


@use_case("retention.ask_ae")
def ask_account_executive(uow: UnitOfWork, case_id: int, subject: str, due_on: date) -> CaseView:
    """Pull the Account Executive in: a task for them on this case."""
    case = _holding(uow, case_id, None, RetentionStep.CUSTOMER_GOALS)
    if not subject.strip():
        raise InvalidInput("Say what you need from the Account Executive.", field="subject")
    if due_on < uow.now.date():
        raise InvalidInput("The task cannot be due in the past.", field="due_on")
    _log(
        uow,
        case,
        ActivityKind.TASK,
        subject.strip(),
        assigned_to=case.opened_by_id,
        due_at=datetime.combine(due_on, time(17), tzinfo=uow.now.tzinfo),
    )
    return _view(uow, case)


@use_case("retention.confirm_goals")
def confirm_goals(uow: UnitOfWork, case_id: int, expected_version: int, goals: str) -> CaseView:
    """The customer's goals are confirmed; the quote is started from the current subscriptions.

    At least one e-mail or call with its outcome must have been logged first.
    """
    case = _holding(uow, case_id, expected_version, RetentionStep.CUSTOMER_GOALS)
    if not goals.strip():
        raise InvalidInput("Write down the goals the customer confirmed.", field="goals")
    if not _attempts(uow, case):
        raise InvalidInput("Log at least one e-mail or call with the customer first.")
    _log(uow, case, ActivityKind.NOTE, "Customer's goals confirmed", notes=goals.strip())
    opportunity = _opportunity(uow, case)
    if opportunities.latest_quote(uow, opportunity.id) is None:
        starts_on = max(case.earliest_effective_date or uow.now.date(), uow.now.date())
        quotes.quote_from_contract(uow, opportunity, _case_contract(uow, case), starts_on)
    opportunity.stage = OpportunityStage.PROPOSAL
    case.step = RetentionStep.QUOTE
    _step_done(uow, case, Stage.GOALS, {"goals": goals.strip()})
    return _view(uow, case)


@use_case("retention.finish_quote")
def finish_quote(uow: UnitOfWork, case_id: int, expected_version: int) -> CaseView:
    """The quote is ready for review (it is edited through ``quotes.update_quote``)."""
    case = _holding(uow, case_id, expected_version, RetentionStep.QUOTE)
    quote = _quote(uow, case)
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.REJECTED):
        raise InvalidInput("This quote is not a draft.")
    case.step = RetentionStep.REVIEW
    _step_done(
        uow, case, Stage.QUOTE, {"quote_id": quote.id, "net_total_minor": quote.net_total_minor}
    )
    return _view(uow, case)


@use_case("retention.back_to_quote")
def back_to_quote(uow: UnitOfWork, case_id: int, expected_version: int) -> CaseView:
    """From the review, go back to change the quote."""
    case = _holding(uow, case_id, expected_version, RetentionStep.REVIEW)
    case.step = RetentionStep.QUOTE
    uow.session.flush()
    return _view(uow, case)


@use_case("retention.submit_for_approval")
def submit_for_approval(
    uow: UnitOfWork, case_id: int, expected_version: int, confirmed_reduction_minor: int
) -> CaseView:
    """Update the placeholder with the confirmed reduction and submit the quote for approval.

    The confirmed reduction must be exactly the reduction the quote gives (current rate minus
    the quote's net total). The quote is locked while it waits.
    """
    case = _holding(uow, case_id, expected_version, RetentionStep.REVIEW)
    quote = _quote(uow, case)
    rate = quote_facts.contract_rate(uow, _case_contract(uow, case).id)
    reduction = rate - quote.net_total_minor
    if reduction <= 0:
        raise InvalidInput("The quote does not reduce the rate; change the quote first.")
    if confirmed_reduction_minor != reduction:
        raise InvalidInput(
            "The confirmed reduction must match the quote: "
            f"{format_money(reduction, quote.currency)}.",
            field="confirmed",
        )
    placeholder = _placeholder(uow, case)
    placeholder.confirmed_reduction_minor = confirmed_reduction_minor
    placeholder.status = PlaceholderStatus.CONFIRMED
    _opportunity(uow, case).stage = OpportunityStage.NEGOTIATION
    case.step = RetentionStep.APPROVAL
    uow.session.flush()
    result = approval_requests.submit(uow, "quote", quote.id)
    _step_done(
        uow,
        case,
        Stage.REVIEW,
        {"confirmed_reduction_minor": reduction, "approvers": result.approvers},
    )
    return _view(uow, case)


def follow_quote_decision(
    uow: UnitOfWork, case: RetentionCase, status: ApprovalRequestStatus
) -> None:
    """The approvals engine decided the case's quote: move the case on, or back to the quote."""
    if case.step is not RetentionStep.APPROVAL:
        return
    if status is ApprovalRequestStatus.APPROVED:
        case.step = RetentionStep.SIGNATURE
    else:
        case.step = RetentionStep.QUOTE
    uow.session.flush()


def follow_quote_edit(uow: UnitOfWork, case: RetentionCase) -> None:
    """The case's quote is being edited: refuse once the contract is out, else follow it back.

    An approved quote edited is a draft again, so a case waiting to send its contract returns
    to the quote step (to be reviewed and submitted again). After the contract was sent, or
    the case closed, the quote is what the customer has: it can no longer change.
    """
    if case.step is RetentionStep.CLOSED:
        raise InvalidInput(f"Case {case.number} is closed; its quote can no longer change.")
    if case.step is RetentionStep.SIGNATURE:
        if _new_contract(uow, case) is not None:
            raise InvalidInput(
                "The contract from this quote was sent for signature; the quote can no longer "
                "change. Close the case as lost or withdrawn to start again."
            )
        case.step = RetentionStep.QUOTE
        uow.session.flush()


@use_case("retention.recall")
def recall_approval(uow: UnitOfWork, case_id: int, expected_version: int) -> CaseView:
    """The CMS who submitted the quote takes it back from approval to change it.

    While the quote waits, the approvers hold the case; only the request's submitter recalls it.
    """
    case = _case(uow, case_id)
    uow.expect_version(case, expected_version, "case")
    request = approval_requests.open_request(uow, "quote", _quote(uow, case).id)
    if request is None or case.step is not RetentionStep.APPROVAL:
        raise InvalidInput("The quote is not waiting for approval.")
    if request.submitted_by_id != uow.user.id:
        raise PermissionDenied("Only the person who submitted a request can recall it.")
    approval_requests.recall_request(uow, request)
    return _view(uow, case)


# --- contract and close -----------------------------------------------------------------------


@use_case("retention.send_contract")
def send_contract(
    uow: UnitOfWork, case_id: int, expected_version: int, contact_id: int
) -> CaseView:
    """Draft the new contract from the approved quote, render it, and e-mail it for signature.

    The quote must be approved as it stands; the contact needs an e-mail address, and the
    account its territory of use, invoice contact and billing address. The contract goes out as
    a PDF, its e-mail in the outbox in this transaction.
    """
    case = _holding(uow, case_id, expected_version, RetentionStep.SIGNATURE)
    quote = _quote(uow, case)
    if quote.status is not QuoteStatus.APPROVED or not approval_requests.is_approved(
        uow, "quote", quote.id, quote.version
    ):
        raise InvalidInput("The quote must be approved before a contract is sent.")
    account = _account(uow, case.account_id)
    contact = _contact(uow, account, contact_id)
    if not contact.email:
        raise InvalidInput(
            f"{contact.name} has no e-mail address to send the contract to.", field="contact"
        )
    contract = _new_contract(uow, case)
    if contract is None:
        contract = _draft_contract(uow, case, quote)
    elif contract.status not in (ContractStatus.DRAFT, ContractStatus.SENT_FOR_SIGNATURE):
        raise InvalidInput("The new contract is already signed.")
    billing_details.check_before_sending(uow, account, contract.territory, "contract")
    # Sent first, so the document records the version of the contract that went out.
    contract.status = ContractStatus.SENT_FOR_SIGNATURE
    uow.session.flush()
    contract_documents.issue_contract(
        uow, contract, quote, contact, supersedes=_case_contract(uow, case).number
    )
    _step_done(uow, case, Stage.SIGNATURE, {"sent_to": contact.email, "contract_id": contract.id})
    return _view(uow, case)


def _draft_contract(uow: UnitOfWork, case: RetentionCase, quote: Quote) -> Contract:
    old = _case_contract(uow, case)
    assert quote.starts_on is not None
    return uow.add_numbered(
        Contract(
            account_id=case.account_id,
            quote_id=quote.id,
            supersedes_id=old.id,
            status=ContractStatus.DRAFT,
            renewal_type=old.renewal_type,
            starts_on=quote.starts_on,
            ends_on=term_end(quote.starts_on, quote.term_months),
            term_months=quote.term_months,
            notice_days=old.notice_days,
            currency=quote.currency,
            annual_value_minor=quote.net_total_minor,
            territory=quote.territory or old.territory,
            page_view_threshold=old.page_view_threshold,
        ),
        "CT",
        7,
    )


@use_case("retention.record_signature")
def record_signature(
    uow: UnitOfWork, case_id: int, expected_version: int, data: SignatureIn
) -> CaseView:
    """The customer signed: record who, when and how. The contract takes effect on its date."""
    case = _holding(uow, case_id, expected_version, RetentionStep.SIGNATURE)
    contract = _new_contract(uow, case)
    if contract is None or contract.status is not ContractStatus.SENT_FOR_SIGNATURE:
        raise InvalidInput("Send the contract for signature first.")
    if data.signed_on > uow.now.date():
        raise InvalidInput("The signature date cannot be in the future.", field="signed_on")
    sent = contract.updated_at or contract.created_at
    if data.signed_on < sent.date():
        raise InvalidInput(
            "The signature date cannot be before the contract was sent.", field="signed_on"
        )
    contract.signer_name = data.signer_name
    contract.signer_title = data.signer_title.strip()
    contract.signed_on = data.signed_on
    contract.signature_method = data.method
    contract.status = ContractStatus.SIGNED
    contract.finalised_by_id = uow.user.id
    contract.finalised_at = uow.now
    uow.session.flush()
    if contract.starts_on <= uow.now.date():
        contracts.activate(uow, contract)
    _step_done(
        uow, case, Stage.SIGNATURE, {"signed_by": data.signer_name, "signed_on": data.signed_on}
    )
    return _view(uow, case)


@use_case("retention.close")
def close_case(
    uow: UnitOfWork, case_id: int, expected_version: int, outcome: CloseOutcome, reason: str
) -> CaseView:
    """Close the case: won (resolved) once the new contract is signed; or lost or withdrawn,
    at any step, with a reason. Closing withdraws what is still open (approval, placeholder,
    unsigned contract) and closes the opportunity the same way."""
    case = _case(uow, case_id)
    if case.step is RetentionStep.CLOSED:
        raise InvalidInput("This case is already closed.")
    actor = uow.user
    holders = _holder_ids(uow, case)
    if actor.id not in holders and actor.id not in (case.opened_by_id, case.assigned_to_id):
        raise PermissionDenied(
            "Only the person holding the case, or the AE who opened it, can close it."
        )
    uow.expect_version(case, expected_version, "case")
    reason = reason.strip()
    opportunity = _opportunity_or_none(uow, case)
    contract = _new_contract(uow, case)
    if outcome is CloseOutcome.WON:
        if contract is None or contract.status not in SIGNED:
            raise InvalidInput("A case cannot close won without a signed contract.")
    elif not reason:
        raise InvalidInput(f"Say why the case closes {outcome.value}.", field="reason")
    if outcome is not CloseOutcome.WON:
        quote = opportunities.latest_quote(uow, opportunity.id) if opportunity else None
        request = approval_requests.open_request(uow, "quote", quote.id) if quote else None
        if request is not None:
            approval_requests.recall_request(uow, request)
        if opportunity is not None:
            placeholder = _placeholder_or_none(uow, opportunity)
            if placeholder is not None:
                placeholder.status = PlaceholderStatus.WITHDRAWN
        if contract is not None and contract.status not in SIGNED:
            contract.status = ContractStatus.CANCELLED
    if opportunity is not None and opportunity.stage is not OpportunityStage.CLOSED:
        opportunities.close(uow, opportunity, outcome, reason)
    case.step = RetentionStep.CLOSED
    case.outcome = outcome
    case.close_reason = reason or "Resolved: new contract signed."
    case.closed_at = uow.now
    uow.session.flush()
    audit.record(uow, RECORD, case.id, f"closed_{outcome.value}", {"reason": case.close_reason})
    return _view(uow, case)


# --- drafts, the view and the timeline ---------------------------------------------------------


@use_case("retention.save_draft")
def save_draft(uow: UnitOfWork, case_id: int, values: dict[str, str]) -> int:
    """Keep what the holder of the current step typed, to resume on any workstation.

    Only the holder of the step can; returns the case's new version.
    """
    case = _case(uow, case_id)
    _require_holder(uow, case)
    draft = {"user_id": uow.user.id, "step": case.step.value, "values": dict(values)}
    if case.draft != draft:
        case.draft = draft
        uow.session.flush()
    return case.version


@use_case("retention.get", write=False)
def get_case(uow: UnitOfWork, case_id: int) -> CaseView:
    """The case, where it stands, who holds it, and what the signed-in user left in a draft."""
    return _view(uow, _case(uow, case_id))


@use_case("retention.timeline", write=False)
def case_timeline(uow: UnitOfWork, case_id: int) -> list[TimelineEntry]:
    """Every step, decision and change of the case and the records it made, newest first."""
    case = _case(uow, case_id)
    entities: list[tuple[str, int]] = [(RECORD, case.id), ("retention_cases", case.id)]
    opportunity = _opportunity_or_none(uow, case)
    if opportunity is not None:
        entities.append(("opportunities", opportunity.id))
        placeholder = _placeholder_or_none(uow, opportunity)
        if placeholder is not None:
            entities.append(("placeholder_requests", placeholder.id))
        for quote_id in uow.session.scalars(
            select(Quote.id).where(Quote.opportunity_id == opportunity.id)
        ):
            entities.extend([("quote", quote_id), ("quotes", quote_id)])
            contract_ids = uow.session.scalars(
                select(Contract.id).where(Contract.quote_id == quote_id)
            )
            entities.extend(("contracts", contract_id) for contract_id in contract_ids)
    conditions = [
        (AuditEvent.entity_type == kind) & (AuditEvent.entity_id == entity_id)
        for kind, entity_id in entities
    ]
    events = uow.session.scalars(
        select(AuditEvent)
        .where(or_(*conditions))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(300)
    ).all()
    activities = uow.session.scalars(
        select(Activity)
        .where(Activity.record_type == RECORD, Activity.record_id == case.id)
        .order_by(Activity.created_at.desc())
        .limit(100)
    ).all()
    names = _user_names(
        uow,
        {event.actor_id for event in events} | {activity.created_by_id for activity in activities},
    )
    entries = [
        TimelineEntry(at=event.at, who=names.get(event.actor_id or 0, "system"), what=what)
        for event in events
        if (what := _describe(event))
    ]
    entries += [
        TimelineEntry(
            at=activity.created_at,
            who=names.get(activity.created_by_id, ""),
            what=f"{activity.kind.value}: {activity.subject}"
            + (f" — {activity.outcome}" if activity.outcome else ""),
        )
        for activity in activities
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


# Bookkeeping columns that say nothing to the people reading a case's story.
QUIET_FIELDS = frozenset({"version", "updated_at", "draft", "number"})


def _describe(event: AuditEvent) -> str | None:
    """The event in words, or None for bookkeeping (a draft kept, a number given)."""
    label = event.entity_type.replace("_", " ").removesuffix("s")
    if event.change == "decision":
        what = event.action.split(":", 1)[-1].replace("_", " ")
        details = event.after or {}
        comment = details.get("comment") or details.get("reason")
        return f"{label}: {what}" + (f" — {comment}" if comment else "")
    if event.change == "insert":
        return f"{label} created"
    if event.change == "update" and event.after:
        changed = [(key, value) for key, value in event.after.items() if key not in QUIET_FIELDS]
        if not changed:
            return None
        return f"{label} changed: " + ", ".join(f"{key} → {value}" for key, value in changed[:4])
    return f"{label} {event.change}"


def _view(uow: UnitOfWork, case: RetentionCase) -> CaseView:
    account = _account(uow, case.account_id)
    contract = uow.session.get(Contract, case.contract_id) if case.contract_id else None
    opportunity = _opportunity_or_none(uow, case)
    placeholder = _placeholder_or_none(uow, opportunity) if opportunity else None
    quote = opportunities.latest_quote(uow, opportunity.id) if opportunity else None
    request = approval_requests.latest_request(uow, "quote", quote.id) if quote else None
    new_contract = _new_contract(uow, case)
    stage = _stage(case, new_contract)
    holder_ids = _holder_ids(uow, case)
    names = _user_names(uow, {case.opened_by_id, case.assigned_to_id or 0, *holder_ids})
    contact = uow.session.get(Contact, case.contact_id) if case.contact_id else None
    contacts = uow.session.scalars(
        select(Contact)
        .where(Contact.account_id == account.id)
        .order_by(Contact.is_primary.desc(), Contact.name)
    )
    draft = case.draft or {}
    mine = uow.user.id in holder_ids
    return CaseView(
        id=case.id,
        number=case.number,
        account_id=account.id,
        account_name=account.name,
        segment_id=account.segment_id,
        step=case.step,
        stage=stage,
        stages=_stages(case, stage, holder_ids, names),
        holder=_holder_label(case, holder_ids, names),
        holder_ids=sorted(holder_ids),
        mine=mine,
        opened_by=names.get(case.opened_by_id, ""),
        assigned_to=names.get(case.assigned_to_id) if case.assigned_to_id else None,
        reason=case.reason,
        contact_id=case.contact_id,
        contact_name=contact.name if contact else None,
        requested_reduction_minor=case.requested_reduction_minor or 0,
        requested_reduction_pct=case.requested_reduction_pct or Decimal(0),
        current_rate_minor=quote_facts.contract_rate(uow, contract.id) if contract else 0,
        currency=contract.currency if contract else account.currency,
        contract_id=contract.id if contract else None,
        contract_number=contract.number if contract else None,
        contract_ends_on=contract.ends_on if contract else None,
        notice_deadline=case.notice_deadline,
        earliest_effective=case.earliest_effective_date,
        opportunity_id=opportunity.id if opportunity else None,
        opportunity_version=opportunity.version if opportunity else None,
        placeholder_estimate_minor=placeholder.estimated_reduction_minor if placeholder else None,
        placeholder_confirmed_minor=placeholder.confirmed_reduction_minor if placeholder else None,
        quote_id=quote.id if quote else None,
        quote_status=quote.status if quote else None,
        approval_request_id=request.id if request else None,
        can_recall=request is not None
        and request.status is ApprovalRequestStatus.PENDING
        and request.submitted_by_id == uow.user.id,
        rejection_comment=quote.approver_comment
        if quote and quote.status is QuoteStatus.REJECTED
        else "",
        new_contract_id=new_contract.id if new_contract else None,
        new_contract_number=new_contract.number if new_contract else None,
        new_contract_status=new_contract.status if new_contract else None,
        contacts=[ContactChoice(id=c.id, name=c.name, email=c.email) for c in contacts],
        attempts=_attempts(uow, case),
        outcome=case.outcome,
        close_reason=case.close_reason,
        draft=(
            dict(draft.get("values", {}))
            if draft.get("user_id") == uow.user.id and draft.get("step") == case.step.value
            else {}
        ),
        version=case.version,
    )


def _stage(case: RetentionCase, new_contract: Contract | None) -> Stage:
    if case.step is RetentionStep.SIGNATURE and new_contract and new_contract.status in SIGNED:
        return Stage.CLOSE
    return STAGE_OF_STEP[case.step]


def _stages(
    case: RetentionCase, stage: Stage, holder_ids: set[int], names: dict[int, str]
) -> list[StageState]:
    current = STAGES.index(stage)
    cms = names.get(case.assigned_to_id) if case.assigned_to_id else None
    states = []
    for index, each in enumerate(STAGES):
        if case.step is RetentionStep.CLOSED:
            state = "done"
        else:
            state = "done" if index < current else "current" if index == current else "next"
        if each is Stage.OPEN:
            holder = names.get(case.opened_by_id, "")
        elif each is Stage.ROUTING:
            holder = "CMS queue"
        elif each is Stage.APPROVAL:
            holder = (
                _holder_label(case, holder_ids, names) if index == current else "Segment Leader"
            )
        else:
            holder = cms or "CMS"
        states.append(StageState(stage=each, label=STAGE_LABELS[each], state=state, holder=holder))
    return states


def _holder_ids(uow: UnitOfWork, case: RetentionCase) -> set[int]:
    """Who holds the ball now: the CMS, the queue's CMSs, or the pending approvers."""
    if case.step is RetentionStep.CLOSED:
        return set()
    if case.step is RetentionStep.IN_QUEUE:
        account = _account(uow, case.account_id)
        return set(
            uow.session.scalars(
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(
                    UserRole.role == Role.CONTRACT_MANAGER, User.segment_id == account.segment_id
                )
            )
        )
    if case.step is RetentionStep.APPROVAL:
        opportunity = _opportunity_or_none(uow, case)
        quote = opportunities.latest_quote(uow, opportunity.id) if opportunity else None
        request = approval_requests.open_request(uow, "quote", quote.id) if quote else None
        if request is not None:
            return {
                a.approver_id
                for a in request.approvals
                if a.approver_id and a.status is ApprovalStatus.PENDING
            }
        return set()
    return {case.assigned_to_id} if case.assigned_to_id else set()


def _holder_label(case: RetentionCase, holder_ids: set[int], names: dict[int, str]) -> str:
    if case.step is RetentionStep.CLOSED:
        return "closed"
    if case.step is RetentionStep.IN_QUEUE:
        return "the CMS queue (unassigned)"
    return ", ".join(sorted(names.get(i, "") for i in holder_ids)) or "nobody"


def _require_holder(uow: UnitOfWork, case: RetentionCase) -> None:
    if uow.user.id not in _holder_ids(uow, case) or case.step is RetentionStep.IN_QUEUE:
        holder = (
            _user_names(uow, {case.assigned_to_id}).get(case.assigned_to_id or 0)
            if case.assigned_to_id
            else None
        )
        raise PermissionDenied(
            f"This step of case {case.number} is with {holder}."
            if holder
            else f"Case {case.number} is not with you."
        )


def _holding(
    uow: UnitOfWork, case_id: int, expected_version: int | None, step: RetentionStep
) -> RetentionCase:
    """The case, checked to be at ``step`` and held by the signed-in CMS."""
    case = _case(uow, case_id)
    if case.step is RetentionStep.CLOSED:
        raise InvalidInput(f"Case {case.number} is closed.")
    if case.assigned_to_id != uow.user.id:
        _require_holder(uow, case)
    if expected_version is not None:
        uow.expect_version(case, expected_version, "case")
    if case.step is not step:
        raise InvalidInput(
            f"Case {case.number} is at the step '{STAGE_LABELS[STAGE_OF_STEP[case.step]]}', "
            f"not '{STAGE_LABELS[STAGE_OF_STEP[step]]}'."
        )
    return case


def _step_done(uow: UnitOfWork, case: RetentionCase, stage: Stage, details: dict[str, Any]) -> None:
    case.draft = {}  # the step is submitted: what was typed for it is no longer a draft
    uow.session.flush()
    audit.record(uow, RECORD, case.id, f"step_{stage.value}", details)


def _log(
    uow: UnitOfWork,
    case: RetentionCase,
    kind: ActivityKind,
    subject: str,
    *,
    notes: str = "",
    outcome: str = "",
    contact: Contact | None = None,
    assigned_to: int | None = None,
    due_at: datetime | None = None,
    done: bool = False,
) -> Activity:
    return uow.add(
        Activity(
            kind=kind,
            subject=subject[:200],
            notes=notes,
            outcome=outcome,
            account_id=case.account_id,
            contact_id=contact.id if contact else None,
            record_type=RECORD,
            record_id=case.id,
            created_by_id=uow.user.id,
            assigned_to_id=assigned_to
            if assigned_to is not None
            else (uow.user.id if due_at else None),
            due_at=due_at,
            done_at=uow.now if done else None,
        )
    )


def _attempts(uow: UnitOfWork, case: RetentionCase) -> list[ContactAttempt]:
    rows = uow.session.execute(
        select(Activity, Contact.name, User.name)
        .outerjoin(Contact, Contact.id == Activity.contact_id)
        .join(User, User.id == Activity.created_by_id)
        .where(
            Activity.record_type == RECORD,
            Activity.record_id == case.id,
            Activity.kind.in_([ActivityKind.EMAIL, ActivityKind.CALL]),
            Activity.outcome != "",
        )
        .order_by(Activity.created_at, Activity.id)
    ).all()
    return [
        ContactAttempt(
            at=activity.created_at,
            channel=activity.kind,
            contact=contact or "",
            outcome=activity.outcome,
            notes=activity.notes,
            by=by,
        )
        for activity, contact, by in rows
    ]


def _terms(uow: UnitOfWork, contract: Contract) -> NoticeTerms:
    return notice_terms(
        uow.now.date(), contract.ends_on, contract.term_months, contract.notice_days
    )


def _case(uow: UnitOfWork, case_id: int) -> RetentionCase:
    case = uow.get(RetentionCase, case_id, "retention case")
    account = _account(uow, case.account_id)
    require_segment(uow.user, account.segment_id, what="case")
    return case


def _account(uow: UnitOfWork, account_id: int) -> Account:
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    return account


def _current_contract(uow: UnitOfWork, account: Account, contract_id: int | None) -> Contract:
    if contract_id is not None:
        contract = uow.session.get(Contract, contract_id)
        if contract is None or contract.account_id != account.id:
            raise InvalidInput("That contract is not one of this account's.", field="contract")
        if contract.status is not ContractStatus.ACTIVE:
            raise InvalidInput(f"Contract {contract.number} is not in force.", field="contract")
        return contract
    contract = uow.session.scalar(
        select(Contract)
        .where(Contract.account_id == account.id, Contract.status == ContractStatus.ACTIVE)
        .order_by(Contract.ends_on.desc())
        .limit(1)
    )
    if contract is None:
        raise InvalidInput(f"{account.name} has no contract in force to reduce.")
    return contract


def _case_contract(uow: UnitOfWork, case: RetentionCase) -> Contract:
    contract = uow.session.get(Contract, case.contract_id) if case.contract_id else None
    if contract is None:
        raise InvalidInput(f"Case {case.number} has no contract.")
    return contract


def _contact(uow: UnitOfWork, account: Account, contact_id: int | None) -> Contact:
    contact = uow.session.get(Contact, contact_id) if contact_id else None
    if contact is None or contact.account_id != account.id:
        raise InvalidInput("Choose one of the account's contacts.", field="contact")
    return contact


def _opportunity_or_none(uow: UnitOfWork, case: RetentionCase) -> Opportunity | None:
    return uow.session.scalar(
        select(Opportunity)
        .where(Opportunity.retention_case_id == case.id)
        .order_by(Opportunity.id.desc())
        .limit(1)
    )


def _opportunity(uow: UnitOfWork, case: RetentionCase) -> Opportunity:
    opportunity = _opportunity_or_none(uow, case)
    if opportunity is None:
        raise InvalidInput(f"Case {case.number} has no opportunity yet.")
    return opportunity


def _placeholder_or_none(uow: UnitOfWork, opportunity: Opportunity) -> PlaceholderRequest | None:
    return uow.session.scalar(
        select(PlaceholderRequest)
        .where(PlaceholderRequest.opportunity_id == opportunity.id)
        .order_by(PlaceholderRequest.id.desc())
        .limit(1)
    )


def _placeholder(uow: UnitOfWork, case: RetentionCase) -> PlaceholderRequest:
    placeholder = _placeholder_or_none(uow, _opportunity(uow, case))
    if placeholder is None:
        raise InvalidInput(f"Case {case.number} has no placeholder request yet.")
    return placeholder


def _quote(uow: UnitOfWork, case: RetentionCase) -> Quote:
    quote = opportunities.latest_quote(uow, _opportunity(uow, case).id)
    if quote is None:
        raise InvalidInput(f"Case {case.number} has no quote yet.")
    return quote


def _new_contract(uow: UnitOfWork, case: RetentionCase) -> Contract | None:
    opportunity = _opportunity_or_none(uow, case)
    if opportunity is None:
        return None
    return uow.session.scalar(
        select(Contract)
        .join(Quote, Quote.id == Contract.quote_id)
        .where(Quote.opportunity_id == opportunity.id, Contract.status != ContractStatus.CANCELLED)
        .order_by(Contract.id.desc())
        .limit(1)
    )


def _user_names(uow: UnitOfWork, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return dict(uow.session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())
