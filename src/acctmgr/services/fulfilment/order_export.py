"""What the ERP is told of an activated order: its number and revision, the account, the
contract, where and from when it is delivered, and every line with its prices and dates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from acctmgr.domain.catalogue import SkuKind
from acctmgr.domain.records import RecordType
from acctmgr.models import Account, Contract, Order, OrderLine, QuoteLine
from acctmgr.services.fulfilment import erp_queue
from acctmgr.services.fulfilment.order_views import (
    SUBSCRIBED,
    catalogued,
    document_number_of,
    line_starts_on,
)
from acctmgr.services.kernel.unit_of_work import UnitOfWork


def document_number(order: Order) -> str:
    """The number the ERP knows the order by, the same in every revision."""
    return document_number_of(order.number, order.revision)


def revision_number(first_number: str, revision: int) -> str:
    return f"{first_number}-{revision}"


def payload(uow: UnitOfWork, order: Order, contract: Contract) -> dict[str, Any]:
    account = uow.get(Account, order.account_id, "account")
    versions = catalogued(uow, (line.sku_version_id for line in order.lines))
    quoted = dict(
        uow.session.execute(
            select(QuoteLine.id, QuoteLine.net_minor).where(
                QuoteLine.id.in_({line.quote_line_id for line in order.lines})
            )
        ).all()
    )
    return {
        "order_number": document_number(order),
        "revision": order.revision,
        "account": {
            "id": account.id,
            "name": account.name,
            "iseries_number": account.iseries_number,
        },
        "contract_number": contract.number,
        "location": order.location,
        "starts_on": order.starts_on.isoformat(),
        "currency": contract.currency,
        "lines": [
            {
                "position": line.position,
                "sku_code": versions[line.sku_version_id][0] if line.sku_version_id else None,
                "description": line.description,
                "quantity": line.quantity,
                # A line sold from a later day than its order's starts then.
                "starts_on": line_starts_on(order.starts_on, line).isoformat(),
                "prorated": _prorated(line, versions, quoted),
                "list_price_minor": line.list_price_minor,
                "unit_net_minor": line.unit_net_minor,
                "net_minor": line.net_minor,
                "trial_ends_on": line.trial_ends_on.isoformat() if line.trial_ends_on else None,
                "ends_on": line.ends_on.isoformat() if line.ends_on else None,
                "consume_by": line.consume_by.isoformat() if line.consume_by else None,
            }
            for line in order.lines
        ],
    }


def _prorated(
    line: OrderLine, versions: dict[int, tuple[str, SkuKind]], quoted: dict[int, int]
) -> bool:
    """Whether the line's net pays for part of a year: a subscription a revision added, or
    whose quantity it changed, pays for the days to the contract's end (why its net is not
    its unit net x quantity)."""
    kind = versions[line.sku_version_id][1] if line.sku_version_id else None
    if kind not in SUBSCRIBED:
        return False
    return line.quote_line_id is None or line.net_minor != quoted.get(line.quote_line_id)


def queue_order(uow: UnitOfWork, order: Order, contract: Contract, replaces: Order | None) -> None:
    """Queue the order's export at its revision, naming the revision it replaces."""
    number = document_number(order)
    erp_queue.queue_export(
        uow,
        RecordType.ORDER,
        order.id,
        number,
        order.revision,
        payload(uow, order, contract),
        replaces_key=(
            erp_queue.export_key(RecordType.ORDER, number, replaces.revision)
            if replaces is not None
            else None
        ),
    )
