"""The quote builder the wizards embed: new quotes, catalogue lines, exceptions, the SOW.

A catalogue line takes the SKU's current version: its name and contents are locked, its list
price comes from the price book in the quote's currency, and nobody can type over them. Items
of kind "included" are priced 0. A service line (workshop, audit) must be consumed within the
SKU's months from the quote's start, so the deadline is set on the line and printed on the PO.
The statement of work, written by pre-sales, is the only free text, and only on service lines.
An item outside the catalogue is an exception: it is allowed, but Customer Success must
approve it (a rule in the approvals engine). A new customer's first quote starts with the
starter pack.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    Account,
    Contact,
    Contract,
    Opportunity,
    OpportunityStage,
    Quote,
    QuoteLine,
    QuoteStatus,
    Role,
    Sku,
    SkuKind,
    SkuVersion,
)
from acctmgr.services.accounts import billing_details
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.catalogue import packages
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.kernel import audit, territories
from acctmgr.services.kernel.money import line_net, parse_money
from acctmgr.services.kernel.permissions import require_role, require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text import free_text
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.sales import (
    agreed_prices,
    purchase_orders,
    quote_facts,
    quote_views,
    quotes,
)
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.services.sales.quotes import (
    Discount,
    NoticeDays,
    PaymentTermsDays,
    Quantity,
    TermMonths,
)

SELLERS = (
    Role.ACCOUNT_EXECUTIVE,
    Role.KEY_ACCOUNT_MANAGER,
    Role.CONTRACT_MANAGER,
    Role.NATIONAL_ACCOUNT_MANAGER,
    Role.REGIONAL_ACCOUNT_MANAGER,
)
MAX_SOW = 4000  # characters: a statement of work is a page, not a document


class NewQuoteIn(BaseModel):
    account_id: int
    starts_on: date
    term_months: TermMonths = 12
    notice_days: NoticeDays = 60  # as contracts
    payment_terms_days: PaymentTermsDays = 30
    # As typed: a code or a name from kernel.territories; empty takes the account's.
    territory: SingleLine = Field(default="", max_length=120)
    opportunity_id: int | None = None

    @field_validator("territory")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class CatalogueLineIn(BaseModel):
    """A line from the catalogue: which SKU, how many, at what discount; no discount given
    (None) takes the price agreed with the account, if one is valid, else none."""

    sku_id: int
    quantity: Quantity = 1
    discount_pct: Discount | None = None


class OffCatalogueLineIn(BaseModel):
    """An item outside the catalogue: an exception Customer Success must approve."""

    description: SingleLine = Field(max_length=500)
    list_price: SingleLine  # typed money, e.g. "1,200.00"
    quantity: Quantity = 1
    discount_pct: Discount = Decimal(0)

    @field_validator("description")
    @classmethod
    def _described(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say what the item is: an exception needs a description")
        return value.strip()


@use_case("quotes.new")
def new_quote(uow: UnitOfWork, data: NewQuoteIn) -> QuoteView:
    """A draft quote for an account, in its currency; a new customer's starts with the starter
    pack. Only sellers in the account's segment can start one.

    Its territory of use is one from the list (``kernel.territories``; InvalidInput otherwise);
    left empty, it is the account's territory when that names one, else its billing country.
    """
    require_role(uow.user, *SELLERS, to="start a quote")
    account = uow.get(Account, data.account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    if data.starts_on < uow.now.date():
        raise InvalidInput("A quote cannot start in the past.", field="starts_on")
    if data.opportunity_id is not None:
        opportunity = uow.get(Opportunity, data.opportunity_id, "opportunity")
        if opportunity.account_id != account.id:
            raise InvalidInput("That opportunity belongs to another account.")
    quote = Quote(
        account_id=account.id,
        opportunity_id=data.opportunity_id,
        owner_id=uow.user.id,
        status=QuoteStatus.DRAFT,
        currency=account.currency,
        territory=_territory(data.territory, account),
        starts_on=data.starts_on,
        term_months=data.term_months,
        notice_days=data.notice_days,
        payment_terms_days=data.payment_terms_days,
    )
    if _is_new_customer(uow, account.id):
        pack = packages.starter_pack(uow)
        for item in pack.items if pack else []:
            sku = uow.session.get(Sku, item.sku_id)
            if sku is None or sku.retired_at is not None:
                continue  # a retired SKU in the pack is simply no longer part of it
            _append(uow, quote, catalogue.sellable_version(uow, sku.id), item.quantity, None)
    quotes.total(quote)
    uow.add_numbered(quote, "Q", 6)
    return quote_views.quote_view_of(uow, quote)


def _territory(typed: str, account: Account) -> str:
    if typed:
        return territories.code_for(typed, account.locale)
    # The account's territory is free text still; the country it is billed in is the likeliest.
    country = account.billing_country.upper()
    found = territories.match(account.territory, account.locale)
    return found or (country if territories.is_territory(country) else "")


@use_case("quotes.add_catalogue_line")
def add_catalogue_line(
    uow: UnitOfWork, quote_id: int, expected_version: int, data: CatalogueLineIn
) -> QuoteView:
    """Add a SKU's current version at its list price; a retired SKU is refused.

    Given no discount, the line takes the price agreed with the account valid on the quote's
    start (``agreed_prices``); the approval rules judge that discount like any other.
    """
    quote = _editable(uow, quote_id, expected_version)
    _append(
        uow, quote, catalogue.sellable_version(uow, data.sku_id), data.quantity, data.discount_pct
    )
    return quotes.content_changed(uow, quote)


@use_case("quotes.add_off_catalogue_line")
def add_off_catalogue_line(
    uow: UnitOfWork, quote_id: int, expected_version: int, data: OffCatalogueLineIn
) -> QuoteView:
    """Add an item outside the catalogue; the quote will then need Customer Success."""
    quote = _editable(uow, quote_id, expected_version)
    price = parse_money(data.list_price, field="list_price", what="A list price")
    if price < 0:
        raise InvalidInput("A list price cannot be negative.", field="list_price")
    quote.lines.append(
        QuoteLine(
            position=len(quote.lines) + 1,
            sku_version_id=None,
            description=data.description,
            quantity=data.quantity,
            list_price_minor=price,
            discount_pct=data.discount_pct,
            net_minor=line_net(price, data.quantity, data.discount_pct),
            starts_on=quote.starts_on,
        )
    )
    return quotes.content_changed(uow, quote)


@use_case("quotes.write_statement_of_work")
def write_statement_of_work(
    uow: UnitOfWork, quote_id: int, expected_version: int, line_id: int, text: str
) -> QuoteView:
    """Write the statement of work of a service line: pre-sales in the segment, or the owner."""
    quote = uow.get(Quote, quote_id, "quote")
    account = uow.session.get(Account, quote.account_id)
    assert account is not None
    if not uow.user.has(Role.PRESALES) and quote.owner_id != uow.user.id:
        raise PermissionDenied("Only Pre-sales or the quote's owner can write a statement of work.")
    require_segment(uow.user, account.segment_id, what="quote")
    quotes.check_open(quote)
    uow.expect_version(quote, expected_version, "quote")
    line = next((line for line in quote.lines if line.id == line_id), None)
    if line is None:
        raise InvalidInput(f"Line {line_id} is not on this quote.")
    text = free_text(text, what="statement of work", field="statement_of_work").strip()
    if len(text) > MAX_SOW:
        raise InvalidInput(
            f"A statement of work is at most {MAX_SOW:,} characters.", field="statement_of_work"
        )
    if text and kind_of(uow, line) is not SkuKind.SERVICE:
        raise InvalidInput(
            "A statement of work belongs on service lines (workshops, audits) only.",
            field="statement_of_work",
        )
    line.statement_of_work = text
    return quotes.content_changed(uow, quote)


class SubmitQuoteResult(ReadModel):
    quote: QuoteView
    approvers: list[str]  # who decides first; empty when no rule applied (approved at once)


@use_case("quotes.submit")
def submit_quote(uow: UnitOfWork, quote_id: int, expected_version: int) -> SubmitQuoteResult:
    """Submit the owner's quote for the approvals its rules call for; it is locked meanwhile.

    A quote needs its territory of use first, and must not break a SKU combination the
    catalogue refuses (InvalidInput naming both SKUs). A rate-reduction quote is submitted from
    its case instead, which moves the case along with it.
    """
    quote = _editable(uow, quote_id, expected_version)
    case = quote_facts.case_of(uow, quote)
    if case is not None:
        raise InvalidInput(f"This quote answers case {case.number}; submit it from the case.")
    if not territories.is_territory(quote.territory):
        raise InvalidInput(
            "Set the territory of use: where the customer may use what it buys.",
            field="territory",
        )
    if not quote.lines:
        raise InvalidInput("Add at least one line before submitting the quote.")
    quote_facts.check_combinations(uow, quote.lines)
    result = approval_requests.submit(uow, RecordType.QUOTE, quote.id)
    uow.session.flush()
    return SubmitQuoteResult(
        quote=quote_views.quote_view_of(uow, quote), approvers=result.approvers
    )


@use_case("quotes.send_po")
def send_po(uow: UnitOfWork, quote_id: int, expected_version: int, contact_id: int) -> QuoteView:
    """Send the approved quote to a contact as a purchase order (a PDF, through the outbox).

    The quote must be approved as it stands, and the account's billing details complete: the
    territory of use, an invoice contact with an e-mail address, a billing address whose postal
    code fits its country. The PO document and its e-mail are written in this transaction, and
    an opportunity the quote belongs to moves to negotiation.
    """
    quote = uow.get(Quote, quote_id, "quote")
    if quote.owner_id != uow.user.id:
        raise PermissionDenied("Only the quote's owner can send its PO.")
    uow.expect_version(quote, expected_version, "quote")
    case = quote_facts.case_of(uow, quote)
    if case is not None:
        raise InvalidInput(f"This quote answers case {case.number}; its contract goes from there.")
    if quote.status is not QuoteStatus.APPROVED or not approval_requests.is_approved(
        uow, RecordType.QUOTE, quote.id, quote.version
    ):
        raise InvalidInput("Only an approved quote can be sent as a PO.")
    account = uow.get(Account, quote.account_id, "account")
    billing_details.check_before_sending(uow, account, quote.territory, "PO")
    contact = uow.session.get(Contact, contact_id) if contact_id else None
    if contact is None or contact.account_id != account.id:
        raise InvalidInput("Choose who at the customer receives the PO.", field="contact")
    if not contact.email:
        raise InvalidInput(f"{contact.name} has no e-mail address.", field="contact")
    purchase_orders.issue_po(uow, quote, contact)
    if quote.opportunity_id is not None:
        opportunity = uow.get(Opportunity, quote.opportunity_id, "opportunity")
        if opportunity.stage in (OpportunityStage.QUALIFYING, OpportunityStage.PROPOSAL):
            opportunity.stage = OpportunityStage.NEGOTIATION
    audit.record(uow, RecordType.QUOTE, quote.id, "po_sent", {"to": contact.email})
    return quote_views.quote_view_of(uow, quote)


# --- the catalogue as the quote sees it -------------------------------------------------------


def kind_of(uow: UnitOfWork, line: QuoteLine) -> SkuKind | None:
    """The catalogue kind of a line; None for an item outside the catalogue."""
    if line.sku_version_id is None:
        return None
    version = uow.session.get(SkuVersion, line.sku_version_id)
    return version.kind if version else None


# --- helpers ----------------------------------------------------------------------------------


def _is_new_customer(uow: UnitOfWork, account_id: int) -> bool:
    earlier: Any = select(func.count()).select_from(Quote).where(Quote.account_id == account_id)
    contracts: Any = (
        select(func.count()).select_from(Contract).where(Contract.account_id == account_id)
    )
    return not uow.session.scalar(earlier) and not uow.session.scalar(contracts)


def _append(
    uow: UnitOfWork, quote: Quote, version: SkuVersion, quantity: int, discount: Decimal | None
) -> None:
    """Add a catalogue line; ``discount`` None takes the account's agreed price, else none.

    Every catalogue line goes through here (a line added, the starter pack, a package), so
    an agreed price is applied wherever a line comes from, and only when it is added: a
    discount the user types later is theirs.
    """
    price = catalogue.list_price(uow, version, quote.currency)
    if discount is None:
        discount = agreed_prices.agreed_discount(uow, quote, version.sku_id, price) or Decimal(0)
    if version.kind is SkuKind.INCLUDED:
        discount = Decimal(0)
    quote.lines.append(
        QuoteLine(
            position=len(quote.lines) + 1,
            sku_version_id=version.id,
            description=version.name,
            quantity=quantity,
            list_price_minor=price,
            discount_pct=discount,
            net_minor=line_net(price, quantity, discount),
            starts_on=quote.starts_on,
            consume_by=catalogue.consume_by(version, quote.starts_on) if quote.starts_on else None,
        )
    )


def _editable(uow: UnitOfWork, quote_id: int, expected_version: int) -> Quote:
    quote = uow.get(Quote, quote_id, "quote")
    quotes.check_editable(uow, quote)
    uow.expect_version(quote, expected_version, "quote")
    return quote
