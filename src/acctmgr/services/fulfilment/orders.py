"""Customer Services orders a finalised contract: the orders confirmed from the split
preview, each a draft until it is activated; an activated order is locked.

A quote line is ordered once: its ``OrderedLine`` row is its primary key, so two people
ordering the same line at once cannot both succeed (the loser is told so in a sentence). A
draft can be cancelled, and its lines ordered again. Activating an order starts what it sells
(``provisioning``) and queues its ERP export, in one transaction.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from acctmgr.domain.fulfilment import OrderStatus
from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import Contract, Order, OrderedLine, OrderLine, QuoteLine, SkuVersion
from acctmgr.services.fulfilment import order_export, provisioning, revisions
from acctmgr.services.fulfilment.order_views import (
    ContractOrders,
    check_finalised,
    contract_and_account,
    orders_of,
    require_order_taker,
)
from acctmgr.services.fulfilment.split import (
    SplitPreview,
    check_start,
    check_trial,
    line_name,
    lines_to_order,
)
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.money import share
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

RACED = (
    "A line of this contract was ordered by someone else meanwhile; "
    "nothing was saved: reload the contract's orders."
)


class OrderIn(BaseModel):
    """One order as confirmed from the preview: where, from when, which quote lines, the
    trial end of any subscription line that starts as a trial, and the start Customer
    Services chose for a line (else its quote line's own)."""

    location: SingleLine = Field(default="", max_length=200)
    starts_on: date
    quote_line_ids: list[int]
    trial_ends_on: dict[int, date] = Field(default_factory=dict)  # by quote line id
    line_starts: dict[int, date] = Field(default_factory=dict)  # by quote line id


class OrdersIn(BaseModel):
    orders: list[OrderIn]
    later: list[int] = Field(default_factory=list)  # quote line ids left to order later

    @classmethod
    def as_previewed(cls, preview: SplitPreview) -> OrdersIn:
        """The preview's orders confirmed as they stand, with each line's chosen start and
        trial end."""
        by_id = {line.quote_line_id: line for line in preview.lines}
        orders = []
        for proposed in preview.orders:
            lines = [by_id[i] for i in proposed.quote_line_ids]
            orders.append(
                OrderIn(
                    location=proposed.location,
                    starts_on=proposed.starts_on,
                    quote_line_ids=proposed.quote_line_ids,
                    trial_ends_on={
                        line.quote_line_id: line.trial_ends_on
                        for line in lines
                        if line.trial_ends_on is not None
                    },
                    line_starts={
                        line.quote_line_id: line.starts_on for line in lines if line.chosen
                    },
                )
            )
        return cls(orders=orders, later=preview.later)


def _line_name(line: QuoteLine) -> str:
    return f"Line {line.position} ({line.description})"


def _own_start(line: QuoteLine, order_in: OrderIn) -> date | None:
    return order_in.line_starts.get(line.id, line.starts_on)


def place_orders(uow: UnitOfWork, contract: Contract, data: OrdersIn) -> list[Order]:
    """Write the draft orders of ``data`` for the contract (the rules in ``create_orders``)."""
    check_finalised(contract, "finalise it before ordering its lines")
    pending = {line.id: line for line in lines_to_order(uow, contract)}
    placed = Counter([*(i for order in data.orders for i in order.quote_line_ids), *data.later])
    for line_id, times in placed.items():
        if line_id not in pending:
            raise InvalidInput(_not_to_order(uow, contract, line_id), field="orders")
        if times > 1:
            raise InvalidInput(
                f"{_line_name(pending[line_id])} is in two orders (or in one and also left "
                "for later): put it in one.",
                field="orders",
            )
    for line in pending.values():
        if line.id not in placed:
            raise InvalidInput(
                f"{_line_name(line)} is in no order: put it in one or leave it for later.",
                field="orders",
            )
    if not data.orders:
        raise InvalidInput("Put at least one line in an order.", field="orders")
    for order_in in data.orders:
        _check_order(uow, contract, order_in, pending)
    try:  # each order's insert flushes the ordered lines of the one before
        made = [_place(uow, contract, order_in, pending) for order_in in data.orders]
        uow.session.flush()
    except IntegrityError:
        raise InvalidInput(RACED, field="orders") from None
    return made


def _not_to_order(uow: UnitOfWork, contract: Contract, line_id: int) -> str:
    line = uow.session.get(QuoteLine, line_id)
    if line is None or line.quote_id != contract.quote_id:
        return f"Quote line {line_id} is not one of contract {contract.number}'s lines."
    order = uow.session.scalar(
        select(Order.number)
        .join(OrderedLine, OrderedLine.order_id == Order.id)
        .where(OrderedLine.quote_line_id == line_id)
    )
    return f"{_line_name(line)} is already ordered in {order}."


def _check_order(
    uow: UnitOfWork, contract: Contract, order_in: OrderIn, pending: dict[int, QuoteLine]
) -> None:
    if not order_in.quote_line_ids:
        raise InvalidInput("An order needs at least one line.", field="orders")
    if order_in.starts_on < contract.starts_on:
        raise InvalidInput(
            f"An order cannot start before its contract, on {contract.starts_on:%d %b %Y}.",
            field="starts_on",
        )
    if order_in.starts_on > contract.ends_on:
        raise InvalidInput(
            f"An order cannot start after its contract ends, on {contract.ends_on:%d %b %Y}.",
            field="starts_on",
        )
    for line_id, own in order_in.line_starts.items():
        if line_id not in order_in.quote_line_ids:
            raise InvalidInput(
                f"Quote line {line_id} is not in this order: it cannot start here.",
                field="starts_on",
            )
        check_start(own, contract)
    for line_id, trial_end in order_in.trial_ends_on.items():
        line = pending.get(line_id)
        if line is None or line_id not in order_in.quote_line_ids:
            raise InvalidInput(
                f"Quote line {line_id} is not in this order: its trial cannot end here.",
                field="trial_ends_on",
            )
        version = uow.session.get(SkuVersion, line.sku_version_id or 0)
        # The line runs from its own start when later than the order's (provisioning's rule).
        starts_on = max(order_in.starts_on, _own_start(line, order_in) or order_in.starts_on)
        check_trial(
            line_name(line.position, line.description),
            version.kind if version else None,
            trial_end,
            starts_on,
            contract,
        )


def _place(
    uow: UnitOfWork, contract: Contract, order_in: OrderIn, pending: dict[int, QuoteLine]
) -> Order:
    order = uow.add_numbered(
        Order(
            contract_id=contract.id,
            account_id=contract.account_id,
            revision=1,
            location=order_in.location.strip(),
            starts_on=order_in.starts_on,
            status=OrderStatus.DRAFT,
            created_by_id=uow.user.id,
        ),
        "SO",
        6,
    )
    for position, line_id in enumerate(order_in.quote_line_ids, start=1):
        line = pending[line_id]
        order.lines.append(
            OrderLine(
                position=position,
                quote_line_id=line.id,
                sku_version_id=line.sku_version_id,
                description=line.description,
                quantity=line.quantity,
                list_price_minor=line.list_price_minor,
                # The quote's net is for the term's year; a unit of it is what a revision adds.
                unit_net_minor=share(line.net_minor, 1, line.quantity) if line.quantity else 0,
                net_minor=line.net_minor,
                starts_on=_own_start(line, order_in),
                trial_ends_on=order_in.trial_ends_on.get(line.id),
                ends_on=contract.ends_on,
                consume_by=line.consume_by,
            )
        )
        uow.session.add(OrderedLine(quote_line_id=line.id, order_id=order.id))
    return order


@use_case("fulfilment.create_orders")
def create_orders(uow: UnitOfWork, contract_id: int, data: OrdersIn) -> ContractOrders:
    """Create the draft orders confirmed from the split preview; returns the contract's orders.

    Only Customer Services orders (PermissionDenied). Refused in one sentence (InvalidInput),
    nothing saved: a contract not finalised; a line to order left in no order and not for
    later, or put in two; an order without lines, starting before the contract or after its
    end; a trial end on a line that is not a subscription of that order, not after the line
    starts or after the contract ends; a line already ordered, by someone else meanwhile too.
    """
    require_order_taker(uow.user, to="order a contract's lines")
    contract, account = contract_and_account(uow, contract_id)
    place_orders(uow, contract, data)
    return orders_of(uow, contract, account)


def editable_order(uow: UnitOfWork, order_id: int, expected_version: int) -> Order:
    """The order, still a draft, at the version the user saw; else a sentence (or Conflict)."""
    order = uow.get(Order, order_id, "order")
    contract_and_account(uow, order.contract_id)
    uow.expect_version(order, expected_version, "order")
    if order.status is OrderStatus.ACTIVATED:
        raise InvalidInput(f"Order {order.number} is activated and locked: revise it to change it.")
    if order.status is not OrderStatus.DRAFT:
        raise InvalidInput(f"Order {order.number} is {order.status.value} and cannot change.")
    return order


@use_case("fulfilment.cancel_order")
def cancel_order(uow: UnitOfWork, order_id: int, expected_version: int) -> ContractOrders:
    """Cancel a draft order; its quote lines can be ordered again. A draft revision is taken
    away instead (it was never activated nor told to the ERP), so the order can be revised
    again.

    Only Customer Services (PermissionDenied); an activated order is locked (InvalidInput); a
    stale ``expected_version`` is a Conflict.
    """
    require_order_taker(uow.user, to="cancel an order")
    order = editable_order(uow, order_id, expected_version)
    contract, account = contract_and_account(uow, order.contract_id)
    if order.supersedes_id is not None:
        uow.session.delete(order)
    else:
        order.status = OrderStatus.CANCELLED
        released = list(
            uow.session.scalars(
                select(OrderedLine.quote_line_id).where(OrderedLine.order_id == order.id)
            )
        )
        uow.session.execute(delete(OrderedLine).where(OrderedLine.order_id == order.id))
        # A set-based delete is not seen by the flush listener: the order's trail says it.
        audit.record(
            uow,
            RecordType.ORDER,
            order.id,
            "released_lines",
            {"quote_line_ids": sorted(released)},
        )
    uow.session.flush()
    return orders_of(uow, contract, account)


def activate(uow: UnitOfWork, order: Order, contract: Contract) -> None:
    """Activate a draft order: provision what it sells, start what starts today or earlier,
    queue its export; a revision supersedes the order it revises."""
    check_finalised(contract, "its orders cannot be activated")
    old = uow.session.get(Order, order.supersedes_id) if order.supersedes_id else None
    if old is not None:
        revisions.check_still_effective(uow, order)
    order.status = OrderStatus.ACTIVATED
    order.activated_by_id = uow.user.id
    order.activated_at = uow.now
    if old is not None:
        made = revisions.supersede(uow, old, order, contract)
    else:
        made = provisioning.provision(uow, order, contract)
    provisioning.start_subscriptions(uow, made)
    order_export.queue_order(uow, order, contract, old)


@use_case("fulfilment.activate_order")
def activate_order(uow: UnitOfWork, order_id: int, expected_version: int) -> ContractOrders:
    """Activate a draft order: its subscriptions wait for its start date (those starting today
    or earlier start now), its services become entitlements with their deadline, and its
    export to the ERP is queued in this transaction. A revision supersedes the order it
    revises (``revisions``). Once activated, the order is locked.

    Only Customer Services (PermissionDenied); refused in a sentence (InvalidInput) for an
    order not a draft, a contract not finalised or a revision whose effective date has passed
    (make a new one: activating it would re-price what has run since); a stale
    ``expected_version`` is a Conflict.
    """
    require_order_taker(uow.user, to="activate an order")
    order = editable_order(uow, order_id, expected_version)
    contract, account = contract_and_account(uow, order.contract_id)
    activate(uow, order, contract)
    return orders_of(uow, contract, account)


def fulfil_signed(uow: UnitOfWork, contract: Contract) -> Order | None:
    """The one order of a contract signed without Customer Services (the retention wizard's),
    made of all its lines from its start and activated at once; None when nothing is left to
    order."""
    lines = lines_to_order(uow, contract)
    if not lines:
        return None
    whole = OrderIn(starts_on=contract.starts_on, quote_line_ids=[line.id for line in lines])
    (order,) = place_orders(uow, contract, OrdersIn(orders=[whole]))
    activate(uow, order, contract)
    return order
