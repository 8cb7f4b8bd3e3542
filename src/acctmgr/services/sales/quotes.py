"""Quotes: priced lines with exact totals, locked while they wait for approval.

A quote line carries the list price, the discount % and the net amount it comes to (see
``kernel.money`` for the rounding). The quote's owner edits it while it is a draft; once
submitted it is locked until the request is decided or recalled, and editing an approved or
rejected quote returns it to draft, so an approval always covers exactly what was approved.
Quotes are the first record type of the approvals engine (``quote_approval``); what their
rules look at is in ``quote_facts``, and the quote as people read it in ``quote_views``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy.orm import object_session
from sqlalchemy.orm.attributes import flag_modified

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    Account,
    Contract,
    Offer,
    OfferStatus,
    Opportunity,
    Quote,
    QuoteLine,
    QuoteStatus,
    SkuKind,
    SkuVersion,
)
from acctmgr.services.approvals import preview as approval_preview
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.approvals.preview import RequiredApproval
from acctmgr.services.approvals.record_kinds import Approvable
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.kernel import territories
from acctmgr.services.kernel.counts import (
    NOTICE_DAYS,
    PAYMENT_TERMS_DAYS,
    TERM_MONTHS,
    whole_number,
)
from acctmgr.services.kernel.money import discount_of, line_net
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.terms import check_notice_within_term
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.sales import quote_approval
from acctmgr.services.sales.quote_approval import EDITABLE, QuoteKind
from acctmgr.services.sales.quote_facts import (
    case_of,
    check_combinations,
    facts_of,
    paid_subscriptions,
    terms_of,
    totals_of,
    versions_of,
)
from acctmgr.services.sales.quote_views import QuoteView, check_visible, quote_view_of

MAX_QUANTITY = 1_000_000
LOCKED = "This quote is waiting for approval and cannot be changed; recall it first."


def _check_quantity(value: Any) -> Any:
    """A quantity is a whole number of at least 1."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError("a quantity is a whole number such as 1 or 12") from None
    if not 1 <= number <= MAX_QUANTITY:
        raise ValueError(f"a quantity is a whole number from 1 to {MAX_QUANTITY:,}")
    return number


def _check_discount(value: Any) -> Any:
    """A discount is 0-100% with at most two decimals."""
    try:
        number = Decimal(str(value).strip().removesuffix("%").strip() or "0")
    except InvalidOperation:
        raise ValueError("a discount is a number such as 10 or 12.5") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise ValueError("a discount is between 0% and 100%; more would make the price negative")
    if number != number.quantize(Decimal("0.01")):
        raise ValueError("a discount has at most two decimals, such as 12.25")
    return number


Quantity = Annotated[int, BeforeValidator(_check_quantity)]
Discount = Annotated[Decimal, BeforeValidator(_check_discount)]
# A quote's terms, typed or given; the rules test them as facts (``quote_facts``).
TermMonths = Annotated[
    int, BeforeValidator(lambda v: whole_number(v, TERM_MONTHS, "a term in months"))
]
NoticeDays = Annotated[
    int, BeforeValidator(lambda v: whole_number(v, NOTICE_DAYS, "a notice period in days"))
]
PaymentTermsDays = Annotated[
    int,
    BeforeValidator(lambda v: whole_number(v, PAYMENT_TERMS_DAYS, "a payment period in days")),
]


class QuoteLineIn(BaseModel):
    """A change to one line: which line, how many, at what discount."""

    line_id: int
    quantity: Quantity
    discount_pct: Discount


class QuoteEdit(BaseModel):
    """The editable part of a quote: its lines (omitted lines are removed), start date,
    territory of use as typed (a code or a name from ``kernel.territories``) and terms; a
    territory or term left None keeps what the quote has."""

    lines: list[QuoteLineIn]  # empty only on a quote without lines (its date and territory)
    starts_on: date
    territory: SingleLine | None = Field(default=None, max_length=120)
    term_months: TermMonths | None = None
    notice_days: NoticeDays | None = None
    payment_terms_days: PaymentTermsDays | None = None


class QuotePreview(ReadModel):
    """Totals and approvals of an edit not yet saved, for the live preview."""

    list_total_minor: int
    net_total_minor: int
    reduction_minor: int | None
    line_nets: dict[int, int]
    approvals_needed: list[RequiredApproval]


# --- building and editing ---------------------------------------------------------------------


def quote_from_contract(
    uow: UnitOfWork, opportunity: Opportunity, contract: Contract, starts_on: date
) -> Quote:
    """A draft quote repeating a contract's paid subscriptions at their current discounts."""
    quote = Quote(
        account_id=contract.account_id,
        opportunity_id=opportunity.id,
        owner_id=uow.user.id,
        status=QuoteStatus.DRAFT,
        currency=contract.currency,
        territory=contract.territory,
        starts_on=starts_on,
        term_months=contract.term_months,
        notice_days=contract.notice_days,
        valid_until=None,
    )
    for position, sub in enumerate(paid_subscriptions(uow, contract.id), 1):
        version = uow.session.get(SkuVersion, sub.sku_version_id)
        discount = discount_of(sub.list_price_minor, sub.net_price_minor)
        quote.lines.append(
            QuoteLine(
                position=position,
                sku_version_id=sub.sku_version_id,
                description=version.name if version else "",
                quantity=sub.quantity,
                list_price_minor=sub.list_price_minor,
                discount_pct=discount,
                net_minor=line_net(sub.list_price_minor, sub.quantity, discount),
                starts_on=starts_on,
            )
        )
    if not quote.lines:
        raise InvalidInput("The contract has no paid subscriptions to build a quote from.")
    total(quote)
    return uow.add_numbered(quote, "Q", 6)


@use_case("quotes.update")
def update_quote(
    uow: UnitOfWork, quote_id: int, expected_version: int, data: QuoteEdit
) -> QuoteView:
    """Change a quote's quantities, discounts, start date, territory and terms; returns it as
    saved.

    Only its owner can, and not while it waits for approval (it is locked). Editing an approved
    or rejected quote returns it to draft: the approval no longer covers it, and a case waiting
    to send its contract goes back to the quote step. A rate-reduction quote cannot start before
    its case's earliest effective date, nor any quote in the past; nor change once its case's
    contract was sent or the case closed. The territory is one from the list (InvalidInput).
    """
    quote = uow.get(Quote, quote_id, "quote")
    check_editable(uow, quote)
    uow.expect_version(quote, expected_version, "quote")
    _check_start(uow, quote, data.starts_on)
    if quote.lines and not data.lines:
        raise InvalidInput("A quote keeps at least one line; Ctrl+D deletes them one by one.")
    lines = {line.id: line for line in quote.lines}
    unknown = [item.line_id for item in data.lines if item.line_id not in lines]
    if unknown:
        raise InvalidInput(f"Line {unknown[0]} is not on this quote.")
    kept = {item.line_id for item in data.lines}
    for line in list(quote.lines):
        if line.id not in kept:
            quote.lines.remove(line)
    versions = versions_of(uow, quote.lines)
    for item in data.lines:
        line = lines[item.line_id]
        version = versions.get(line.sku_version_id or 0)
        included = version is not None and version.kind is SkuKind.INCLUDED
        line.quantity = item.quantity
        line.discount_pct = Decimal(0) if included else item.discount_pct
        line.net_minor = line_net(line.list_price_minor, item.quantity, line.discount_pct)
        line.starts_on = data.starts_on
        if version is not None:
            line.consume_by = catalogue.consume_by(version, data.starts_on)
    for position, line in enumerate(quote.lines, 1):
        line.position = position
    quote.starts_on = data.starts_on
    if data.territory is not None:
        account = uow.get(Account, quote.account_id, "account")
        quote.territory = territories.code_for(data.territory, account.locale)
    apply_terms(quote, data)
    return content_changed(uow, quote)


def apply_terms(quote: Quote, data: QuoteEdit) -> None:
    """Give the quote the terms the edit sets; a term left None keeps the quote's. A notice
    period as long as the term is refused (InvalidInput)."""
    for name in TERMS:
        value = getattr(data, name)
        if value is not None:
            setattr(quote, name, value)
    check_notice_within_term(quote.term_months, quote.notice_days)


TERMS = ("term_months", "notice_days", "payment_terms_days")


def content_changed(uow: UnitOfWork, quote: Quote) -> QuoteView:
    """After any change to what a quote says: back to draft, new totals, a new version.

    An approval covers exactly what was approved, so an approved quote's approval lapses, and
    a rate-reduction case waiting to send its contract goes back to the quote step. Raises
    InvalidInput when the quote's case no longer lets it change (its contract went out, or it
    closed).
    """
    total(quote)  # first: a total past the limit refuses the change before anything is written
    check_combinations(uow, quote.lines)
    quote_approval.quote_edited(uow, quote)
    if quote.status is QuoteStatus.APPROVED:
        approval_requests.invalidate(uow, RecordType.QUOTE, quote.id)
    quote.status = QuoteStatus.DRAFT
    # The lines are child rows: mark the quote itself changed so its version moves with them.
    flag_modified(quote, "status")
    uow.session.flush()
    return quote_view_of(uow, quote)


@use_case("quotes.preview", write=False)
def preview_quote(uow: UnitOfWork, quote_id: int, data: QuoteEdit) -> QuotePreview:
    """Totals and the approvals a quote would need with this edit, without saving it."""
    quote = uow.get(Quote, quote_id, "quote")
    check_visible(uow, quote)
    lines = {line.id: line for line in quote.lines}
    edited = {
        item.line_id: QuoteLine(
            sku_version_id=lines[item.line_id].sku_version_id,
            quantity=item.quantity,
            list_price_minor=lines[item.line_id].list_price_minor,
            discount_pct=item.discount_pct,
            net_minor=line_net(
                lines[item.line_id].list_price_minor, item.quantity, item.discount_pct
            ),
            statement_of_work=lines[item.line_id].statement_of_work,  # the rules read it
        )
        for item in data.lines
        if item.line_id in lines
    }
    terms = terms_of(quote)._replace(
        **{name: value for name in TERMS if (value := getattr(data, name)) is not None}
    )
    facts = facts_of(uow, quote, list(edited.values()), terms)
    record = QuoteKind().load(uow, quote.id)
    proposed = Approvable(**{**record.__dict__, "facts": facts})
    return QuotePreview(
        list_total_minor=facts["list_total_minor"],
        net_total_minor=facts["net_total_minor"],
        reduction_minor=facts.get("reduction_minor"),
        line_nets={line_id: line.net_minor for line_id, line in edited.items()},
        approvals_needed=approval_preview.required_approvals(uow, proposed, uow.user.id),
    )


@use_case("quotes.get", write=False)
def get_quote(uow: UnitOfWork, quote_id: int) -> QuoteView:
    """A quote with its lines, totals and the approvals it needs, for anyone in its segment."""
    quote = uow.get(Quote, quote_id, "quote")
    check_visible(uow, quote)
    return quote_view_of(uow, quote)


def total(quote: Quote) -> None:
    """Set the quote's list and net totals from its lines; InvalidInput past the money limit."""
    quote.list_total_minor, quote.net_total_minor = totals_of(quote.lines)


def check_editable(uow: UnitOfWork, quote: Quote) -> None:
    """Only the owner changes a quote, and only while it is not waiting or done."""
    if quote.owner_id != uow.user.id:
        raise PermissionDenied("Only the quote's owner can change it.")
    check_open(quote)


def check_open(quote: Quote) -> None:
    """A quote waiting for approval is locked; an accepted or superseded one is done; so is an
    offer's once the offer went to the customer (it must stay what they were sent)."""
    if quote.status is QuoteStatus.PENDING_APPROVAL:
        raise InvalidInput(LOCKED)
    session = object_session(quote)
    offer = session.get(Offer, quote.offer_id) if session and quote.offer_id else None
    if offer is not None and offer.status is not OfferStatus.DRAFT:
        raise InvalidInput(
            f'The offer "{offer.title}" was {offer.status.value}; its quote can no longer '
            "change. Clone the offer to change it."
        )
    if quote.status not in EDITABLE:
        raise InvalidInput(
            f"This quote is {quote.status.value.replace('_', ' ')} and can no longer change."
        )


def _check_start(uow: UnitOfWork, quote: Quote, starts_on: date) -> None:
    today = uow.now.date()
    if starts_on < today:
        raise InvalidInput("The effective date cannot be in the past.", field="starts_on")
    case = case_of(uow, quote)
    if (
        case is not None
        and case.earliest_effective_date
        and starts_on < case.earliest_effective_date
    ):
        raise InvalidInput(
            "Under the contract's term and notice period the change can take effect on "
            f"{case.earliest_effective_date:%d %b %Y} at the earliest.",
            field="starts_on",
        )
