"""The quote an offer carries, and where its lines start from.

A Key Account Manager starts an offer from a catalogue package, from what the account holds
now, from another offer or an earlier quote, or from nothing (seed 001: "designing specific
packages/offerings"). Every catalogue line is added the one way the quote builder adds them:
the SKU's current version at its list price, locked; a line copied from an older quote takes
the SKU as it is sold today, and a SKU retired since is left out and named, never revived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from acctmgr.models import (
    Account,
    Package,
    Quote,
    QuoteLine,
    QuoteStatus,
    Sku,
    SkuVersion,
    Subscription,
    SubscriptionStatus,
)
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.kernel.money import line_net
from acctmgr.services.kernel.terms import check_notice_within_term
from acctmgr.services.kernel.unit_of_work import UnitOfWork
from acctmgr.services.sales import quote_builder, quotes


@dataclass
class Started:
    """The new quote, and the SKUs left out because they are no longer sold."""

    quote: Quote
    left_out: list[str] = field(default_factory=list)


def draft_quote(
    uow: UnitOfWork,
    account: Account,
    *,
    opportunity_id: int,
    offer_id: int,
    starts_on: date,
    term_months: int,
    notice_days: int,
) -> Quote:
    """A numbered draft quote for an offer, in the account's currency, without lines; its
    territory of use is the account's (see ``quote_builder.new_quote``)."""
    check_notice_within_term(term_months, notice_days)
    quote = Quote(
        account_id=account.id,
        opportunity_id=opportunity_id,
        offer_id=offer_id,
        owner_id=uow.user.id,
        status=QuoteStatus.DRAFT,
        currency=account.currency,
        territory=quote_builder._territory("", account),
        starts_on=starts_on,
        term_months=term_months,
        notice_days=notice_days,
    )
    quotes.total(quote)
    uow.add_numbered(quote, "Q", 6)
    return quote


def add_sku(
    uow: UnitOfWork, quote: Quote, sku_id: int, quantity: int, discount: Decimal | None = None
) -> None:
    """Add the SKU's current version as the quote builder does (a retired SKU is refused);
    without a discount, the price agreed with the account applies, if there is one."""
    quote_builder._append(uow, quote, catalogue.sellable_version(uow, sku_id), quantity, discount)


def from_package(uow: UnitOfWork, quote: Quote, package: Package) -> list[str]:
    """The package's SKUs at their quantities; returns the names of SKUs no longer sold."""
    left_out = []
    for item in package.items:
        sku = uow.session.get(Sku, item.sku_id)
        if sku is None or sku.retired_at is not None:
            left_out.append(sku.code if sku else str(item.sku_id))
            continue
        add_sku(uow, quote, sku.id, item.quantity)
    return left_out


def from_holdings(uow: UnitOfWork, quote: Quote) -> list[str]:
    """What the account holds now: one line per SKU of its active subscriptions, at the
    quantity held and the discount it pays today."""
    held = uow.session.execute(
        select(
            SkuVersion.sku_id,
            Subscription.quantity,
            Subscription.list_price_minor,
            Subscription.net_price_minor,
        )
        .join(SkuVersion, SkuVersion.id == Subscription.sku_version_id)
        .where(
            Subscription.account_id == quote.account_id,
            Subscription.status == SubscriptionStatus.ACTIVE,
        )
        .order_by(Subscription.id)
    ).all()
    left_out: list[str] = []
    seen: set[int] = set()
    for sku_id, quantity, listed, net in held:
        if sku_id in seen:
            continue
        seen.add(sku_id)
        sku = uow.session.get(Sku, sku_id)
        if sku is None or sku.retired_at is not None:
            left_out.append(sku.code if sku else str(sku_id))
            continue
        paid = Decimal(0) if not listed else Decimal(100) * (listed - net) / listed
        add_sku(uow, quote, sku_id, quantity, max(Decimal(0), paid.quantize(Decimal("0.01"))))
    return left_out


def copy_lines(uow: UnitOfWork, source: Quote, quote: Quote) -> list[str]:
    """Another quote's lines on this one: catalogue lines at the SKU's current version with
    the same quantity and discount (and statement of work), exceptions as they were."""
    left_out = []
    for line in source.lines:
        if line.sku_version_id is None:
            quote.lines.append(
                QuoteLine(
                    position=len(quote.lines) + 1,
                    sku_version_id=None,
                    description=line.description,
                    quantity=line.quantity,
                    list_price_minor=line.list_price_minor,
                    discount_pct=line.discount_pct,
                    net_minor=line_net(line.list_price_minor, line.quantity, line.discount_pct),
                    starts_on=quote.starts_on,
                    statement_of_work=line.statement_of_work,
                )
            )
            continue
        version = uow.session.get(SkuVersion, line.sku_version_id)
        sku = uow.session.get(Sku, version.sku_id) if version else None
        if sku is None or sku.retired_at is not None:
            left_out.append(sku.code if sku else line.description)
            continue
        add_sku(uow, quote, sku.id, line.quantity, line.discount_pct)
        quote.lines[-1].statement_of_work = line.statement_of_work
    return left_out
