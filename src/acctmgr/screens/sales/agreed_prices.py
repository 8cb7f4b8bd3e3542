"""The prices agreed with one account: current, upcoming and ended, each with its validity; its
Key Account Manager (or a Segment Leader, an Admin) agrees new ones, edits and ends them.

Reached with p from the account, or "Agreed prices of …" in the palette. The quote builder
applies them by itself; this screen only keeps them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.services.accounts import records as account_service
from acctmgr.services.catalogue import browsing as catalogue
from acctmgr.services.sales import agreed_prices
from acctmgr.services.sales.agreed_prices import AgreedPriceIn, AgreedPriceView
from acctmgr.widgets.form import FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.text import content, day, plain

INTRO = (
    "A discount % off the list price, or a price of its own (each), for the days from the "
    "first to the last. New lines of this account's quotes take it by themselves; the "
    "approval rules still judge the discount as any other."
)


def price_fields(currency: str, complete: Callable[[str], str | None] | None) -> list[FormField]:
    """The fields of an agreed price; the SKU code completes from the catalogue (→)."""
    return [
        FormField("sku_code", "SKU code", placeholder="e.g. PLATFORM", complete=complete),
        FormField("discount_pct", "Discount %", placeholder="e.g. 12.5, or leave empty"),
        FormField("price", f"Price ({currency})", placeholder="each, e.g. 900.00, or empty"),
        FormField("valid_from", "First day", placeholder="YYYY-MM-DD"),
        FormField("valid_until", "Last day", placeholder="YYYY-MM-DD"),
        FormField("note", "Note", placeholder="what was agreed, and with whom"),
    ]


def completing(codes: list[str]) -> Callable[[str], str | None]:
    """The first code that starts with what is typed (in any case), typed in capitals."""

    def complete(typed: str) -> str | None:
        wanted = typed.strip().upper()
        return next((code for code in codes if wanted and code.startswith(wanted)), None)

    return complete


class AgreedPricesScreen(AcctmgrScreen):
    """One account's agreed prices, newest first per SKU."""

    TITLE = "Agreed prices"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("n", "new_price", "New agreed price"),
        Binding("e", "edit_price", "Edit"),
        Binding("delete", "end_price", "Retire (end it today)"),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.currency = ""
        self._prices: dict[str, AgreedPriceView] = {}
        self._codes: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="prices-heading")
        yield RecordTable(
            ("SKU", 12),
            ("Agreed", 30),
            ("From", 12),
            ("Until", 12),
            ("State", 9),
            "Note",
            id="agreed-prices",
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @work(group="agreed-prices", exclusive=True)
    async def load(self) -> None:
        account = await self.call(account_service.get_account, self.account_id)
        if account is None:
            return
        self.currency = account.currency
        self.sub_title = account.name
        rows = await self.call(agreed_prices.list_agreed_prices, self.account_id)
        if rows is None:
            return
        self._prices = {str(row.id): row for row in rows}
        self.query_one("#prices-heading", Static).update(
            content(f"Prices agreed with {account.name}, in {account.currency}")
            if rows
            else content(f"No prices are agreed with {account.name} yet: n agrees one.")
        )
        self.query_one("#agreed-prices", RecordTable).show(_row(row) for row in rows)
        if not self._codes:
            found = await self.call(catalogue.search_skus, limit=catalogue.MAX_PAGE)
            self._codes = [row.code for row in found or []]

    def _selected(self) -> AgreedPriceView | None:
        key = self.query_one("#agreed-prices", RecordTable).selected_key
        return self._prices.get(key) if key else None

    def action_new_price(self) -> None:
        today = self.context.clock.today()
        self._open("A new agreed price", {"valid_from": today.isoformat()}, None)

    def action_edit_price(self) -> None:
        agreed = self._selected()
        if agreed is None:
            self.notify("Highlight an agreed price to edit.")
            return
        values = {
            "sku_code": agreed.sku_code,
            "discount_pct": "" if agreed.discount_pct is None else f"{agreed.discount_pct:f}",
            "price": "" if agreed.price_minor is None else f"{agreed.price_minor / 100:.2f}",
            "valid_from": agreed.valid_from.isoformat(),
            "valid_until": agreed.valid_until.isoformat(),
            "note": agreed.note,
        }
        self._open(f"Agreed price for {agreed.sku_code}", values, agreed)

    @on(RecordTable.RowSelected, "#agreed-prices")
    def _chosen(self) -> None:
        self.action_edit_price()

    def _open(self, title: str, values: dict[str, str], agreed: AgreedPriceView | None) -> None:
        async def save(typed: dict[str, str]) -> AgreedPriceView:
            # An empty date is left out, so pydantic says it is required beside it.
            data = AgreedPriceIn.model_validate(
                {name: text for name, text in typed.items() if text.strip() or "valid" not in name}
            )
            edit: tuple[Any, ...] = (agreed.id, agreed.version) if agreed else ()
            saved: AgreedPriceView = await self.run_service(
                agreed_prices.save_agreed_price, self.account_id, data, *edit
            )
            return saved

        dialog = FormDialog(
            title,
            price_fields(self.currency, completing(self._codes)),
            save,
            intro=INTRO,
            values=values,
            save_label="Save the agreed price",
        )
        self.app.push_screen(dialog, self._saved)

    def _saved(self, saved: AgreedPriceView | None) -> None:
        if saved is not None:
            self.notify(f"Saved: {saved.sku_code} at {saved.terms}.")
            self.load()

    def action_end_price(self) -> None:
        agreed = self._selected()
        if agreed is None:
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.end(agreed)

        detail = (
            "It has not started, so it is withdrawn."
            if agreed.state == "upcoming"
            else "Today is its last day; quotes starting later no longer take it."
        )
        self.app.push_screen(
            ConfirmScreen(f"End the agreed price for {agreed.sku_code}?", detail), confirmed
        )

    @work(group="agreed-prices-end")
    async def end(self, agreed: AgreedPriceView) -> None:
        await self.call(agreed_prices.end_agreed_price, agreed.id, agreed.version)
        self.load()


def _row(row: AgreedPriceView) -> Row:
    return (
        str(row.id),
        [
            plain(row.sku_code),
            plain(row.terms),
            plain(day(row.valid_from)),
            plain(day(row.valid_until)),
            plain(row.state),
            plain(row.note.splitlines()[0] if row.note else ""),
        ],
    )
