"""A quote as people read it: its lines, totals, the rate it reduces, the approvals it needs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from acctmgr.models import Account, Quote, QuoteLine, QuoteStatus, Sku, SkuKind, SkuVersion
from acctmgr.services.approvals import preview as approval_preview
from acctmgr.services.approvals.preview import RequiredApproval
from acctmgr.services.kernel import territories
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork
from acctmgr.services.sales import agreed_prices
from acctmgr.services.sales.quote_approval import EDITABLE, QuoteKind
from acctmgr.services.sales.quote_facts import case_of, current_rate, versions_of


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
    # The line's discount is what a price agreed with the account gives (``agreed_prices``),
    # so the editor can say so; False once the user typed another.
    agreed_price: bool = False


class QuoteView(ReadModel):
    id: int
    number: str
    account_id: int
    account_name: str
    offer_id: int | None  # the offer this quote carries, for a key account's offer
    status: QuoteStatus
    owner_id: int
    currency: str
    locale: str  # the account's: territory names are shown and typed in it
    territory: str  # a code of kernel.territories, or "" when not set yet
    territory_name: str
    starts_on: date | None
    earliest_start: date | None  # for a rate reduction: the case's earliest effective date
    term_months: int
    notice_days: int
    payment_terms_days: int
    lines: list[QuoteLineView]
    list_total_minor: int
    net_total_minor: int
    current_rate_minor: int | None  # what the customer pays now (rate reductions)
    reduction_minor: int | None
    approver_comment: str
    locked: bool
    approvals_needed: list[RequiredApproval]
    version: int


def quote_view_of(uow: UnitOfWork, quote: Quote) -> QuoteView:
    """The quote as saved, with the approvals it would need if submitted by the signed-in user
    (none once it waits or is done)."""
    account = uow.session.get(Account, quote.account_id)
    assert account is not None
    rate = current_rate(uow, quote)
    case = case_of(uow, quote)
    record = QuoteKind().load(uow, quote.id)
    return QuoteView(
        id=quote.id,
        number=quote.number,
        account_id=account.id,
        account_name=account.name,
        offer_id=quote.offer_id,
        status=quote.status,
        owner_id=quote.owner_id,
        currency=quote.currency,
        locale=account.locale,
        territory=quote.territory,
        territory_name=territories.name_of(quote.territory, account.locale),
        starts_on=quote.starts_on,
        earliest_start=case.earliest_effective_date if case else None,
        term_months=quote.term_months,
        notice_days=quote.notice_days,
        payment_terms_days=quote.payment_terms_days,
        lines=_line_views(uow, quote),
        list_total_minor=quote.list_total_minor,
        net_total_minor=quote.net_total_minor,
        current_rate_minor=rate,
        reduction_minor=rate - quote.net_total_minor if rate is not None else None,
        approver_comment=quote.approver_comment,
        locked=quote.status is QuoteStatus.PENDING_APPROVAL,
        approvals_needed=(
            approval_preview.required_approvals(uow, record, uow.user.id)
            if quote.status in EDITABLE
            else []
        ),
        version=quote.version,
    )


def _line_views(uow: UnitOfWork, quote: Quote) -> list[QuoteLineView]:
    skus = {
        version_id: (sku_id, code)
        for version_id, sku_id, code in uow.session.execute(
            select(SkuVersion.id, Sku.id, Sku.code)
            .join(Sku, Sku.id == SkuVersion.sku_id)
            .where(SkuVersion.id.in_([line.sku_version_id or 0 for line in quote.lines]))
        )
    }
    codes = {version_id: code for version_id, (_, code) in skus.items()}
    versions = versions_of(uow, quote.lines)
    agreed = agreed_prices.valid_for_quote(uow, quote) if quote.lines else {}

    def is_agreed(line: QuoteLine) -> bool:
        sku_id, _ = skus.get(line.sku_version_id or 0, (0, ""))
        version = versions.get(line.sku_version_id or 0)
        price = agreed.get(sku_id)
        if price is None or version is None or version.kind is SkuKind.INCLUDED:
            return False
        return line.discount_pct == agreed_prices.discount_for(price, line.list_price_minor)

    return [
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
            agreed_price=is_agreed(line),
        )
        for line in quote.lines
    ]


def check_visible(uow: UnitOfWork, quote: Quote) -> None:
    """Anyone in the quote's segment may read it; PermissionDenied for anyone else."""
    account = uow.session.get(Account, quote.account_id)
    assert account is not None
    require_segment(uow.user, account.segment_id, what="quote")
