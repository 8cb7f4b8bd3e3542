"""Contracts and what hangs off them: subscriptions, entitlements, usage and invoices.

Every customer that is not a prospect has one 12-month contract, active or ended. It sells a
plan, a few add-ons and sometimes services, at a discount off the price book of the catalogue
version current when it started; its invoices cover the last year, plus drafts due soon.
"""

from __future__ import annotations

from datetime import date, timedelta

from acctmgr.demo.catalogue import (
    ADD_ON_CUM,
    ADD_ONS,
    PLANS,
    SERVICE_SHARE,
    SERVICES,
    SKU_BY_CODE,
    SkuSpec,
)
from acctmgr.demo.dates import add_months, instant
from acctmgr.demo.featured import APPROVAL_FEATURED, FEATURED
from acctmgr.demo.load import Customer, DemoLoad
from acctmgr.demo.places import TITLES
from acctmgr.models import (
    AccountStatus,
    ContractStatus,
    InvoiceStatus,
    RenewalType,
    SignatureMethod,
    SubscriptionKind,
    SubscriptionStatus,
)

NOTICE_WINDOW_SHARE = 0.08  # of active contracts: ending in 60-90 days
NOTICE_DAYS = 60
DRAFT_LOOKAHEAD_DAYS = 14  # invoices due to be issued this soon are drafted for review
DISCOUNTS = (0, 0, 0, 5, 10, 10, 15, 20)
SIGNATURE_METHODS = (
    SignatureMethod.ELECTRONIC,
    SignatureMethod.ELECTRONIC,
    SignatureMethod.WET_INK,
    SignatureMethod.EMAIL_CONFIRMATION,
)


def sign_contract(load: DemoLoad, info: Customer, index: int, status: AccountStatus) -> None:
    """A 12-month contract with its subscriptions, entitlements, usage and invoices.

    ``index`` is the customer's place in the load: featured customers with an approval story get
    a contract in its notice window. The contract's dates, value and items are kept on ``info``.
    """
    writer, chance = load.writer, load.chance
    today = load.today
    if status == AccountStatus.CHURNED:
        ends_on = today - timedelta(days=chance.between(10, 300))
    elif index in APPROVAL_FEATURED or (
        index >= FEATURED and chance.random() < NOTICE_WINDOW_SHARE
    ):
        ends_on = today + timedelta(days=chance.between(60, 90))
    else:
        ends_on = today + timedelta(days=chance.between(91, 364))
    starts_on = add_months(ends_on + timedelta(days=1), -12)
    active = status == AccountStatus.ACTIVE
    currency = info.currency
    contract_id = writer.new_id("contracts")
    signed_on = starts_on - timedelta(days=chance.between(3, 25))
    finalised_at = instant(signed_on + timedelta(days=1), 10, chance.between(0, 59))
    sub_status = SubscriptionStatus.ACTIVE if active else SubscriptionStatus.ENDED

    plans, weights = PLANS[info.segment]
    plan = chance.weighted(plans, weights)
    items = [(plan, 1)]
    extras = chance.pick((0, 1, 1, 2))
    while len(items) < extras + 1:
        code = chance.weighted(ADD_ONS, ADD_ON_CUM)
        if all(code != item[0] for item in items):
            items.append((code, chance.between(1, 3) if code == "PV-500K" else 1))
    services: list[tuple[str, int]] = []
    if chance.random() < SERVICE_SHARE[info.segment]:
        services.append((chance.pick(SERVICES), 1))
        if info.segment == "ENT" and chance.random() < 0.3:
            services.append(("SRV-ONSITE", chance.between(1, 3)))

    annual = 0
    threshold: int | None = None
    billed: list[tuple[SkuSpec, int, int]] = []  # spec, quantity, net unit price a year
    for code, quantity in items:
        spec = SKU_BY_CODE[code]
        version_id = load.catalogue.version_for(code, starts_on)
        list_price = load.catalogue.prices[(version_id, currency)]
        discount = chance.pick(DISCOUNTS)
        net = list_price * (100 - discount) // 10_000 * 100
        annual += net * quantity
        billed.append((spec, quantity, net))
        if spec.included_volume:
            threshold = spec.included_volume * quantity
        writer.add(
            "subscriptions",
            {
                "id": writer.new_id("subscriptions"),
                "account_id": info.id,
                "contract_id": contract_id,
                "order_id": None,
                "sku_version_id": version_id,
                "kind": SubscriptionKind.PAID,
                "status": sub_status,
                "quantity": quantity,
                "list_price_minor": list_price,
                "net_price_minor": net,
                "currency": currency,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "created_at": finalised_at,
                "updated_at": None,
                "version": 1,
            },
        )
    if active and (today - starts_on).days < 45 and chance.random() < 0.25:
        # New customers often trial an add-on for a month before buying it.
        trial_ends = starts_on + timedelta(days=30)
        writer.add(
            "subscriptions",
            {
                "id": writer.new_id("subscriptions"),
                "account_id": info.id,
                "contract_id": contract_id,
                "order_id": None,
                "sku_version_id": load.catalogue.version_for("ADD-REPLAY", starts_on),
                "kind": SubscriptionKind.TEST,
                "status": (
                    SubscriptionStatus.ACTIVE if trial_ends >= today else SubscriptionStatus.ENDED
                ),
                "quantity": 1,
                "list_price_minor": 0,
                "net_price_minor": 0,
                "currency": currency,
                "starts_on": starts_on,
                "ends_on": trial_ends,
                "created_at": finalised_at,
                "updated_at": None,
                "version": 1,
            },
        )
    for code, quantity in services:
        spec = SKU_BY_CODE[code]
        version_id = load.catalogue.version_for(code, starts_on)
        net = load.catalogue.prices[(version_id, currency)]
        annual += net * quantity
        billed.append((spec, quantity, net))
        units = spec.units * quantity
        used = 0
        if active and spec.consumption_months:
            # Usage of workshops lags: many are still unused near their deadline.
            elapsed = (today - starts_on).days / 365
            used = min(units, int(units * elapsed * chance.random() * 1.5))
        writer.add(
            "entitlements",
            {
                "id": writer.new_id("entitlements"),
                "account_id": info.id,
                "contract_id": contract_id,
                "sku_version_id": version_id,
                "quantity": units,
                "consumed": used if active else units,
                "starts_on": starts_on,
                "consume_by": add_months(starts_on, spec.consumption_months or 12),
                "created_at": finalised_at,
                "updated_at": None,
                "version": 1,
            },
        )
    writer.add(
        "contracts",
        {
            "id": contract_id,
            "number": f"CT-{contract_id:07d}",
            "account_id": info.id,
            "quote_id": None,
            "supersedes_id": None,
            "status": ContractStatus.ACTIVE if active else ContractStatus.ENDED,
            "renewal_type": (
                RenewalType.STANDING_ORDER if chance.random() < 0.6 else RenewalType.FIXED_TERM
            ),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "term_months": 12,
            "notice_days": NOTICE_DAYS,
            "currency": currency,
            "annual_value_minor": annual,
            "territory": info.territory,
            "page_view_threshold": threshold,
            "signer_name": info.contact_name,
            "signer_title": chance.pick(TITLES),
            "signed_on": signed_on,
            "signature_method": chance.pick(SIGNATURE_METHODS),
            "finalised_by_id": chance.pick(load.staff.customer_services),
            "finalised_at": finalised_at,
            "created_at": instant(signed_on - timedelta(days=10), 14),
            "updated_at": None,
            "version": 1,
        },
    )
    info.contract_id, info.starts_on, info.ends_on = contract_id, starts_on, ends_on
    info.annual_minor, info.items = annual, items + services
    if threshold is not None and active:
        _record_usage(load, info.id, starts_on, threshold)
    _bill(load, info, contract_id, starts_on, ends_on, billed)


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


def _bill(
    load: DemoLoad,
    info: Customer,
    contract_id: int,
    starts_on: date,
    ends_on: date,
    billed: list[tuple[SkuSpec, int, int]],
) -> None:
    """The contract's bills of the last year: the plan every period, the rest up front."""
    writer, chance = load.writer, load.chance
    today = load.today
    plan = billed[0][0]
    period = plan.billing_period_months or 12
    horizon = min(ends_on, today + timedelta(days=DRAFT_LOOKAHEAD_DAYS))
    year_ago = today - timedelta(days=365)
    reviewer = chance.pick(load.staff.finance)
    number = 0
    issued = starts_on
    while issued <= horizon:
        first = number == 0
        number += 1
        current, issued = issued, add_months(starts_on, number * period)
        if current < year_ago:
            continue
        if current > today:
            if chance.random() < 0.5:
                continue
            status = InvoiceStatus.DRAFT
        elif (today - current).days <= 30:
            status = InvoiceStatus.SENT if chance.random() < 0.8 else InvoiceStatus.PAID
        else:
            status = InvoiceStatus.PAID if chance.random() < 0.97 else InvoiceStatus.SENT
        invoice_id = writer.new_id("invoices")
        total = 0
        for spec, quantity, net in billed:
            if spec is plan:
                unit = net * period // 12
            elif first:
                unit = net
            else:
                continue
            total += unit * quantity
            writer.add(
                "invoice_lines",
                {
                    "id": writer.new_id("invoice_lines"),
                    "invoice_id": invoice_id,
                    "description": f"{spec.name}, {current:%b %Y}",
                    "quantity": quantity,
                    "unit_price_minor": unit,
                    "net_minor": unit * quantity,
                },
            )
        sent = status != InvoiceStatus.DRAFT
        writer.add(
            "invoices",
            {
                "id": invoice_id,
                "number": f"INV-{invoice_id:08d}",
                "account_id": info.id,
                "contract_id": contract_id,
                "order_id": None,
                "status": status,
                "issued_on": current,
                "due_on": current + timedelta(days=30),
                "currency": info.currency,
                "total_minor": total,
                "reviewed_by_id": reviewer if sent else None,
                "sent_at": instant(current, 9, 15) if sent else None,
                "created_at": min(instant(current - timedelta(days=2), 16), load.now),
                "updated_at": None,
                "version": 1,
            },
        )
