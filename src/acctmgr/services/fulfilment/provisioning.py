"""What an activated order starts: a subscription per subscribed line, an entitlement per
service, nothing for one-off and included items (they are only invoiced).

Rows are made in the transaction that activates the order, each tied to its order line by a
unique key, so no second activation or worker can make them twice. A subscription waits
(pending) until its start date; ``start_subscriptions`` starts those due, now or from the
worker's daily pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import or_, select

from acctmgr.models import (
    Contract,
    Entitlement,
    Order,
    OrderLine,
    SkuKind,
    SkuVersion,
    Subscription,
    SubscriptionEnd,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.services.fulfilment.order_views import line_starts_on
from acctmgr.services.kernel.terms import term_start
from acctmgr.services.kernel.unit_of_work import UnitOfWork

RUNNING = (SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE)
SUBSCRIBED_KINDS = (SkuKind.SUBSCRIPTION, SkuKind.USAGE)


def provision(
    uow: UnitOfWork, order: Order, contract: Contract, lines: Iterable[OrderLine] | None = None
) -> list[Subscription]:
    """The subscriptions and entitlements of an order being activated (of ``lines`` only, when
    a revision keeps the others running); returns the subscriptions made, pending.

    Each line starts with the order, or on its own start when that is later. A
    service whose contract's entitlement was made before orders existed (no order line) adopts
    that one rather than entitling the customer twice.
    """
    made: list[Subscription] = []
    chosen = list(order.lines if lines is None else lines)
    for line in chosen:
        version = uow.session.get(SkuVersion, line.sku_version_id) if line.sku_version_id else None
        if version is None:  # outside the catalogue: invoiced, nothing runs
            continue
        starts_on = line_starts_on(order.starts_on, line)
        if version.kind in SUBSCRIBED_KINDS:
            made.append(uow.add(_subscription(order, contract, line, version, starts_on)))
        elif version.kind is SkuKind.SERVICE:
            legacy = _unordered_entitlement(uow, contract, version)
            if legacy is not None:
                legacy.order_line_id = line.id
                continue
            uow.add(
                Entitlement(
                    account_id=order.account_id,
                    contract_id=contract.id,
                    sku_version_id=version.id,
                    order_line_id=line.id,
                    quantity=line.quantity * version.units,
                    starts_on=starts_on,
                    consume_by=consume_by(line, version, starts_on, contract),
                )
            )
    return made


def _unordered_entitlement(
    uow: UnitOfWork, contract: Contract, version: SkuVersion
) -> Entitlement | None:
    """The contract's entitlement of this service made at activation before migration 0014
    (contracts' lifecycle made one a service line, tied to no order line)."""
    return uow.session.scalars(
        select(Entitlement)
        .where(
            Entitlement.contract_id == contract.id,
            Entitlement.sku_version_id == version.id,
            Entitlement.order_line_id.is_(None),
        )
        .order_by(Entitlement.id)
        .limit(1)
    ).first()


def consume_by(line: OrderLine, version: SkuVersion, starts_on: date, contract: Contract) -> date:
    """A service's deadline: the one on the line (from the PO), else its SKU's consumption
    period from the order's start, else the contract's end."""
    if line.consume_by is not None:
        return line.consume_by
    if version.consumption_months:
        return term_start(starts_on, version.consumption_months) - timedelta(days=1)
    return contract.ends_on


def _subscription(
    order: Order, contract: Contract, line: OrderLine, version: SkuVersion, starts_on: date
) -> Subscription:
    trial = line.trial_ends_on is not None
    return Subscription(
        account_id=order.account_id,
        contract_id=contract.id,
        order_id=order.id,
        order_line_id=line.id,
        sku_version_id=version.id,
        kind=SubscriptionKind.TEST if trial else SubscriptionKind.PAID,
        status=SubscriptionStatus.PENDING,
        quantity=line.quantity,
        list_price_minor=line.list_price_minor,
        net_price_minor=0 if trial else line.unit_net_minor,
        currency=contract.currency,
        starts_on=starts_on,
        ends_on=line.trial_ends_on if trial else (line.ends_on or contract.ends_on),
    )


def start_subscriptions(uow: UnitOfWork, subscriptions: Iterable[Subscription]) -> int:
    """Start the pending subscriptions whose day has come; returns how many started.

    A paid subscription of a contract that supersedes another replaces the running one of the
    same SKU there: that one ends the day before (re-priced from the new contract's date). An
    order for one location replaces only that location's (and those ordered for no location,
    or made before orders existed): a contract split by location moves each on its own day.
    """
    today = uow.now.date()
    started = 0
    for subscription in subscriptions:
        if subscription.status is not SubscriptionStatus.PENDING or subscription.starts_on > today:
            continue
        subscription.status = SubscriptionStatus.ACTIVE
        if subscription.kind is SubscriptionKind.PAID:
            _replace_superseded(uow, subscription)
        started += 1
    uow.session.flush()
    return started


def _replace_superseded(uow: UnitOfWork, subscription: Subscription) -> None:
    contract = (
        uow.session.get(Contract, subscription.contract_id) if subscription.contract_id else None
    )
    if contract is None or contract.supersedes_id is None:
        return
    version = uow.session.get(SkuVersion, subscription.sku_version_id)
    assert version is not None
    query = (
        select(Subscription)
        .join(SkuVersion, SkuVersion.id == Subscription.sku_version_id)
        .outerjoin(Order, Order.id == Subscription.order_id)
        .where(
            Subscription.contract_id == contract.supersedes_id,
            Subscription.kind == SubscriptionKind.PAID,
            Subscription.status.in_(RUNNING),
            SkuVersion.sku_id == version.sku_id,
        )
        .order_by(Subscription.id)
    )
    ordered = uow.session.get(Order, subscription.order_id) if subscription.order_id else None
    if ordered is not None and ordered.location:
        query = query.where(
            or_(
                Subscription.order_id.is_(None),
                Order.location == ordered.location,
                Order.location == "",
            )
        )
    running = uow.session.scalars(query).all()
    for old in running:
        end_subscription(old, subscription.starts_on - timedelta(days=1), SubscriptionEnd.REPLACED)
        if subscription.replaces_id is None:
            subscription.replaces_id = old.id


def end_subscription(subscription: Subscription, last_day: date, reason: SubscriptionEnd) -> None:
    """A running subscription ends after ``last_day``; one that had not started is cancelled.

    One whose own end came before ``last_day`` (the worker had not yet ended it) keeps that end,
    at its term: being replaced later must not lengthen it.
    """
    if subscription.ends_on is not None and subscription.ends_on < last_day:
        last_day, reason = subscription.ends_on, SubscriptionEnd.TERM
    if subscription.status is SubscriptionStatus.PENDING and last_day < subscription.starts_on:
        subscription.status = SubscriptionStatus.CANCELLED
    else:
        subscription.status = SubscriptionStatus.ENDED
    subscription.ends_on = max(last_day, subscription.starts_on)
    subscription.ended_reason = reason
