"""The orders screen's two forms: a line's delivery (where, from when, a subscription's trial
end), and an activated order's revision (new quantities, a line added, from a date). The
service judges both; its refusal comes back beside the field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from acctmgr.errors import InvalidInput
from acctmgr.screens.dialog import FormDialog
from acctmgr.screens.retention.steps import parse_day
from acctmgr.services.fulfilment import revisions
from acctmgr.services.fulfilment.order_views import ContractOrders, OrderLineView, OrderView
from acctmgr.services.fulfilment.revisions import AddedLineIn, RevisionIn
from acctmgr.services.fulfilment.split import LineDelivery, LineToOrder, SplitPreview
from acctmgr.widgets.form import FormField

DATE = "YYYY-MM-DD"


def typed_day(text: str, field: str) -> date | None:
    """A typed date, or None when left blank; InvalidInput beside ``field`` otherwise."""
    # The retention steps' parser, one sentence for a mistyped date everywhere.
    return parse_day(text, field) if text.strip() else None


def _whole(text: str, field: str, least: int = 1) -> int:
    try:
        number = int(text.strip())
    except ValueError:
        raise InvalidInput("A quantity is a whole number, like 2.", field=field) from None
    if not least <= number <= revisions.MOST:
        lowest = "0 (to remove the line)" if least == 0 else str(least)
        raise InvalidInput(
            f"A quantity is a whole number from {lowest} to {revisions.MOST:,}.", field=field
        )
    return number


LABEL = 21  # the form's label column is 22 wide


def _quantity_label(line: OrderLineView) -> str:
    label = f"{line.position}. {line.sku_code or line.description}"
    return label if len(label) <= LABEL else f"{label[: LABEL - 1]}…"


def delivery_fields(line: LineToOrder) -> list[FormField]:
    fields = [
        FormField("location", "Delivered at", placeholder="blank: as the order"),
        FormField("starts_on", "From", placeholder=DATE),
    ]
    if line.is_subscription:
        fields.append(FormField("trial_ends_on", "Trial ends on", placeholder="blank: no trial"))
    return fields


def line_delivery(values: dict[str, str]) -> LineDelivery:
    """The form as the service takes it; a mistyped or missing date refused beside its field."""
    starts_on = typed_day(values["starts_on"], "starts_on")
    if starts_on is None:
        raise InvalidInput("Say from which date the line is delivered.", field="starts_on")
    trial = typed_day(values.get("trial_ends_on", ""), "trial_ends_on")
    return LineDelivery(location=values["location"], starts_on=starts_on, trial_ends_on=trial)


async def set_delivery(
    host: Any, line: LineToOrder, preview: Callable[[LineDelivery], Awaitable[SplitPreview]]
) -> tuple[LineDelivery, SplitPreview] | None:
    """Where and from when a line to order is delivered, and a subscription's trial end; the
    ``preview`` with the choice judges it at once (a refusal beside its field). None if
    cancelled."""

    async def save(values: dict[str, str]) -> tuple[LineDelivery, SplitPreview]:
        choice = line_delivery(values)
        return choice, await preview(choice)

    result: tuple[LineDelivery, SplitPreview] | None = await host.app.push_screen_wait(
        FormDialog(
            f"Set delivery: line {line.position}",
            delivery_fields(line),
            save,
            # An order has one place: a line's own is kept only in an order of that place.
            intro=f"{line.description}, for these orders only: the accepted quote stays as it "
            "is. Group by location (g) to give a place its own order."
            + (" A trial is free until its end." if line.is_subscription else ""),
            values={
                "location": line.location,
                "starts_on": line.starts_on.isoformat(),
                "trial_ends_on": line.trial_ends_on.isoformat() if line.trial_ends_on else "",
            },
            save_label="Set",
        )
    )
    return result


def revision_fields(order: OrderView) -> list[FormField]:
    return [
        FormField("effective_on", "Effective from", placeholder=DATE),
        *(FormField(f"qty-{line.order_line_id}", _quantity_label(line)) for line in order.lines),
        FormField("sku_code", "Add SKU (code)", placeholder="blank: add none"),
        FormField("add_quantity", "Quantity added"),
        FormField("add_discount", "Discount %"),
    ]


def revision_in(order: OrderView, values: dict[str, str]) -> RevisionIn:
    """The form as the service takes it; a typing mistake refused beside its field."""
    effective = typed_day(values["effective_on"], "effective_on")
    if effective is None:
        raise InvalidInput("Say from which date the revision takes effect.", field="effective_on")
    quantities = {
        line.order_line_id: _whole(
            values[f"qty-{line.order_line_id}"], f"qty-{line.order_line_id}", least=0
        )
        for line in order.lines
    }
    added = []
    if values["sku_code"].strip():
        try:
            discount = Decimal(values["add_discount"].strip() or "0")
        except InvalidOperation:
            raise InvalidInput("A discount is a number, like 10.", field="add_discount") from None
        added.append(
            AddedLineIn(
                sku_code=values["sku_code"],
                quantity=_whole(values["add_quantity"] or "1", "add_quantity"),
                discount_pct=discount,
            )
        )
    return RevisionIn(effective_on=effective, quantities=quantities, added=added)


async def revise(host: Any, order: OrderView, today: date) -> ContractOrders | None:
    """Ask for the revision of an activated order and make it (a draft); None if cancelled."""

    async def save(values: dict[str, str]) -> ContractOrders:
        try:
            made: ContractOrders = await host.run_service(
                revisions.revise_order, order.order_id, order.version, revision_in(order, values)
            )
        except InvalidInput as refusal:
            line = (refusal.field or "").removeprefix("quantities.")
            if line == refusal.field or not line.isdigit():
                raise
            raise InvalidInput(refusal.message, field=f"qty-{line}") from None  # beside it
        return made

    result: ContractOrders | None = await host.app.push_screen_wait(
        FormDialog(
            f"Revise {order.number}",
            revision_fields(order),
            save,
            intro="The order stays as it is; a revision from the date replaces it once "
            "activated. Subscriptions added pay by the day to the contract's end; services "
            "and items their full price. A quantity of 0 removes the line.",
            values={
                "effective_on": max(today, order.starts_on).isoformat(),
                **{f"qty-{line.order_line_id}": str(line.quantity) for line in order.lines},
                "add_quantity": "1",
                "add_discount": "0",
            },
            save_label="Make the revision",
        )
    )
    return result
