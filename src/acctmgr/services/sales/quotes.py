"""Quotes: priced lines with exact totals, locked while they wait for approval.

A quote line carries the list price, the discount % and the net amount it comes to (see
``services.money`` for the rounding). The quote's owner edits it while it is a draft; once
submitted it is locked until the request is decided or recalled, and editing an approved or
rejected quote returns it to draft, so an approval always covers exactly what was approved.
Quotes are the first record type of the approvals engine: their facts are the discount, the
totals, the reduction a rate-reduction quote gives, and whether any line is off the catalogue.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    Account,
    ApprovalRequestStatus,
    Contract,
    Opportunity,
    Quote,
    QuoteLine,
    QuoteStatus,
    RetentionCase,
    Sku,
    SkuKind,
    SkuVersion,
    Subscription,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.services.approvals import record_kinds
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.approvals import routing as approval_routing
from acctmgr.services.approvals.record_kinds import Approvable
from acctmgr.services.approvals.routing import RequiredApproval
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.kernel.money import HUNDRED, discount_of, line_net
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

MAX_QUANTITY = 1_000_000
EDITABLE = (QuoteStatus.DRAFT, QuoteStatus.REJECTED, QuoteStatus.APPROVED)
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


class QuoteLineIn(BaseModel):
    """A change to one line: which line, how many, at what discount."""

    line_id: int
    quantity: Quantity
    discount_pct: Discount


class QuoteEdit(BaseModel):
    """The editable part of a quote: its lines (omitted lines are removed), start date, and
    territory of use (None keeps it)."""

    lines: list[QuoteLineIn] = Field(min_length=1)
    starts_on: date
    territory: str | None = Field(default=None, max_length=120)


class QuoteLineView(ReadModel):
    id: int
    position: int
    sku_code: str | None
    kind: SkuKind | None  # None: an item outside the catalogue
    description: str
    quantity: int
    list_price_minor: int
    discount_pct: Decimal
    net_minor: int
    on_catalogue: bool
    statement_of_work: str
    consume_by: date | None


class QuoteView(ReadModel):
    id: int
    number: str
    account_id: int
    account_name: str
    status: QuoteStatus
    owner_id: int
    currency: str
    territory: str
    starts_on: date | None
    earliest_start: date | None  # for a rate reduction: the case's earliest effective date
    term_months: int
    lines: list[QuoteLineView]
    list_total_minor: int
    net_total_minor: int
    current_rate_minor: int | None  # what the customer pays now (rate reductions)
    reduction_minor: int | None
    approver_comment: str
    locked: bool
    approvals_needed: list[RequiredApproval]
    version: int


class QuotePreview(ReadModel):
    """Totals and approvals of an edit not yet saved, for the live preview."""

    list_total_minor: int
    net_total_minor: int
    reduction_minor: int | None
    line_nets: dict[int, int]
    approvals_needed: list[RequiredApproval]


# --- the record kind for the approvals engine --------------------------------------------------


class QuoteKind:
    record_type = "quote"

    def load(self, uow: UnitOfWork, record_id: int) -> Approvable:
        quote = uow.get(Quote, record_id, "quote")
        account = uow.session.get(Account, quote.account_id)
        assert account is not None
        return Approvable(
            record_type=self.record_type,
            record_id=quote.id,
            version=quote.version,
            label=f"quote {quote.number} for {account.name}",
            owner_id=quote.owner_id,
            segment_id=account.segment_id,
            account_id=account.id,
            facts=facts_of(uow, quote, quote.lines),
        )

    def lock(self, uow: UnitOfWork, record_id: int) -> None:
        uow.get(Quote, record_id, "quote").status = QuoteStatus.PENDING_APPROVAL

    def decided(
        self, uow: UnitOfWork, record_id: int, status: ApprovalRequestStatus, comment: str
    ) -> None:
        quote = uow.get(Quote, record_id, "quote")
        quote.status = {
            ApprovalRequestStatus.APPROVED: QuoteStatus.APPROVED,
            ApprovalRequestStatus.REJECTED: QuoteStatus.REJECTED,
        }.get(status, QuoteStatus.DRAFT)
        quote.approver_comment = comment if status is ApprovalRequestStatus.REJECTED else ""
        uow.session.flush()
        case = case_of(uow, quote)
        if case is not None:
            # Imported here: retention builds on quotes, and follows its quote's decisions.
            from acctmgr.services.retention import cases as retention

            retention.follow_quote_decision(uow, case, status)


record_kinds.register(QuoteKind())


def facts_of(uow: UnitOfWork, quote: Quote, lines: list[QuoteLine]) -> dict[str, Any]:
    """The values approval rules look at for this quote (with these lines)."""
    opportunity = (
        uow.session.get(Opportunity, quote.opportunity_id) if quote.opportunity_id else None
    )
    list_total = sum(line.list_price_minor * line.quantity for line in lines)
    net_total = sum(line.net_minor for line in lines)
    version_ids = [line.sku_version_id for line in lines if line.sku_version_id is not None]
    onsite = bool(version_ids) and bool(
        uow.session.scalar(
            select(SkuVersion.id)
            .where(SkuVersion.id.in_(version_ids), SkuVersion.onsite_support.is_(True))
            .limit(1)
        )
    )
    facts: dict[str, Any] = {
        "opportunity_kind": opportunity.kind.value if opportunity else None,
        "discount_pct": max((line.discount_pct for line in lines), default=Decimal(0)),
        "list_total_minor": list_total,
        "net_total_minor": net_total,
        "off_catalogue": any(line.sku_version_id is None for line in lines),
        "onsite_support": onsite,
        "currency": quote.currency,
    }
    rate = current_rate(uow, quote)
    if rate is not None:
        facts["reduction_minor"] = rate - net_total
        facts["reduction_pct"] = (
            (Decimal(rate - net_total) * HUNDRED / rate).quantize(Decimal("0.01")) if rate else None
        )
    return facts


def case_of(uow: UnitOfWork, quote: Quote) -> RetentionCase | None:
    """The retention case a rate-reduction quote answers, if any."""
    if quote.opportunity_id is None:
        return None
    opportunity = uow.session.get(Opportunity, quote.opportunity_id)
    if opportunity is None or opportunity.retention_case_id is None:
        return None
    return uow.session.get(RetentionCase, opportunity.retention_case_id)


def current_rate(uow: UnitOfWork, quote: Quote) -> int | None:
    """What the customer pays a year now, for a quote that reduces a contract's rate."""
    case = case_of(uow, quote)
    if case is None or case.contract_id is None:
        return None
    return contract_rate(uow, case.contract_id)


def contract_rate(uow: UnitOfWork, contract_id: int) -> int:
    """The yearly net of a contract's paid subscriptions: the rate a reduction applies to."""
    return sum(sub.net_price_minor * sub.quantity for sub in _paid_subscriptions(uow, contract_id))


def _paid_subscriptions(uow: UnitOfWork, contract_id: int) -> list[Subscription]:
    return list(
        uow.session.scalars(
            select(Subscription)
            .where(
                Subscription.contract_id == contract_id,
                Subscription.kind == SubscriptionKind.PAID,
                Subscription.status.in_([SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING]),
            )
            .order_by(Subscription.id)
        )
    )


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
        valid_until=None,
    )
    for position, sub in enumerate(_paid_subscriptions(uow, contract.id), 1):
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
    """Change a quote's quantities, discounts and start date; returns it as saved.

    Only its owner can, and not while it waits for approval (it is locked). Editing an approved
    or rejected quote returns it to draft: the approval no longer covers it, and a case waiting
    to send its contract goes back to the quote step. A rate-reduction quote cannot start before
    its case's earliest effective date, nor any quote in the past; nor change once its case's
    contract was sent or the case closed.
    """
    quote = uow.get(Quote, quote_id, "quote")
    check_editable(uow, quote)
    uow.expect_version(quote, expected_version, "quote")
    _check_start(uow, quote, data.starts_on)
    lines = {line.id: line for line in quote.lines}
    unknown = [item.line_id for item in data.lines if item.line_id not in lines]
    if unknown:
        raise InvalidInput(f"Line {unknown[0]} is not on this quote.")
    kept = {item.line_id for item in data.lines}
    for line in list(quote.lines):
        if line.id not in kept:
            quote.lines.remove(line)
    versions = _versions(uow, quote.lines)
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
        quote.territory = data.territory.strip()
    return content_changed(uow, quote)


def content_changed(uow: UnitOfWork, quote: Quote) -> QuoteView:
    """After any change to what a quote says: back to draft, new totals, a new version.

    An approval covers exactly what was approved, so an approved quote's approval lapses, and
    a rate-reduction case waiting to send its contract goes back to the quote step.
    """
    case = case_of(uow, quote)
    if case is not None:
        # Imported here: retention builds on quotes; its case follows the quote back to draft.
        from acctmgr.services.retention import cases as retention

        retention.follow_quote_edit(uow, case)
    if quote.status is QuoteStatus.APPROVED:
        approval_requests.invalidate(uow, "quote", quote.id)
    quote.status = QuoteStatus.DRAFT
    total(quote)
    # The lines are child rows: mark the quote itself changed so its version moves with them.
    flag_modified(quote, "status")
    uow.session.flush()
    return quote_view_of(uow, quote)


def _versions(uow: UnitOfWork, lines: list[QuoteLine]) -> dict[int, SkuVersion]:
    ids = [line.sku_version_id for line in lines if line.sku_version_id is not None]
    if not ids:
        return {}
    found = uow.session.scalars(select(SkuVersion).where(SkuVersion.id.in_(ids)))
    return {version.id: version for version in found}


@use_case("quotes.preview", write=False)
def preview_quote(uow: UnitOfWork, quote_id: int, data: QuoteEdit) -> QuotePreview:
    """Totals and the approvals a quote would need with this edit, without saving it."""
    quote = uow.get(Quote, quote_id, "quote")
    _check_visible(uow, quote)
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
        )
        for item in data.lines
        if item.line_id in lines
    }
    facts = facts_of(uow, quote, list(edited.values()))
    record = QuoteKind().load(uow, quote.id)
    proposed = Approvable(**{**record.__dict__, "facts": facts})
    return QuotePreview(
        list_total_minor=facts["list_total_minor"],
        net_total_minor=facts["net_total_minor"],
        reduction_minor=facts.get("reduction_minor"),
        line_nets={line_id: line.net_minor for line_id, line in edited.items()},
        approvals_needed=approval_routing.required_approvals(uow, proposed, uow.user.id),
    )


@use_case("quotes.get", write=False)
def get_quote(uow: UnitOfWork, quote_id: int) -> QuoteView:
    """A quote with its lines, totals and the approvals it needs, for anyone in its segment."""
    quote = uow.get(Quote, quote_id, "quote")
    _check_visible(uow, quote)
    return quote_view_of(uow, quote)


def quote_view_of(uow: UnitOfWork, quote: Quote) -> QuoteView:
    account = uow.session.get(Account, quote.account_id)
    assert account is not None
    codes = dict(
        uow.session.execute(
            select(SkuVersion.id, Sku.code)
            .join(Sku, Sku.id == SkuVersion.sku_id)
            .where(SkuVersion.id.in_([line.sku_version_id or 0 for line in quote.lines]))
        ).all()
    )
    versions = _versions(uow, quote.lines)
    rate = current_rate(uow, quote)
    case = case_of(uow, quote)
    record = QuoteKind().load(uow, quote.id)
    return QuoteView(
        id=quote.id,
        number=quote.number,
        account_id=account.id,
        account_name=account.name,
        status=quote.status,
        owner_id=quote.owner_id,
        currency=quote.currency,
        territory=quote.territory,
        starts_on=quote.starts_on,
        earliest_start=case.earliest_effective_date if case else None,
        term_months=quote.term_months,
        lines=[
            QuoteLineView(
                id=line.id,
                position=line.position,
                sku_code=codes.get(line.sku_version_id or 0),
                kind=version.kind if (version := versions.get(line.sku_version_id or 0)) else None,
                description=line.description,
                quantity=line.quantity,
                list_price_minor=line.list_price_minor,
                discount_pct=line.discount_pct,
                net_minor=line.net_minor,
                on_catalogue=line.sku_version_id is not None,
                statement_of_work=line.statement_of_work,
                consume_by=line.consume_by,
            )
            for line in quote.lines
        ],
        list_total_minor=quote.list_total_minor,
        net_total_minor=quote.net_total_minor,
        current_rate_minor=rate,
        reduction_minor=rate - quote.net_total_minor if rate is not None else None,
        approver_comment=quote.approver_comment,
        locked=quote.status is QuoteStatus.PENDING_APPROVAL,
        approvals_needed=(
            approval_routing.required_approvals(uow, record, uow.user.id)
            if quote.status in EDITABLE
            else []
        ),
        version=quote.version,
    )


def total(quote: Quote) -> None:
    quote.list_total_minor = sum(line.list_price_minor * line.quantity for line in quote.lines)
    quote.net_total_minor = sum(line.net_minor for line in quote.lines)


def _check_visible(uow: UnitOfWork, quote: Quote) -> None:
    account = uow.session.get(Account, quote.account_id)
    assert account is not None
    require_segment(uow.user, account.segment_id, what="quote")


def check_editable(uow: UnitOfWork, quote: Quote) -> None:
    """Only the owner changes a quote, and only while it is not waiting or done."""
    if quote.owner_id != uow.user.id:
        raise PermissionDenied("Only the quote's owner can change it.")
    check_open(quote)


def check_open(quote: Quote) -> None:
    """A quote waiting for approval is locked; an accepted or superseded one is done."""
    if quote.status is QuoteStatus.PENDING_APPROVAL:
        raise InvalidInput(LOCKED)
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
