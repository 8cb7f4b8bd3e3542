"""What the orders screen reads: a finalised contract's orders with their lines, and the
orders waiting for Customer Services to activate them (My day's ORM twin)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from acctmgr.domain.catalogue import SkuKind
from acctmgr.domain.contracts import ContractStatus
from acctmgr.domain.fulfilment import OrderStatus
from acctmgr.domain.roles import Role
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import Account, Contract, Order, OrderLine, Sku, SkuVersion
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT
from acctmgr.services.kernel.permissions import require_segment, segment_filter
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

FINALISED_STATUSES = (ContractStatus.SIGNED, ContractStatus.ACTIVE)
SUBSCRIBED = (SkuKind.SUBSCRIPTION, SkuKind.USAGE)
ORDER_TAKERS = (Role.CUSTOMER_SERVICES,)


class OrderLineView(ReadModel):
    order_line_id: int
    position: int
    quote_line_id: int | None
    sku_code: str | None  # None: outside the catalogue
    kind: SkuKind | None
    description: str
    quantity: int
    list_price_minor: int
    unit_net_minor: int
    net_minor: int
    starts_on: date  # the order's start, or the line's own when later
    trial_ends_on: date | None
    ends_on: date | None
    consume_by: date | None


class OrderView(ReadModel):
    order_id: int
    number: str
    revision: int
    status: OrderStatus
    location: str
    starts_on: date
    version: int
    supersedes_id: int | None
    lines: list[OrderLineView]

    @property
    def net_minor(self) -> int:
        return sum(line.net_minor for line in self.lines)

    @property
    def document_number(self) -> str:
        return document_number_of(self.number, self.revision)


class ContractOrders(ReadModel):
    contract_id: int
    number: str
    account_id: int
    account_name: str
    currency: str
    starts_on: date
    ends_on: date
    finalised: bool
    may_order: bool  # the user is Customer Services, who orders, activates and revises
    orders: list[OrderView]


def document_number_of(number: str, revision: int) -> str:
    """The number the ERP knows an order by, the same in every revision: a revision's own
    number is the first's with ``-2``, ``-3`` after it (order numbers are unique)."""
    return number if revision == 1 else number.rsplit("-", 1)[0]


def may_take_orders(actor: Actor) -> bool:
    """Whether the user orders, activates, revises and cancels orders (Customer Services)."""
    return actor.has(*ORDER_TAKERS)


def require_order_taker(actor: Actor, *, to: str) -> None:
    """PermissionDenied unless the user is Customer Services; ``to`` names the action."""
    if not may_take_orders(actor):
        raise PermissionDenied(f"Only Customer Services can {to}.")


def is_finalised(contract: Contract) -> bool:
    """Signed and finalised (by Customer Services or the retention wizard's signature)."""
    return contract.status in FINALISED_STATUSES and contract.finalised_at is not None


def check_finalised(contract: Contract, what: str) -> None:
    """InvalidInput unless the contract is finalised; ``what`` says what waits for it."""
    if not is_finalised(contract):
        raise InvalidInput(f"Contract {contract.number} is not finalised: {what}.")


def contract_and_account(uow: UnitOfWork, contract_id: int) -> tuple[Contract, Account]:
    """The contract and its account; PermissionDenied for another segment's."""
    contract = uow.get(Contract, contract_id, "contract")
    account = uow.get(Account, contract.account_id, "account")
    require_segment(uow.user, account.segment_id, what="contract")
    return contract, account


def catalogued(
    uow: UnitOfWork, version_ids: Iterable[int | None]
) -> dict[int, tuple[str, SkuKind]]:
    """The SKU code and kind of each SKU version (lines outside the catalogue have none)."""
    wanted = {version_id for version_id in version_ids if version_id is not None}
    return {
        version_id: (code, kind)
        for version_id, code, kind in uow.session.execute(
            select(SkuVersion.id, Sku.code, SkuVersion.kind)
            .join(Sku, Sku.id == SkuVersion.sku_id)
            .where(SkuVersion.id.in_(wanted))
        )
    }


def line_starts_on(order_starts_on: date, line: OrderLine) -> date:
    """An order line's first day: the order's start, or the line's own start when later
    (a line sold from 1 June, ordered with others from 1 January, runs from 1 June)."""
    return max(order_starts_on, line.starts_on or order_starts_on)


def line_views(uow: UnitOfWork, order: Order) -> list[OrderLineView]:
    lines = list(order.lines)
    versions = catalogued(uow, (line.sku_version_id for line in lines))
    return [
        OrderLineView(
            order_line_id=line.id,
            position=line.position,
            quote_line_id=line.quote_line_id,
            sku_code=versions[line.sku_version_id][0] if line.sku_version_id else None,
            kind=versions[line.sku_version_id][1] if line.sku_version_id else None,
            description=line.description,
            quantity=line.quantity,
            list_price_minor=line.list_price_minor,
            unit_net_minor=line.unit_net_minor,
            net_minor=line.net_minor,
            starts_on=line_starts_on(order.starts_on, line),
            trial_ends_on=line.trial_ends_on,
            ends_on=line.ends_on,
            consume_by=line.consume_by,
        )
        for line in lines
    ]


def order_view(uow: UnitOfWork, order: Order) -> OrderView:
    return OrderView(
        order_id=order.id,
        number=order.number,
        revision=order.revision,
        status=order.status,
        location=order.location,
        starts_on=order.starts_on,
        version=order.version,
        supersedes_id=order.supersedes_id,
        lines=line_views(uow, order),
    )


def orders_of(uow: UnitOfWork, contract: Contract, account: Account) -> ContractOrders:
    orders = uow.session.scalars(
        select(Order).where(Order.contract_id == contract.id).order_by(Order.id)
    ).all()
    return ContractOrders(
        contract_id=contract.id,
        number=contract.number,
        account_id=account.id,
        account_name=account.name,
        currency=contract.currency,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        finalised=is_finalised(contract),
        may_order=may_take_orders(uow.user),
        orders=[order_view(uow, order) for order in orders],
    )


@use_case("fulfilment.contract_orders", write=False)
def contract_orders(uow: UnitOfWork, contract_id: int) -> ContractOrders:
    """A contract's orders, each revision with its status and lines, oldest first.

    Raises NotFound for no such contract, PermissionDenied for another segment's.
    """
    contract, account = contract_and_account(uow, contract_id)
    return orders_of(uow, contract, account)


class OrderToActivate(ReadModel):
    order_id: int
    number: str
    contract_id: int
    account_id: int
    account_name: str
    starts_on: date
    version: int


@use_case("fulfilment.orders_to_activate", write=False)
def orders_to_activate(uow: UnitOfWork) -> list[OrderToActivate]:
    """Draft orders in the segments the user sees, the earliest start first (My day's section,
    read with the ORM)."""
    rows = uow.session.execute(
        select(
            Order.id.label("order_id"),
            Order.number,
            Order.contract_id,
            Order.account_id,
            Account.name.label("account_name"),
            Order.starts_on,
            Order.version,
        )
        .join(Account, Account.id == Order.account_id)
        .where(Order.status == OrderStatus.DRAFT, segment_filter(uow.user, Account.segment_id))
        .order_by(Order.starts_on, Order.id)
        .limit(LIST_LIMIT)
    )
    return [OrderToActivate.model_validate(row._mapping) for row in rows]
