"""What a quote's approval rules look at: its discount, totals, lines, terms, the SKU
combinations it breaks and, for a rate reduction, what the customer pays now and the reduction
the quote gives.

``QuoteFacts`` is the one list of those facts: ``facts_of`` fills it in, and the quote's record
kind declares its names (``QUOTE_FACTS``) to the rules an admin writes. A rate-reduction quote
answers a retention case, and its case names the contract whose rate it reduces:
``contract_rate`` is the yearly net of that contract's paid subscriptions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple, NotRequired, TypedDict

from sqlalchemy import select

from acctmgr.errors import InvalidInput
from acctmgr.models import (
    Opportunity,
    Quote,
    QuoteLine,
    RetentionCase,
    SkuKind,
    SkuRuleConsequence,
    SkuVersion,
    Subscription,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.services.catalogue.sku_relations import SkuRelationView, broken_combinations
from acctmgr.services.kernel.money import HUNDRED, checked_total, line_list
from acctmgr.services.kernel.unit_of_work import UnitOfWork


class QuoteFacts(TypedDict):
    """The values a quote's approval rules look at, by the names the rules use."""

    opportunity_kind: str | None  # "rate_reduction", "new_business", ...
    discount_pct: Decimal  # the deepest discount of any line
    list_total_minor: int
    net_total_minor: int
    off_catalogue: bool  # any line outside the catalogue
    onsite_support: bool  # any line selling on-site support
    statement_of_work: bool  # any service line carries one (seed 003 has it approved)
    service_without_sow: bool  # any service line (a workshop, an audit) has none yet
    currency: str
    term_months: int
    notice_days: int
    payment_terms_days: int  # seed 002: "payment_terms_days > 60" are unsustainable terms
    sku_rule_broken: bool  # it breaks a SKU combination the catalogue says needs approval
    reduction_minor: NotRequired[int]  # rate reductions: the yearly amount it takes off
    reduction_pct: NotRequired[Decimal | None]  # ... and as a % of the current rate


QUOTE_FACTS: tuple[str, ...] = tuple(QuoteFacts.__annotations__)


class QuoteTerms(NamedTuple):
    """A quote's terms, as stored or as an edit not saved yet would make them."""

    term_months: int
    notice_days: int
    payment_terms_days: int


def terms_of(quote: Quote) -> QuoteTerms:
    return QuoteTerms(quote.term_months, quote.notice_days, quote.payment_terms_days)


def facts_of(
    uow: UnitOfWork, quote: Quote, lines: list[QuoteLine], terms: QuoteTerms | None = None
) -> QuoteFacts:
    """The values approval rules look at for this quote (with these lines and terms)."""
    opportunity = (
        uow.session.get(Opportunity, quote.opportunity_id) if quote.opportunity_id else None
    )
    list_total, net_total = totals_of(lines)
    terms = terms or terms_of(quote)
    versions = versions_of(uow, lines)
    onsite = any(version.onsite_support for version in versions.values())
    services = [
        line
        for line in lines
        if line.sku_version_id in versions and versions[line.sku_version_id].kind is SkuKind.SERVICE
    ]
    facts: QuoteFacts = {
        "opportunity_kind": opportunity.kind.value if opportunity else None,
        "discount_pct": max((line.discount_pct for line in lines), default=Decimal(0)),
        "list_total_minor": list_total,
        "net_total_minor": net_total,
        "off_catalogue": any(line.sku_version_id is None for line in lines),
        "onsite_support": onsite,
        "statement_of_work": any(line.statement_of_work.strip() for line in services),
        "service_without_sow": any(not line.statement_of_work.strip() for line in services),
        "currency": quote.currency,
        "term_months": terms.term_months,
        "notice_days": terms.notice_days,
        "payment_terms_days": terms.payment_terms_days,
        "sku_rule_broken": any(
            broken.consequence is SkuRuleConsequence.APPROVAL
            for broken in broken_combinations(uow, sku_ids_of(versions))
        ),
    }
    rate = current_rate(uow, quote)
    if rate is not None:
        facts["reduction_minor"] = rate - net_total
        facts["reduction_pct"] = (
            (Decimal(rate - net_total) * HUNDRED / rate).quantize(Decimal("0.01")) if rate else None
        )
    return facts


def sku_ids_of(versions: dict[int, SkuVersion]) -> set[int]:
    """The SKUs these catalogue versions are versions of."""
    return {version.sku_id for version in versions.values()}


def check_combinations(uow: UnitOfWork, lines: list[QuoteLine]) -> None:
    """Refuse lines that break a SKU combination the catalogue refuses (InvalidInput with its
    sentence, naming both SKUs); those that need approval are facts instead."""
    refused: list[SkuRelationView] = [
        broken
        for broken in broken_combinations(uow, sku_ids_of(versions_of(uow, lines)))
        if broken.consequence is SkuRuleConsequence.REFUSE
    ]
    if refused:
        raise InvalidInput(refused[0].sentence)


def totals_of(lines: list[QuoteLine]) -> tuple[int, int]:
    """The list and net totals of these lines; InvalidInput when a line or a total passes the
    money limit."""
    listed = checked_total(
        (line_list(line.list_price_minor, line.quantity) for line in lines), what="The quote"
    )
    return listed, checked_total((line.net_minor for line in lines), what="The quote")


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
    return sum(sub.net_price_minor * sub.quantity for sub in paid_subscriptions(uow, contract_id))


def paid_subscriptions(uow: UnitOfWork, contract_id: int) -> list[Subscription]:
    """A contract's paid subscriptions, active or about to be, in the order they were added."""
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


def versions_of(uow: UnitOfWork, lines: list[QuoteLine]) -> dict[int, SkuVersion]:
    """The catalogue versions these lines sell, by id (lines outside the catalogue have none)."""
    ids = [line.sku_version_id for line in lines if line.sku_version_id is not None]
    if not ids:
        return {}
    found = uow.session.scalars(select(SkuVersion).where(SkuVersion.id.in_(ids)))
    return {version.id: version for version in found}
