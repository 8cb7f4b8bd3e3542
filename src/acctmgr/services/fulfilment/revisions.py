"""A changed activated order is never edited: a new revision supersedes it from a date.

The revision is a draft holding the order's lines with their new quantities and the lines
added, priced from the catalogue in the contract's currency. A subscription it adds is
prorated to the contract's end (net = a year's unit net x quantity x days left, both ends
counted, / 365: a quote's net is a year's, whatever the term) and co-terminated with the
contract; a service or one-off item it adds costs its full price. Activating it (on or
before its effective date) supersedes the old revision: the subscriptions of unchanged lines
run on (now the revision's), those of changed lines end the day before the effective date and
new ones start from it; an unchanged service keeps its entitlement, a changed one gets the new
quantity. A quantity of 0 removes a line from the effective date: its subscription ends the
day before, its entitlement keeps nothing left to deliver (a service already partly delivered
cannot be removed).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from acctmgr.domain.catalogue import SkuKind
from acctmgr.domain.fulfilment import OrderStatus, SubscriptionEnd
from acctmgr.errors import InvalidInput
from acctmgr.models import Contract, Entitlement, Order, OrderLine, Sku, SkuVersion, Subscription
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.fulfilment import provisioning
from acctmgr.services.fulfilment.order_export import document_number, revision_number
from acctmgr.services.fulfilment.order_views import (
    SUBSCRIBED,
    ContractOrders,
    catalogued,
    check_finalised,
    contract_and_account,
    orders_of,
    require_order_taker,
)
from acctmgr.services.kernel.money import line_net, share
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.sales.quotes import Discount, Quantity


class AddedLineIn(BaseModel):
    """A line added from the catalogue: its SKU by code, how many, at what discount."""

    sku_code: SingleLine = Field(max_length=40)
    quantity: Quantity = 1
    discount_pct: Discount = Decimal(0)


MOST = 1_000_000
# A revised line's quantity; 0 removes the line from the effective date.
RevisedQuantity = Annotated[int, Field(ge=0, le=MOST)]


def quantity_field(order_line_id: int) -> str:
    """The field a refusal about one line's quantity is shown beside."""
    return f"quantities.{order_line_id}"


class RevisionIn(BaseModel):
    """What changes from ``effective_on``: new quantities by order line id (0: the line is
    removed), and lines added."""

    effective_on: date
    quantities: dict[int, RevisedQuantity] = Field(default_factory=dict)
    added: list[AddedLineIn] = Field(default_factory=list)


YEAR_DAYS = 365


def prorated(year_minor: int, effective_on: date, ends_on: date) -> int:
    """A year's amount for the days from ``effective_on`` to ``ends_on``, both included."""
    return share(year_minor, (ends_on - effective_on).days + 1, YEAR_DAYS)


def added_cost(kind: SkuKind | None, amount_minor: int, on: date, ends_on: date) -> int:
    """What adding ``amount_minor`` (a year's, for a subscription) costs from ``on``: a
    subscription pays for the days left; a service or one-off item its full price."""
    return prorated(amount_minor, on, ends_on) if kind in SUBSCRIBED else amount_minor


def _revisable(uow: UnitOfWork, order: Order, contract: Contract) -> None:
    if order.status is OrderStatus.DRAFT:
        raise InvalidInput(
            f"Order {order.number} is a draft: cancel it and order its lines again to change it."
        )
    if order.status is not OrderStatus.ACTIVATED:
        raise InvalidInput(f"Order {order.number} is {order.status.value}: revise its latest.")
    check_finalised(contract, "its orders cannot be revised")
    pending = uow.session.scalar(select(Order.number).where(Order.supersedes_id == order.id))
    if pending is not None:
        raise InvalidInput(
            f"Order {order.number} already has a revision, {pending}: activate or cancel it first."
        )


def _check_effective(uow: UnitOfWork, order: Order, contract: Contract, on: date) -> None:
    earliest = max(uow.now.date(), order.starts_on)
    if on < earliest:
        raise InvalidInput(
            f"A revision takes effect on {earliest:%d %b %Y} at the earliest "
            "(today, and not before the order starts).",
            field="effective_on",
        )
    if on >= contract.ends_on:
        raise InvalidInput(
            f"A revision takes effect before the contract ends on {contract.ends_on:%d %b %Y}.",
            field="effective_on",
        )


@use_case("fulfilment.revise_order")
def revise_order(
    uow: UnitOfWork, order_id: int, expected_version: int, data: RevisionIn
) -> ContractOrders:
    """Make the draft revision of an activated order: changed quantities and added lines from
    the effective date, the additions prorated to the contract's end.

    Only Customer Services (PermissionDenied). Refused in a sentence (InvalidInput): an order
    not activated or already revised, a contract not finalised, an effective date in the past,
    before the order starts or from the contract's end, a line not of the order, a SKU unknown,
    that cannot be sold or has no price in the contract's currency, a revision that changes
    nothing. A stale ``expected_version`` is a Conflict.
    """
    require_order_taker(uow.user, to="revise an order")
    old = uow.get(Order, order_id, "order")
    contract, account = contract_and_account(uow, old.contract_id)
    uow.expect_version(old, expected_version, "order")
    _revisable(uow, old, contract)
    _check_effective(uow, old, contract, data.effective_on)
    by_id = {line.id: line for line in old.lines}
    for line_id in data.quantities:
        if line_id not in by_id:
            raise InvalidInput(f"Order line {line_id} is not in order {old.number}.")
    changed = {i: qty for i, qty in data.quantities.items() if qty != by_id[i].quantity}
    if not changed and not data.added:
        raise InvalidInput("Change a quantity or add a line: the revision would change nothing.")
    removed = {i for i, qty in changed.items() if qty == 0}
    for line_id in removed:
        _check_removable(uow, by_id[line_id])
    if len(removed) == len(old.lines) and not data.added:
        raise InvalidInput(
            "A revision keeps at least one line: to stop the whole order, end the contract.",
            field=quantity_field(min(removed)),
        )
    new = Order(
        number=revision_number(document_number(old), old.revision + 1),
        contract_id=old.contract_id,
        account_id=old.account_id,
        revision=old.revision + 1,
        supersedes_id=old.id,
        location=old.location,
        starts_on=data.effective_on,
        status=OrderStatus.DRAFT,
        created_by_id=uow.user.id,
    )
    kinds = {
        i: kind for i, (_, kind) in catalogued(uow, (x.sku_version_id for x in old.lines)).items()
    }
    for line in (x for x in old.lines if x.id not in removed):
        kind = kinds.get(line.sku_version_id or 0)
        new.lines.append(
            _carried(line, kind, changed.get(line.id), data.effective_on, contract, old.starts_on)
        )
    position = max((line.position for line in old.lines), default=0)
    for offset, added in enumerate(data.added, start=1):
        new.lines.append(_added(uow, added, position + offset, data.effective_on, contract))
    # Worded before the insert: a refused flush leaves nothing to read the number from.
    raced = f"Order {old.number} was revised by someone else meanwhile; nothing was saved."
    try:
        uow.add(new)
    except IntegrityError:  # another revision of the same order got in first
        raise InvalidInput(raced) from None
    return orders_of(uow, contract, account)


def _check_removable(uow: UnitOfWork, line: OrderLine) -> None:
    """A service partly delivered cannot be removed: what was delivered is owed."""
    used = uow.session.scalar(
        select(Entitlement.consumed).where(Entitlement.order_line_id == line.id)
    )
    if used:
        raise InvalidInput(
            f"Line {line.position} ({line.description}) cannot be removed: {used} of it was "
            "delivered already; lower its quantity instead.",
            field=quantity_field(line.id),
        )


def _carried(
    line: OrderLine,
    kind: SkuKind | None,
    quantity: int | None,
    on: date,
    contract: Contract,
    since: date,
) -> OrderLine:
    """The revision's copy of a line of the order it revises (``since``: that order's start):
    it keeps the day the line started, and a change costs from the later of the effective date
    and that day."""
    change = 0 if quantity is None else quantity - line.quantity
    first_day = line.starts_on or since
    ends_on = line.ends_on or contract.ends_on
    trial = line.trial_ends_on if line.trial_ends_on and line.trial_ends_on > on else None
    return OrderLine(
        position=line.position,
        quote_line_id=line.quote_line_id,
        sku_version_id=line.sku_version_id,
        description=line.description,
        quantity=line.quantity + change,
        list_price_minor=line.list_price_minor,
        unit_net_minor=line.unit_net_minor,
        net_minor=line.net_minor
        + added_cost(kind, line.unit_net_minor * change, max(on, first_day), ends_on),
        starts_on=first_day,
        trial_ends_on=line.trial_ends_on if change == 0 else trial,
        ends_on=line.ends_on,
        consume_by=line.consume_by,
    )


def _added(
    uow: UnitOfWork, added: AddedLineIn, position: int, on: date, contract: Contract
) -> OrderLine:
    code = added.sku_code.strip().upper()
    sku_id = uow.session.scalar(select(Sku.id).where(Sku.code == code))
    if sku_id is None:
        raise InvalidInput(f"There is no SKU {code} in the catalogue.", field="sku_code")
    version = catalogue.sellable_version(uow, sku_id)
    price = catalogue.list_price(uow, version, contract.currency)
    return OrderLine(
        position=position,
        quote_line_id=None,
        sku_version_id=version.id,
        description=version.name,
        quantity=added.quantity,
        list_price_minor=price,
        unit_net_minor=line_net(price, 1, added.discount_pct),
        net_minor=added_cost(
            version.kind, line_net(price, added.quantity, added.discount_pct), on, contract.ends_on
        ),
        starts_on=None,
        trial_ends_on=None,
        ends_on=contract.ends_on,
        consume_by=None,
    )


def check_still_effective(uow: UnitOfWork, new: Order) -> None:
    """A draft revision activated after its effective date would re-price what has run
    since: InvalidInput, a new revision is made instead."""
    if new.starts_on < uow.now.date():
        raise InvalidInput(
            f"Revision {new.number} was to take effect on {new.starts_on:%d %b %Y}, which has "
            "passed: cancel it and make a new revision.",
            field="effective_on",
        )


def _remove(uow: UnitOfWork, line: OrderLine, last_day: date) -> None:
    """A line the revision removed: its subscriptions end on ``last_day``; its entitlement,
    never used (``_check_removable``), has nothing left to deliver."""
    for subscription in uow.session.scalars(
        select(Subscription).where(
            Subscription.order_line_id == line.id,
            Subscription.status.in_(provisioning.RUNNING),
        )
    ):
        provisioning.end_subscription(subscription, last_day, SubscriptionEnd.REPLACED)
    for entitlement in uow.session.scalars(
        select(Entitlement).where(Entitlement.order_line_id == line.id)
    ):
        entitlement.quantity = entitlement.consumed


def supersede(uow: UnitOfWork, old: Order, new: Order, contract: Contract) -> list[Subscription]:
    """The revision ``new`` takes over from ``old``: unchanged lines' subscriptions and
    entitlements become the revision's; changed subscriptions end the day before it and are
    made again; returns the subscriptions made (pending)."""
    old.status = OrderStatus.SUPERSEDED
    before = {line.position: line for line in old.lines}
    last_day = new.starts_on - timedelta(days=1)
    kept = {line.position for line in new.lines}
    for gone in [line for line in old.lines if line.position not in kept]:
        _check_removable(uow, gone)  # again: a workshop may have been delivered since the draft
        _remove(uow, gone, last_day)
    to_provision: list[OrderLine] = []
    replaced: dict[int, list[Subscription]] = {}
    for line in new.lines:
        was = before.get(line.position)
        if was is None:
            to_provision.append(line)
            continue
        running = list(
            uow.session.scalars(
                select(Subscription).where(
                    Subscription.order_line_id == was.id,
                    Subscription.status.in_(provisioning.RUNNING),
                )
            )
        )
        for entitlement in uow.session.scalars(
            select(Entitlement).where(Entitlement.order_line_id == was.id)
        ):
            entitlement.order_line_id = line.id
            if line.quantity != was.quantity:
                units = entitlement.quantity // was.quantity if was.quantity else 1
                entitlement.quantity = max(entitlement.consumed, line.quantity * units)
        kind = uow.session.scalar(
            select(SkuVersion.kind).where(SkuVersion.id == line.sku_version_id)
        )
        if line.quantity == was.quantity or kind not in SUBSCRIBED:
            for subscription in running:
                subscription.order_line_id = line.id
                subscription.order_id = new.id
            continue
        for subscription in running:
            provisioning.end_subscription(subscription, last_day, SubscriptionEnd.REPLACED)
        replaced[line.position] = running
        to_provision.append(line)
    uow.session.flush()
    made = provisioning.provision(uow, new, contract, to_provision)
    positions = {line.id: line.position for line in new.lines}
    for subscription in made:
        earlier = replaced.get(positions[subscription.order_line_id or 0], [])
        if earlier:
            subscription.replaces_id = earlier[0].id
    return made
