"""Contracts and what hangs off them: subscriptions, entitlements, usage and invoices.

Every customer that is not a prospect has one 12-month contract, active or ended. It sells a
plan, a few add-ons and sometimes services, at a discount off the price book of the catalogue
version current when it started; its invoices (``demo.invoices``) cover the last year, plus
drafts due soon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from acctmgr.demo.dates import add_months, instant
from acctmgr.demo.featured import APPROVAL_FEATURED, FEATURED, UPSELL_FEATURED
from acctmgr.demo.invoices import Billed, bill
from acctmgr.demo.load import Customer, DemoLoad, Subscribed
from acctmgr.demo.places import TITLES
from acctmgr.demo.skus import (
    ADD_ON_CUM,
    ADD_ONS,
    PLANS,
    SERVICE_SHARE,
    SERVICES,
    SKU_BY_CODE,
)
from acctmgr.models import (
    AccountStatus,
    ContractStatus,
    RenewalType,
    SignatureMethod,
    SubscriptionKind,
    SubscriptionStatus,
)

NOTICE_WINDOW_SHARE = 0.08  # of active contracts: ending in 60-90 days
NOTICE_DAYS = 60
# The kam persona's first key account (the upsell's) has half a workshop pack left, due in three
# weeks: My day's "Entitlements to use" has something to show the KAM.
WORKSHOPS_DUE = ("SRV-WS4", timedelta(days=21))
DISCOUNTS = (0, 0, 0, 5, 10, 10, 15, 20)
SIGNATURE_METHODS = (
    SignatureMethod.ELECTRONIC,
    SignatureMethod.ELECTRONIC,
    SignatureMethod.WET_INK,
    SignatureMethod.EMAIL_CONFIRMATION,
)


@dataclass(frozen=True, slots=True)
class _Signed:
    """What every row hanging off one contract shares."""

    contract_id: int
    starts_on: date
    ends_on: date
    finalised_at: datetime
    active: bool


def sign_contract(load: DemoLoad, info: Customer, index: int, status: AccountStatus) -> None:
    """A 12-month contract with its subscriptions, entitlements, usage and invoices.

    ``index`` is the customer's place in the load: featured customers with an approval story get
    a contract in its notice window. The contract's dates, value and items are kept on ``info``.
    """
    chance = load.chance
    ends_on = _ends_on(load, index, status)
    starts_on = add_months(ends_on + timedelta(days=1), -12)
    contract_id = load.writer.new_id("contracts")
    signed_on = starts_on - timedelta(days=chance.between(3, 25))
    signed = _Signed(
        contract_id=contract_id,
        starts_on=starts_on,
        ends_on=ends_on,
        finalised_at=instant(signed_on + timedelta(days=1), 10, chance.between(0, 59)),
        active=status == AccountStatus.ACTIVE,
    )
    items, services = _choose_items(load, info.segment)
    due = WORKSHOPS_DUE[0] if index == UPSELL_FEATURED else None
    if due is not None and all(code != due for code, _ in services):
        services.append((due, 1))
    billed, threshold = _subscribe(load, info, signed, items)
    if signed.active and (load.today - starts_on).days < 45 and chance.random() < 0.25:
        _trial_add_on(load, info, signed)
    billed += _entitle(load, info, signed, services, due)
    annual = sum(net * quantity for _, quantity, net in billed)
    _write_contract(load, info, signed, signed_on, annual, threshold)
    info.contract_id, info.starts_on, info.ends_on = contract_id, starts_on, ends_on
    info.annual_minor, info.items = annual, items + services
    if threshold is not None and signed.active:
        _record_usage(load, info.id, starts_on, threshold)
    bill(load, info, contract_id, starts_on, ends_on, billed)


def _ends_on(load: DemoLoad, index: int, status: AccountStatus) -> date:
    """Churned customers' contracts ended this year; some active ones are in their notice window."""
    chance, today = load.chance, load.today
    if status == AccountStatus.CHURNED:
        return today - timedelta(days=chance.between(10, 300))
    if index in APPROVAL_FEATURED or (index >= FEATURED and chance.random() < NOTICE_WINDOW_SHARE):
        return today + timedelta(days=chance.between(60, 90))
    return today + timedelta(days=chance.between(91, 364))


def _choose_items(
    load: DemoLoad, segment: str
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(SKU code, quantity) of the plan and add-ons a contract sells, and of its services."""
    chance = load.chance
    plans, weights = PLANS[segment]
    items = [(chance.weighted(plans, weights), 1)]
    extras = chance.pick((0, 1, 1, 2))
    while len(items) < extras + 1:
        code = chance.weighted(ADD_ONS, ADD_ON_CUM)
        if all(code != item[0] for item in items):
            items.append((code, chance.between(1, 3) if code == "PV-500K" else 1))
    services: list[tuple[str, int]] = []
    if chance.random() < SERVICE_SHARE[segment]:
        services.append((chance.pick(SERVICES), 1))
        if segment == "ENT" and chance.random() < 0.3:
            services.append(("SRV-ONSITE", chance.between(1, 3)))
    return items, services


def _subscribe(
    load: DemoLoad, info: Customer, signed: _Signed, items: list[tuple[str, int]]
) -> tuple[list[Billed], int | None]:
    """A paid subscription per item, at a discount; what it bills, and the page views included."""
    threshold: int | None = None
    billed: list[Billed] = []
    for code, quantity in items:
        spec = SKU_BY_CODE[code]
        version_id = load.catalogue.version_for(code, signed.starts_on)
        list_price = load.catalogue.prices[(version_id, info.currency)]
        discount = load.chance.pick(DISCOUNTS)
        net = list_price * (100 - discount) // 10_000 * 100
        billed.append((spec, quantity, net))
        info.subscribed.append(Subscribed(code, version_id, quantity, list_price, net))
        if spec.included_volume:
            threshold = spec.included_volume * quantity
        _add_subscription(
            load,
            info,
            signed,
            version_id=version_id,
            kind=SubscriptionKind.PAID,
            status=SubscriptionStatus.ACTIVE if signed.active else SubscriptionStatus.ENDED,
            quantity=quantity,
            prices=(list_price, net),
            ends_on=signed.ends_on,
        )
    return billed, threshold


def _trial_add_on(load: DemoLoad, info: Customer, signed: _Signed) -> None:
    """New customers often trial an add-on for a month before buying it."""
    trial_ends = signed.starts_on + timedelta(days=30)
    _add_subscription(
        load,
        info,
        signed,
        version_id=load.catalogue.version_for("ADD-REPLAY", signed.starts_on),
        kind=SubscriptionKind.TEST,
        status=(
            SubscriptionStatus.ACTIVE if trial_ends >= load.today else SubscriptionStatus.ENDED
        ),
        quantity=1,
        prices=(0, 0),
        ends_on=trial_ends,
    )


def _add_subscription(
    load: DemoLoad,
    info: Customer,
    signed: _Signed,
    *,
    version_id: int,
    kind: SubscriptionKind,
    status: SubscriptionStatus,
    quantity: int,
    prices: tuple[int, int],
    ends_on: date,
) -> None:
    """One subscription of the contract; ``prices`` is (list, net) a year."""
    writer = load.writer
    list_price, net = prices
    writer.add(
        "subscriptions",
        {
            "id": writer.new_id("subscriptions"),
            "account_id": info.id,
            "contract_id": signed.contract_id,
            "order_id": None,
            "sku_version_id": version_id,
            "kind": kind,
            "status": status,
            "quantity": quantity,
            "list_price_minor": list_price,
            "net_price_minor": net,
            "currency": info.currency,
            "starts_on": signed.starts_on,
            "ends_on": ends_on,
            "created_at": signed.finalised_at,
            "updated_at": None,
            "version": 1,
        },
    )


def _entitle(
    load: DemoLoad,
    info: Customer,
    signed: _Signed,
    services: list[tuple[str, int]],
    due: str | None = None,
) -> list[Billed]:
    """An entitlement per service sold, partly consumed; what the services bill. The ``due``
    one is half used, its deadline (agreed shorter than the SKU's) in ``WORKSHOPS_DUE``."""
    writer, chance, today = load.writer, load.chance, load.today
    billed: list[Billed] = []
    for code, quantity in services:
        spec = SKU_BY_CODE[code]
        version_id = load.catalogue.version_for(code, signed.starts_on)
        net = load.catalogue.prices[(version_id, info.currency)]
        billed.append((spec, quantity, net))
        units = spec.units * quantity
        used = 0
        consume_by = add_months(signed.starts_on, spec.consumption_months or 12)
        if code == due:  # no chance drawn: the rest of the load stays as it was
            used, consume_by = units // 2, load.today + WORKSHOPS_DUE[1]
        elif signed.active and spec.consumption_months:
            # Usage of workshops lags: many are still unused near their deadline.
            elapsed = (today - signed.starts_on).days / 365
            used = min(units, int(units * elapsed * chance.random() * 1.5))
        writer.add(
            "entitlements",
            {
                "id": writer.new_id("entitlements"),
                "account_id": info.id,
                "contract_id": signed.contract_id,
                "sku_version_id": version_id,
                "quantity": units,
                "consumed": used if signed.active else units,
                "starts_on": signed.starts_on,
                "consume_by": consume_by,
                "created_at": signed.finalised_at,
                "updated_at": None,
                "version": 1,
            },
        )
    return billed


def _write_contract(
    load: DemoLoad,
    info: Customer,
    signed: _Signed,
    signed_on: date,
    annual: int,
    threshold: int | None,
) -> None:
    chance = load.chance
    load.writer.add(
        "contracts",
        {
            "id": signed.contract_id,
            "number": f"CT-{signed.contract_id:07d}",
            "account_id": info.id,
            "quote_id": None,
            "supersedes_id": None,
            "status": ContractStatus.ACTIVE if signed.active else ContractStatus.ENDED,
            "renewal_type": (
                RenewalType.STANDING_ORDER if chance.random() < 0.6 else RenewalType.FIXED_TERM
            ),
            "starts_on": signed.starts_on,
            "ends_on": signed.ends_on,
            "term_months": 12,
            "notice_days": NOTICE_DAYS,
            "currency": info.currency,
            "annual_value_minor": annual,
            "territory": info.territory_of_use,
            "page_view_threshold": threshold,
            "signer_name": info.contact_name,
            "signer_title": chance.pick(TITLES),
            "signed_on": signed_on,
            "signature_method": chance.pick(SIGNATURE_METHODS),
            "finalised_by_id": chance.pick(load.staff.customer_services),
            "finalised_at": signed.finalised_at,
            "created_at": instant(signed_on - timedelta(days=10), 14),
            "updated_at": None,
            "version": 1,
        },
    )


def _record_usage(load: DemoLoad, account_id: int, starts_on: date, threshold: int) -> None:
    """Monthly page views for the last six complete months of the contract."""
    writer, chance = load.writer, load.chance
    this_month = load.today.replace(day=1)
    month = max(starts_on.replace(day=1), add_months(this_month, -6))
    while month < this_month:
        writer.add(
            "usage_records",
            {
                "id": writer.new_id("usage_records"),
                "account_id": account_id,
                "metric": "page_views",
                "month": month,
                "quantity": int(threshold * (0.55 + 0.75 * chance.random())) // 100 * 100,
            },
        )
        month = add_months(month, 1)
