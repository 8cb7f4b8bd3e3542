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

from sqlalchemy import select

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
from acctmgr.services.kernel.terms import term_start
from acctmgr.services.kernel.unit_of_work import UnitOfWork

RUNNING = (SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE)
SUBSCRIBED_KINDS = (SkuKind.SUBSCRIPTION, SkuKind.USAGE)


def provision(
    uow: UnitOfWork, order: Order, contract: Contract, lines: Iterable[OrderLine] | None = None
) -> list[Subscription]:
    """The subscriptions and entitlements of an order being activated (of ``lines`` only, when
    a revision keeps the others running); returns the subscriptions made, pending."""
    made: list[Subscription] = []
    for line in order.lines if lines is None else lines:
        version = uow.session.get(SkuVersion, line.sku_version_id) if line.sku_version_id else None
        if version is None:  # outside the catalogue: invoiced, nothing runs
            continue
        if version.kind in SUBSCRIBED_KINDS:
            made.append(uow.add(_subscription(order, contract, line, version)))
        elif version.kind is SkuKind.SERVICE:
            uow.add(
                Entitlement(
                    account_id=order.account_id,
                    contract_id=contract.id,
                    sku_version_id=version.id,
                    order_line_id=line.id,
                    quantity=line.quantity * version.units,
                    starts_on=order.starts_on,
                    consume_by=consume_by(line, version, order.starts_on, contract),
                )
            )
    return made


def consume_by(line: OrderLine, version: SkuVersion, starts_on: date, contract: Contract) -> date:
    """A service's deadline: the one on the line (from the PO), else its SKU's consumption
    period from the order's start, else the contract's end."""
    if line.consume_by is not None:
        return line.consume_by
    if version.consumption_months:
        return term_start(starts_on, version.consumption_months) - timedelta(days=1)
    return contract.ends_on


def _subscription(
    order: Order, contract: Contract, line: OrderLine, version: SkuVersion
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
        starts_on=order.starts_on,
        ends_on=line.trial_ends_on if trial else (line.ends_on or contract.ends_on),
    )


def start_subscriptions(uow: UnitOfWork, subscriptions: Iterable[Subscription]) -> int:
    """Start the pending subscriptions whose day has come; returns how many started.

    A paid subscription of a contract that supersedes another replaces the running one of the
    same SKU there: that one ends the day before (re-priced from the new contract's date).
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
    running = uow.session.scalars(
        select(Subscription)
        .join(SkuVersion, SkuVersion.id == Subscription.sku_version_id)
        .where(
            Subscription.contract_id == contract.supersedes_id,
            Subscription.kind == SubscriptionKind.PAID,
            Subscription.status.in_(RUNNING),
            SkuVersion.sku_id == version.sku_id,
        )
        .order_by(Subscription.id)
    ).all()
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
