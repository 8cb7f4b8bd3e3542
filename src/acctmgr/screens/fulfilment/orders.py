"""A contract's orders: the split preview of its lines still to order, and its orders with
their status and lines, activated, revised or cancelled from here.

The preview is the service's (``fulfilment.split_preview``): this screen keeps only what the
user chose (how to split, the lines for later, each line's delivery) and asks again on each
change. Only Customer Services acts here; anyone else sees the keys to act hidden.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from acctmgr.domain.fulfilment import OrderStatus
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.screens.fulfilment import order_dialogs
from acctmgr.services.fulfilment import order_views, orders, split
from acctmgr.services.fulfilment.order_views import ContractOrders, OrderView
from acctmgr.services.fulfilment.orders import OrdersIn
from acctmgr.services.fulfilment.split import LineDelivery, SplitBy, SplitPreview
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.text import content, day, money, plain

SPLITS = tuple(SplitBy)
LATER = "later"
# What only Customer Services may do here: hidden from anyone else (the service refuses them).
ORDERING = ("split", "later", "set_delivery", "create")
ON_ORDERS = ("activate", "activate_all", "revise", "cancel_draft")


class OrdersTable(RecordTable):
    """A table of this screen, whose Enter is the screen's to give (or not to offer)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return False if action == "select" else super().check_action(action, parameters)


class OrdersScreen(AcctmgrScreen):
    """Above, the lines still to order, each with the proposed order it goes in; below, the
    contract's orders, each followed by its lines."""

    TITLE = "Orders"
    DEFAULT_CSS = """
    OrdersScreen #orders-heading { height: 1; padding: 0 1; text-style: bold; }
    OrdersScreen .orders-title { height: 1; color: $text-muted; padding: 0 1; }
    OrdersScreen #to-order-table { height: 1fr; }
    OrdersScreen #orders-table { height: 2fr; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("g", "split", "Group by", tooltip="One order, by location, by start date"),
        Binding("l", "later", "Later", tooltip="Order the line another day (again: order it now)"),
        Binding("k", "set_delivery", "Set delivery", tooltip="Where, from when, a trial's end"),
        # The same as k, shown once in the footer (it shows an action once, at its first key).
        Binding("enter", "set_delivery", "Set delivery"),
        Binding("ctrl+s", "create", "Create orders", priority=True),
        Binding("A", "activate", "Activate", tooltip="Start the highlighted draft order"),
        Binding("D", "activate_all", "Activate all drafts", tooltip="Every draft of the contract"),
        Binding("e", "revise", "Edit (revise)", tooltip="A new revision of an activated order"),
        # Not Ctrl+D, which deletes elsewhere: a cancelled order stays listed.
        Binding("C", "cancel_draft", "Cancel draft", tooltip="Its lines can be ordered again"),
        Binding("f5", "refresh", "Refresh", show=False),
    ]

    def __init__(self, contract_id: int) -> None:
        super().__init__()
        self.contract_id = contract_id
        self.split_by = SplitBy.NONE
        self.later: set[int] = set()
        self.delivery: dict[int, LineDelivery] = {}
        self.preview: SplitPreview | None = None
        self.contract: ContractOrders | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="orders-heading")
        yield Static("To order", id="to-order-title", classes="orders-title")
        yield OrdersTable(
            ("#", 2),
            "Line",
            ("Location", 10),
            ("Starts", 11),
            ("Order", 6),
            ("Trial ends", 11),
            id="to-order-table",
        )
        yield Static("Orders", classes="orders-title")
        yield OrdersTable(
            ("Order", 11),
            "Status or line",
            ("Location", 10),
            ("Starts", 11),
            ("Net", 14),
            id="orders-table",
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#to-order-table", RecordTable).focus()
        self.load()

    @work(exclusive=True, group="orders-load")
    async def load(self) -> None:
        preview = await self.call(
            split.split_preview,
            self.contract_id,
            self.split_by,
            sorted(self.later),
            self.delivery,
        )
        listed = await self.call(order_views.contract_orders, self.contract_id)
        if preview is None or listed is None:
            return
        self.show(preview, listed)

    def show(self, preview: SplitPreview, listed: ContractOrders) -> None:
        self.preview, self.contract = preview, listed
        self.sub_title = listed.account_name
        state = "" if listed.finalised else " · not finalised: nothing can be ordered yet"
        self.query_one("#orders-heading", Static).update(
            content(
                f"{listed.number} · {listed.starts_on:%d %b %Y} to {listed.ends_on:%d %b %Y} · "
                f"Preview: {preview.split_by.label.lower()}{state}"
            )
        )
        self.query_one("#to-order-title", Static).update(to_order_title(preview, listed))
        to_order = self.query_one("#to-order-table", RecordTable)
        to_order.show(self._line_rows(preview))
        self.query_one("#orders-table", RecordTable).show(self._order_rows(listed))
        if not preview.lines and to_order.has_focus:
            self._focus_orders()  # an empty table would hold the keys meant for the orders
        self.refresh_bindings()

    def _focus_orders(self) -> None:
        self.query_one("#orders-table", RecordTable).focus()

    def _line_rows(self, preview: SplitPreview) -> list[Row]:
        in_order = {
            line_id: str(number)
            for number, order in enumerate(preview.orders, start=1)
            for line_id in order.quote_line_ids
        }
        return [
            (
                str(line.quote_line_id),
                [
                    plain(line.position),
                    plain(line.description),
                    plain(line.location),
                    plain(day(line.starts_on)),
                    plain(in_order.get(line.quote_line_id, LATER)),
                    plain(day(line.trial_ends_on)),
                ],
            )
            for line in preview.lines
        ]

    def _order_rows(self, listed: ContractOrders) -> list[Row]:
        rows: list[Row] = []
        for order in listed.orders:
            rows.append(
                (
                    f"order-{order.order_id}",
                    [
                        # The ERP's number, the same in every revision: an 80-column
                        # table has no room for "SO-000001-2", and the status says which.
                        plain(order.document_number, "bold"),
                        plain(_status(order)),
                        plain(order.location),
                        plain(day(order.starts_on)),
                        money(order.net_minor, listed.currency),
                    ],
                )
            )
            rows.extend(
                (
                    f"line-{order.order_id}-{line.order_line_id}",
                    [
                        "",
                        plain(
                            f"{line.quantity} x {line.description}"
                            + (
                                f", trial to {day(line.trial_ends_on)}"
                                if line.trial_ends_on
                                else ""
                            )
                        ),
                        "",
                        # A line sold from a later day than its order's starts then.
                        plain(day(line.starts_on) if line.starts_on > order.starts_on else ""),
                        money(line.net_minor, listed.currency),
                    ],
                )
                for line in order.lines
            )
        return rows

    def selected_order(self) -> OrderView | None:
        """The order of the highlighted row (the order itself or one of its lines)."""
        key = self.query_one("#orders-table", RecordTable).selected_key or ""
        parts = key.split("-")
        if self.contract is None or len(parts) < 2 or not parts[1].isdigit():
            return None
        return next((o for o in self.contract.orders if o.order_id == int(parts[1])), None)

    def _selected_line(self) -> int | None:
        key = self.query_one("#to-order-table", RecordTable).selected_key
        return int(key) if key and key.isdigit() else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        listed = self.contract
        if listed is None or not listed.may_order:
            return action not in (*ORDERING, *ON_ORDERS)
        if action in ORDERING:
            to_order = listed.finalised and self.preview is not None and bool(self.preview.lines)
            if action == "set_delivery":  # Enter too: only on a line to order
                return to_order and self._to_order_table().has_focus
            return to_order
        if action in ON_ORDERS:
            if action != "cancel_draft" and not listed.finalised:
                return False  # activating and revising wait for the contract's finalising
            wanted = OrderStatus.ACTIVATED if action == "revise" else OrderStatus.DRAFT
            return any(order.status is wanted for order in listed.orders)
        return True

    def _to_order_table(self) -> RecordTable:
        return self.query_one("#to-order-table", RecordTable)

    def action_split(self) -> None:
        self.split_by = SPLITS[(SPLITS.index(self.split_by) + 1) % len(SPLITS)]
        self.load()

    def action_later(self) -> None:
        line_id = self._selected_line()
        if line_id is not None:
            self.later ^= {line_id}
            self.load()

    @work(exclusive=True, group="orders-change")
    async def action_set_delivery(self) -> None:
        line_id = self._selected_line()
        line = next(
            (x for x in (self.preview.lines if self.preview else []) if x.quote_line_id == line_id),
            None,
        )
        if line is None:
            return

        async def preview(choice: LineDelivery) -> SplitPreview:
            judged: SplitPreview = await self.run_service(
                split.split_preview,
                self.contract_id,
                self.split_by,
                sorted(self.later),
                {**self.delivery, line.quote_line_id: choice},
            )
            return judged

        answer = await order_dialogs.set_delivery(self, line, preview)
        if answer is None:
            return
        self.delivery[line.quote_line_id], shown = answer
        if self.contract is not None:
            self.show(shown, self.contract)

    @work(exclusive=True, group="orders-change")
    async def action_create(self) -> None:
        preview = self.preview
        if preview is None:
            return
        made = await self.call(
            orders.create_orders, self.contract_id, OrdersIn.as_previewed(preview)
        )
        if made is None:
            return
        self.delivery.clear()
        self.later.clear()
        self._focus_orders()  # what comes next is activating them
        count = len(preview.orders)
        self.notify(
            f"{counted(count, 'draft order')} made; activate "
            f"{'each' if count > 1 else 'it'} when it is right."
        )
        self.load()

    @work(exclusive=True, group="orders-change")
    async def action_activate(self) -> None:
        order = self.selected_order()
        if order is None or order.status is not OrderStatus.DRAFT:
            self.notify("Highlight a draft order to activate it.", severity="warning")
            return
        if self._passed(order):
            return
        question = f"Activate {order.number}?"
        detail = (
            f"From {order.starts_on:%d %b %Y} its subscriptions run and its services are "
            "entitled; the ERP is told. It is locked once activated."
        )
        if not await self.app.push_screen_wait(ConfirmScreen(question, detail)):
            return
        if await self.call(orders.activate_order, order.order_id, order.version) is not None:
            self.notify(f"{order.number} is activated.")
        self.load()

    @work(exclusive=True, group="orders-change")
    async def action_revise(self) -> None:
        order = self.selected_order()
        if order is None or order.status is not OrderStatus.ACTIVATED:
            self.notify("Highlight an activated order to revise it.", severity="warning")
            return
        made = await order_dialogs.revise(self, order, self.context.clock.today())
        if made is not None:
            self.notify(f"A draft revision of {order.number} is made; activate it to apply it.")
        self.load()

    @work(exclusive=True, group="orders-change")
    async def action_cancel_draft(self) -> None:
        order = self.selected_order()
        if order is None or order.status is not OrderStatus.DRAFT:
            self.notify("Highlight a draft order to cancel it.", severity="warning")
            return
        question = ConfirmScreen(
            f"Cancel {order.number}?",
            "It stays listed as cancelled; its lines go back to the lines to order, to be "
            "ordered again.",
        )
        if not await self.app.push_screen_wait(question):
            return
        if await self.call(orders.cancel_order, order.order_id, order.version) is not None:
            self.notify(f"{order.number} is cancelled; its lines can be ordered again.")
        self.load()

    @work(exclusive=True, group="orders-change")
    async def action_activate_all(self) -> None:
        drafts = [o for o in (self.contract.orders if self.contract else []) if _draft(o)]
        if not drafts or any(self._passed(order) for order in drafts):
            return
        question = f"Activate the {counted(len(drafts), 'draft order')} of this contract?"
        detail = (
            "Each starts on its day: its subscriptions run and its services are entitled; the "
            "ERP is told. One at a time: one refused leaves the others activated."
        )
        if not await self.app.push_screen_wait(ConfirmScreen(question, detail)):
            return
        done = 0
        for order in drafts:
            if await self.call(orders.activate_order, order.order_id, order.version) is None:
                break  # its refusal is shown; the ones before it stay activated
            done += 1
        if done:
            self.notify(f"{counted(done, 'order')} activated.")
        self.load()

    def _passed(self, order: OrderView) -> bool:
        """A draft revision whose effective date has passed would be refused: said before
        asking (the service's rule, revisions.check_still_effective)."""
        if order.supersedes_id is None or order.starts_on >= self.context.clock.today():
            return False
        self.notify(
            f"Revision {order.number} was to take effect on {order.starts_on:%d %b %Y}, which "
            "has passed: cancel it and make a new revision.",
            severity="warning",
        )
        return True

    def action_refresh(self) -> None:
        self.load()


def _status(order: OrderView) -> str:
    return order.status.label + (f", revision {order.revision}" if order.revision > 1 else "")


def _draft(order: OrderView) -> bool:
    return order.status is OrderStatus.DRAFT


def counted(count: int, noun: str) -> str:
    """``1 order``, ``2 orders``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def to_order_title(preview: SplitPreview, listed: ContractOrders) -> str:
    if preview.lines:
        return (
            f"To order: {counted(len(preview.lines), 'line')} in "
            f"{counted(len(preview.orders), 'order')}"
        )
    if not listed.orders:
        return (
            "This contract has no quote lines to order: its subscriptions were started "
            "before acctmgr took orders."
        )
    return "To order: nothing, every line is ordered"
