"""Upsell potential of a key account: what to offer it next, ranked, each with its reason.

Five kinds of suggestion, from the order situation and from what the account's peers hold:
usage above the included volume (a bigger tier pays), SKUs most peers hold and it does not,
trials ending, services at risk of expiring unused, and contracts entering their notice window.
A suggestion that can become an offer line names the SKU and the quantity to put on it.
"""

from __future__ import annotations

import enum
import math
from datetime import date, timedelta

from sqlalchemy import select

from acctmgr.domain.catalogue import SkuKind
from acctmgr.models import (
    ContractStatus,
    PeerHolding,
    RenewalType,
    Segment,
    Sku,
    SkuPrice,
    SkuVersion,
    UsageTier,
)
from acctmgr.services.fulfilment.overage import overage_amount
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.key_accounts import peers
from acctmgr.services.key_accounts.situation import (
    OrderSituation,
    SubscriptionLine,
    read_situation,
)

TRIAL_ENDING_WITHIN = timedelta(days=30)
ENTITLEMENT_AT_RISK_WITHIN = timedelta(days=60)
NOTICE_WITHIN = timedelta(days=60)
# "Most accounts" of a group too small to speak for its segment says nothing.
MIN_PEERS = 5
PEER_SUGGESTIONS = 5


class SuggestionKind(enum.StrEnum):
    USAGE_ABOVE_INCLUDED = "usage_above_included"
    PEERS_HOLD = "peers_hold"
    TRIAL_ENDING = "trial_ending"
    ENTITLEMENT_AT_RISK = "entitlement_at_risk"
    NOTICE_WINDOW = "notice_window"

    @property
    def label(self) -> str:
        return SUGGESTION_LABELS[self]


SUGGESTION_LABELS = {
    SuggestionKind.USAGE_ABOVE_INCLUDED: "Usage above included",
    SuggestionKind.PEERS_HOLD: "Peers hold it",
    SuggestionKind.TRIAL_ENDING: "Trial ending",
    SuggestionKind.ENTITLEMENT_AT_RISK: "Unused service",
    SuggestionKind.NOTICE_WINDOW: "Notice window",
}


class Suggestion(ReadModel):
    """One upsell suggestion; ``sku_code`` and ``quantity`` make it an offer line."""

    key: str  # stable between reads: the kind and the record it stems from
    kind: SuggestionKind
    reason: str  # one sentence
    score: int  # higher first; 0 to 100
    sku_code: str | None = None
    quantity: int | None = None


@use_case("key_accounts.upsell", write=False)
def upsell(uow: UnitOfWork, account_id: int) -> list[Suggestion]:
    """The account's upsell suggestions, most pressing first.

    Peer figures are the worker's (``peers.refresh_peer_holdings``); until it has run, no
    peer suggestion is made. Raises NotFound for no such account, PermissionDenied for
    another segment's.
    """
    situation = read_situation(uow, account_id)
    found = [
        *_usage_above_included(uow, situation),
        *_peers_hold(uow, situation),
        *_trials_ending(situation),
        *_entitlements_at_risk(situation),
        *_notice_windows(situation),
    ]
    return sorted(found, key=lambda s: (-s.score, s.key))


def _when(day: date) -> str:
    return f"{day:%d %b %Y}"


def _in_days(days: int) -> str:
    return "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")


def _usage_above_included(uow: UnitOfWork, situation: OrderSituation) -> list[Suggestion]:
    months = [month for month in situation.usage if month.included]
    if not months:
        return []
    included = months[0].included or 0
    average = sum(month.page_views for month in months) // len(months)
    if average <= included:
        return []
    above_pct = (average - included) * 100 // included
    opening = (
        f"Page views averaged {average:,} a month over the last {len(months)} months, "
        f"{above_pct}% above the {included:,} included"
    )
    plan = _usage_plan(situation.subscriptions)
    score = 50 + min(40, above_pct // 2)
    if plan is None or not plan.included_volume:
        return [
            Suggestion(
                key="usage",
                kind=SuggestionKind.USAGE_ABOVE_INCLUDED,
                reason=f"{opening}; a bigger page-view tier would include them.",
                score=score,
            )
        ]
    needed = math.ceil(average / plan.included_volume)
    overage = _monthly_overage(uow, plan, situation.currency, average, included)
    extra = _monthly_list_price(uow, plan, situation.currency) * max(0, needed - plan.quantity)
    if overage and extra and overage > extra:
        more, over = (format_money(x, situation.currency) for x in (extra, overage))
        tail = (
            f"; {needed} units of {plan.sku_code} cost about {more} a month more, "
            f"less than the {over} overage."
        )
        score = min(100, score + 5)
    else:
        tail = f"; {needed} units of {plan.sku_code} would include them."
    return [
        Suggestion(
            key="usage",
            kind=SuggestionKind.USAGE_ABOVE_INCLUDED,
            reason=opening + tail,
            score=score,
            sku_code=plan.sku_code,
            quantity=needed,
        )
    ]


def _usage_plan(subscriptions: list[SubscriptionLine]) -> SubscriptionLine | None:
    """The paid page-view subscription the contract's included volume comes from."""
    usage = [
        sub
        for sub in subscriptions
        if sub.sku_kind is SkuKind.USAGE and sub.included_volume and not sub.is_trial
    ]
    return max(usage, key=lambda sub: sub.included_volume or 0, default=None)


def _monthly_overage(
    uow: UnitOfWork, plan: SubscriptionLine, currency: str, volume: int, included: int
) -> int:
    """What page views above ``included`` cost a month at the plan's overage tiers, priced as
    the overage Finance reviews is (the tiers scale with the plan's quantity)."""
    tiers = [
        (from_volume * plan.quantity, unit_price)
        for from_volume, unit_price in uow.session.execute(
            select(UsageTier.from_volume, UsageTier.unit_price_minor).where(
                UsageTier.sku_version_id == plan.sku_version_id, UsageTier.currency == currency
            )
        )
    ]
    return overage_amount(volume, included, tiers)


def _monthly_list_price(uow: UnitOfWork, plan: SubscriptionLine, currency: str) -> int:
    """One more unit of the plan, a month, at list price (0 without a price in the currency)."""
    row = uow.session.execute(
        select(SkuPrice.list_price_minor, SkuVersion.billing_period_months)
        .join(SkuVersion, SkuVersion.id == SkuPrice.sku_version_id)
        .where(SkuPrice.sku_version_id == plan.sku_version_id, SkuPrice.currency == currency)
    ).first()
    if row is None:
        return 0
    return int(row.list_price_minor) // (row.billing_period_months or 12)


def _peers_hold(uow: UnitOfWork, situation: OrderSituation) -> list[Suggestion]:
    if situation.active_contract is None:
        # Peers are buying accounts; one with no contract in effect is no peer of theirs.
        return []
    band = peers.account_band(uow, situation.account_id)
    held = {sub.sku_id for sub in situation.subscriptions}
    rows = uow.session.execute(
        select(
            PeerHolding.sku_id, PeerHolding.holders, PeerHolding.peers, Sku.code, SkuVersion.name
        )
        .join(Sku, Sku.id == PeerHolding.sku_id)
        .join(SkuVersion, SkuVersion.id == Sku.current_version_id)
        .where(
            PeerHolding.segment_id == situation.segment_id,
            PeerHolding.size_band == band,
            PeerHolding.peers >= MIN_PEERS,
            PeerHolding.holders * 2 > PeerHolding.peers,
            Sku.retired_at.is_(None),
        )
        .order_by((PeerHolding.holders * 1.0 / PeerHolding.peers).desc(), Sku.code)
        .limit(PEER_SUGGESTIONS + len(held))
    ).all()
    wanted = [row for row in rows if row.sku_id not in held][:PEER_SUGGESTIONS]
    if not wanted:
        return []
    segment = uow.session.scalar(select(Segment.name).where(Segment.id == situation.segment_id))
    suggestions = []
    for row in wanted:
        share = row.holders * 100 // row.peers
        suggestions.append(
            Suggestion(
                key=f"peers-{row.sku_id}",
                kind=SuggestionKind.PEERS_HOLD,
                reason=(
                    f"{share}% of the {row.peers:,} {band} {segment} accounts hold "
                    f"{row.name} ({row.code}); this one does not."
                ),
                score=30 + share * 30 // 100,
                sku_code=row.code,
                quantity=1,
            )
        )
    return suggestions


def _trials_ending(situation: OrderSituation) -> list[Suggestion]:
    today = situation.today
    paid = {sub.sku_id for sub in situation.subscriptions if not sub.is_trial}
    suggestions = []
    for sub in situation.subscriptions:
        if not sub.is_trial or sub.ends_on is None or sub.sku_id in paid:
            continue
        days = (sub.ends_on - today).days
        if not 0 <= days <= TRIAL_ENDING_WITHIN.days:
            continue
        suggestions.append(
            Suggestion(
                key=f"trial-{sub.id}",
                kind=SuggestionKind.TRIAL_ENDING,
                reason=(
                    f"The trial of {sub.product} ends on {_when(sub.ends_on)} "
                    f"({_in_days(days)}); offer {sub.sku_code} paid before it lapses."
                ),
                score=95 - days,
                sku_code=sub.sku_code,
                quantity=sub.quantity,
            )
        )
    return suggestions


def _entitlements_at_risk(situation: OrderSituation) -> list[Suggestion]:
    today = situation.today
    suggestions = []
    for entitlement in situation.entitlements:
        if entitlement.consume_by is None:
            continue
        days = (entitlement.consume_by - today).days
        if not 0 <= days <= ENTITLEMENT_AT_RISK_WITHIN.days:
            continue
        suggestions.append(
            Suggestion(
                key=f"entitlement-{entitlement.id}",
                kind=SuggestionKind.ENTITLEMENT_AT_RISK,
                reason=(
                    f"{entitlement.left} of {entitlement.quantity} {entitlement.product} "
                    f"({entitlement.sku_code}) must be used by {_when(entitlement.consume_by)} "
                    f"({_in_days(days)}) or are lost; book them now."
                ),
                score=70 - days // 2,
            )
        )
    return suggestions


def _notice_windows(situation: OrderSituation) -> list[Suggestion]:
    today = situation.today
    suggestions = []
    for contract in situation.contracts:
        if contract.status is not ContractStatus.ACTIVE:
            continue
        days = (contract.notice_deadline - today).days
        if not 0 <= days <= NOTICE_WITHIN.days:
            continue
        then = (
            "renews itself unless notice is given"
            if contract.renewal_type is RenewalType.STANDING_ORDER
            else f"ends on {_when(contract.ends_on)}"
        )
        suggestions.append(
            Suggestion(
                key=f"notice-{contract.id}",
                kind=SuggestionKind.NOTICE_WINDOW,
                reason=(
                    f"Contract {contract.number} reaches its notice deadline on "
                    f"{_when(contract.notice_deadline)} ({_in_days(days)}) and {then}; "
                    "agree its renewal before then."
                ),
                score=100 - days * 60 // NOTICE_WITHIN.days,
            )
        )
    return suggestions
