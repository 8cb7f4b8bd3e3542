"""The split preview: a finalised contract's quote lines not yet ordered, grouped into the
orders Customer Services is about to create.

One order by default, or one per delivery location, or one per start date (a line's own,
else the contract's). Each proposed order starts on the earliest start of its lines, never
before the contract. Lines marked for later stay out of every order (a partial order) and
can be ordered another day. Customer Services may choose a line's delivery (where, from
when, a trial's end) for these orders without changing the accepted quote.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import select

from acctmgr.domain.catalogue import SkuKind
from acctmgr.errors import InvalidInput
from acctmgr.models import Contract, OrderedLine, QuoteLine
from acctmgr.services.fulfilment.order_views import (
    SUBSCRIBED,
    catalogued,
    contract_and_account,
    is_finalised,
)
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text_fields import SingleLine
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


class LineDelivery(BaseModel):
    """Customer Services' choice for one line of these orders: where it is delivered, from
    when, and (a subscription) the end of the free trial it starts with."""

    location: SingleLine = Field(default="", max_length=200)
    starts_on: date
    trial_ends_on: date | None = None


class LineToOrder(ReadModel):
    quote_line_id: int
    position: int
    description: str
    sku_code: str | None
    kind: SkuKind | None
    quantity: int
    net_minor: int
    location: str
    starts_on: date  # as chosen, else the line's own start, else the contract's
    trial_ends_on: date | None = None
    chosen: bool = False  # Customer Services chose its delivery (LineDelivery)

    @property
    def is_subscription(self) -> bool:
        return self.kind in SUBSCRIBED


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


def check_start(on: date, contract: Contract, field: str = "starts_on") -> None:
    """A line or order is delivered within its contract; else one sentence beside ``field``."""
    if on < contract.starts_on:
        raise InvalidInput(
            f"Delivery cannot start before the contract, on {contract.starts_on:%d %b %Y}.",
            field=field,
        )
    if on > contract.ends_on:
        raise InvalidInput(
            f"Delivery cannot start after the contract ends, on {contract.ends_on:%d %b %Y}.",
            field=field,
        )


def check_trial(
    name: str, kind: SkuKind | None, trial_end: date, starts_on: date, contract: Contract
) -> None:
    """A trial belongs to a subscription and ends after it starts, by the contract's end;
    ``name`` is the line's ("line 1 (Platform)")."""
    if kind not in SUBSCRIBED:
        raise InvalidInput(
            f"{name[:1].upper()}{name[1:]} is not a subscription: only a subscription has a trial.",
            field="trial_ends_on",
        )
    if trial_end <= starts_on:
        raise InvalidInput(
            f"The trial of {name} must end after the line starts, on {starts_on:%d %b %Y}.",
            field="trial_ends_on",
        )
    if trial_end > contract.ends_on:
        raise InvalidInput(
            f"The trial of {name} must end by the contract's end, on {contract.ends_on:%d %b %Y}.",
            field="trial_ends_on",
        )


def line_name(position: int, description: str) -> str:
    return f"line {position} ({description})"


def _chosen(line: LineToOrder, choice: LineDelivery | None, contract: Contract) -> LineToOrder:
    """The line as Customer Services chose to deliver it, refused in a sentence if it cannot."""
    if choice is None:
        return line
    check_start(choice.starts_on, contract)
    if choice.trial_ends_on is not None:
        name = line_name(line.position, line.description)
        check_trial(name, line.kind, choice.trial_ends_on, choice.starts_on, contract)
    return line.model_copy(
        update={
            "location": choice.location.strip(),
            "starts_on": choice.starts_on,
            "trial_ends_on": choice.trial_ends_on,
            "chosen": True,
        }
    )


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
    delivery: Mapping[int, LineDelivery] | None = None,
) -> SplitPreview:
    """The orders a contract's lines not yet ordered would make, split by ``split_by``, with the
    lines in ``later`` left out and each line of ``delivery`` (by quote line id) delivered as
    chosen there; nothing is written. A contract not finalised shows its lines and no orders
    (``finalised`` says why).

    Raises NotFound for no such contract, PermissionDenied for another segment's;
    InvalidInput in a sentence beside its field for a chosen start outside the contract, or a
    trial on a line that is not a subscription, not ending after the line starts or after the
    contract's end.
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
    chosen = delivery or {}
    lines = [_chosen(line, chosen.get(line.quote_line_id), contract) for line in lines]
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
