"""What a customer is entitled to on a date: the subscriptions running that day and the services
still to consume, whatever orders, revisions and contracts they came from.

Seed 002: "service teams know which entitlements belong to each customer at any time, even as
they change over time because of split orders". Nothing is stored per date: a subscription's
[starts_on, ends_on] and an entitlement's [starts_on, consume_by] answer for any day, because a
re-priced subscription ends the day before its successor starts (``provisioning``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select

from acctmgr.domain.contracts import SubscriptionKind, SubscriptionStatus
from acctmgr.models import (
    Account,
    Contract,
    Entitlement,
    EntitlementUse,
    Order,
    OrderLine,
    Sku,
    SkuVersion,
    Subscription,
)
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case


class SubscriptionOnDate(ReadModel):
    id: int
    sku_code: str
    product: str
    kind: SubscriptionKind  # a trial (test) or paid
    status: SubscriptionStatus  # as stored today: a future date's may still be pending
    quantity: int
    net_price_minor: int  # a unit, a year
    currency: str
    starts_on: date
    ends_on: date | None
    contract_number: str | None
    order_number: str | None
    version: int

    @property
    def trial(self) -> bool:
        return self.kind is SubscriptionKind.TEST


class ServiceOnDate(ReadModel):
    id: int
    sku_code: str
    product: str
    quantity: int
    used: int  # delivered by the date
    left: int
    starts_on: date
    consume_by: date | None
    contract_number: str | None
    order_number: str | None
    version: int


class EntitledOn(ReadModel):
    account_id: int
    account_name: str
    on: date
    subscriptions: list[SubscriptionOnDate]
    services: list[ServiceOnDate]


@use_case("fulfilment.entitled_on", write=False)
def entitled_on(uow: UnitOfWork, account_id: int, on: date) -> EntitledOn:
    """The account's subscriptions whose [start, end] covers ``on`` (cancelled ones never ran;
    pending ones count from their start, so a future date shows what will run), and its
    services whose [start, deadline] covers it, with what was used by that day and what is left.

    Raises NotFound for an unknown account, PermissionDenied for another segment's.
    """
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    return EntitledOn(
        account_id=account_id,
        account_name=account.name,
        on=on,
        subscriptions=_subscriptions(uow, account_id, on),
        services=_services(uow, account_id, on),
    )


def _subscriptions(uow: UnitOfWork, account_id: int, on: date) -> list[SubscriptionOnDate]:
    rows = uow.session.execute(
        select(
            Subscription.id,
            Sku.code.label("sku_code"),
            SkuVersion.name.label("product"),
            Subscription.kind,
            Subscription.status,
            Subscription.quantity,
            Subscription.net_price_minor,
            Subscription.currency,
            Subscription.starts_on,
            Subscription.ends_on,
            Contract.number.label("contract_number"),
            Order.number.label("order_number"),
            Subscription.version,
        )
        .join(SkuVersion, SkuVersion.id == Subscription.sku_version_id)
        .join(Sku, Sku.id == SkuVersion.sku_id)
        .outerjoin(Contract, Contract.id == Subscription.contract_id)
        .outerjoin(Order, Order.id == Subscription.order_id)
        .where(
            Subscription.account_id == account_id,
            Subscription.starts_on <= on,
            or_(Subscription.ends_on.is_(None), Subscription.ends_on >= on),
            Subscription.status != SubscriptionStatus.CANCELLED,
        )
        .order_by(Sku.code, Subscription.starts_on, Subscription.id)
    )
    return [SubscriptionOnDate.model_validate(row._mapping) for row in rows]


def _services(uow: UnitOfWork, account_id: int, on: date) -> list[ServiceOnDate]:
    # Used by the day = consumed now less what was delivered after it: the demo's history
    # (and any entitlement older than its uses) has a consumed figure without use rows.
    later = (
        select(EntitlementUse.entitlement_id, func.sum(EntitlementUse.quantity).label("quantity"))
        .join(Entitlement, Entitlement.id == EntitlementUse.entitlement_id)
        .where(Entitlement.account_id == account_id, EntitlementUse.delivered_on > on)
        .group_by(EntitlementUse.entitlement_id)
        .subquery("later")
    )
    used = Entitlement.consumed - func.coalesce(later.c.quantity, 0)
    rows = uow.session.execute(
        select(
            Entitlement.id,
            Sku.code.label("sku_code"),
            SkuVersion.name.label("product"),
            Entitlement.quantity,
            used.label("used"),
            (Entitlement.quantity - used).label("left"),
            Entitlement.starts_on,
            Entitlement.consume_by,
            Contract.number.label("contract_number"),
            Order.number.label("order_number"),
            Entitlement.version,
        )
        .join(SkuVersion, SkuVersion.id == Entitlement.sku_version_id)
        .join(Sku, Sku.id == SkuVersion.sku_id)
        .outerjoin(Contract, Contract.id == Entitlement.contract_id)
        .outerjoin(OrderLine, OrderLine.id == Entitlement.order_line_id)
        .outerjoin(Order, Order.id == OrderLine.order_id)
        .outerjoin(later, later.c.entitlement_id == Entitlement.id)
        .where(
            Entitlement.account_id == account_id,
            Entitlement.starts_on <= on,
            or_(Entitlement.consume_by.is_(None), Entitlement.consume_by >= on),
        )
        .order_by(Entitlement.consume_by, Sku.code, Entitlement.id)
    )
    return [ServiceOnDate.model_validate(row._mapping) for row in rows]
