"""The split preview: a finalised contract's quote lines not yet ordered, grouped into the
orders Customer Services is about to create.

One order by default, or one per delivery location, or one per start date (a line's own,
else the contract's). Each proposed order starts on the earliest start of its lines, never
before the contract. Lines marked for later stay out of every order (a partial order) and
can be ordered another day.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from acctmgr.domain.catalogue import SkuKind
from acctmgr.models import Contract, OrderedLine, QuoteLine
from acctmgr.services.fulfilment.order_views import (
    catalogued,
    contract_and_account,
    is_finalised,
)
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case


class SplitBy(enum.StrEnum):
    NONE = "none"  # one order
    LOCATION = "location"
    START = "start"

    @property
    def label(self) -> str:
        return {"none": "One order", "location": "By location", "start": "By start date"}[
            self.value
        ]


class LineToOrder(ReadModel):
    quote_line_id: int
    position: int
    description: str
    sku_code: str | None
    kind: SkuKind | None
    quantity: int
    net_minor: int
    location: str
    starts_on: date  # the line's own start, else the contract's

    @property
    def is_subscription(self) -> bool:
        return self.kind in (SkuKind.SUBSCRIPTION, SkuKind.USAGE)


class ProposedOrder(ReadModel):
    location: str
    starts_on: date
    quote_line_ids: list[int]


class SplitPreview(ReadModel):
    contract_id: int
    number: str
    account_name: str
    currency: str
    starts_on: date
    finalised: bool
    split_by: SplitBy
    lines: list[LineToOrder]  # every line still to be ordered, later ones included
    orders: list[ProposedOrder]
    later: list[int]


def lines_to_order(uow: UnitOfWork, contract: Contract) -> list[QuoteLine]:
    """The contract's quote lines that are in no order yet, in the quote's order."""
    if contract.quote_id is None:
        return []
    ordered = select(OrderedLine.quote_line_id)
    return list(
        uow.session.scalars(
            select(QuoteLine)
            .where(QuoteLine.quote_id == contract.quote_id, QuoteLine.id.not_in(ordered))
            .order_by(QuoteLine.position)
        )
    )


def line_start(line: QuoteLine, contract: Contract) -> date:
    return line.starts_on or contract.starts_on


def propose(
    lines: Iterable[LineToOrder], split_by: SplitBy, contract_starts: date
) -> list[ProposedOrder]:
    """Group the lines into orders, in the order their first line comes."""
    groups: dict[object, list[LineToOrder]] = {}
    for line in lines:
        key: object = {
            SplitBy.NONE: None,
            SplitBy.LOCATION: line.location,
            SplitBy.START: line.starts_on,
        }[split_by]
        groups.setdefault(key, []).append(line)
    proposed = []
    for group in groups.values():
        locations = {line.location for line in group}
        proposed.append(
            ProposedOrder(
                # A group with several locations is delivered "as the lines say".
                location=locations.pop() if len(locations) == 1 else "",
                starts_on=max(contract_starts, min(line.starts_on for line in group)),
                quote_line_ids=[line.quote_line_id for line in group],
            )
        )
    return proposed


@use_case("fulfilment.split_preview", write=False)
def split_preview(
    uow: UnitOfWork,
    contract_id: int,
    split_by: SplitBy = SplitBy.NONE,
    later: Iterable[int] = (),
) -> SplitPreview:
    """The orders a contract's lines not yet ordered would make, split by ``split_by``, with the
    lines in ``later`` left out; nothing is written. A contract not finalised shows its lines
    and no orders (``finalised`` says why).

    Raises NotFound for no such contract, PermissionDenied for another segment's.
    """
    contract, account = contract_and_account(uow, contract_id)
    quote_lines = lines_to_order(uow, contract)
    versions = catalogued(uow, (line.sku_version_id for line in quote_lines))
    lines = [
        LineToOrder(
            quote_line_id=line.id,
            position=line.position,
            description=line.description,
            sku_code=versions.get(line.sku_version_id or 0, (None, None))[0],
            kind=versions.get(line.sku_version_id or 0, (None, None))[1],
            quantity=line.quantity,
            net_minor=line.net_minor,
            location=line.location,
            starts_on=line_start(line, contract),
        )
        for line in quote_lines
    ]
    held = sorted(set(later) & {line.quote_line_id for line in lines})
    finalised = is_finalised(contract)
    ordering = [line for line in lines if line.quote_line_id not in held]
    return SplitPreview(
        contract_id=contract.id,
        number=contract.number,
        account_name=account.name,
        currency=contract.currency,
        starts_on=contract.starts_on,
        finalised=finalised,
        split_by=split_by,
        lines=lines,
        orders=propose(ordering, split_by, contract.starts_on) if finalised else [],
        later=held,
    )
