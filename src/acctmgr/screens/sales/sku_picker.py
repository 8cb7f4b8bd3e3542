"""Choosing a SKU for a quote line: search the catalogue as you type, Enter to take one.

Only SKUs that can be sold are listed (retired ones are not), with their list price in the
quote's currency, so what is picked is what the line will say.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from acctmgr.screens.base import AcctmgrModal
from acctmgr.services.catalogue import browsing as catalogue
from acctmgr.services.catalogue.browsing import SkuRow
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.search_box import SearchBox
from acctmgr.widgets.text import money, plain


class SkuPicker(AcctmgrModal):
    """Dismisses with the chosen SKU's id, or None."""

    DEFAULT_CSS = """
    SkuPicker { align: center middle; }
    SkuPicker > Vertical {
        width: 100; max-width: 100%; height: 22; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    SkuPicker DataTable { height: 1fr; }
    SkuPicker #picker-hint { color: $text-muted; height: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "focus_table", "Down to the list", show=False),
    ]

    def __init__(self, currency: str) -> None:
        super().__init__()
        self.currency = currency
        self.rows: list[SkuRow] = []
        self.rows_for: str | None = None  # the search text the rows answer

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = "Add from the catalogue"
            yield SearchBox(
                placeholder="Search SKUs by code or name", id="sku-search", compact=True
            )
            yield DataTable(id="sku-table", cursor_type="row", zebra_stripes=True)
            yield Static(
                "Type to search · ↓ to the list · Enter to add · Escape to cancel", id="picker-hint"
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Code", width=12)
        table.add_column("Name", width=28)
        table.add_column("Kind", width=12)
        table.add_column("List price", width=16)
        self.query_one(Input).focus()
        self.search("")

    @on(Input.Changed, "#sku-search")
    def _typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @on(Input.Submitted, "#sku-search")
    def _take_first(self, event: Input.Submitted) -> None:
        # Only from the answer to what is typed now, never from an earlier search's list.
        if self.rows and self.rows_for == event.value:
            self.dismiss(self.rows[0].sku_id)

    @work(exclusive=True, group="sku-search")
    async def search(self, text: str) -> None:
        found = await self.call(catalogue.search_skus, text, currency=self.currency, limit=50)
        if found is None:
            return
        self.rows = list(found)
        self.rows_for = text
        table = self.query_one(DataTable)
        table.clear()
        for row in self.rows:
            table.add_row(
                plain(row.code),
                plain(row.name),
                plain(row.kind.value.replace("_", "-")),
                money(row.list_price_minor, self.currency)
                if row.list_price_minor is not None
                else plain(f"no {self.currency} price"),
                key=str(row.sku_id),
            )

    def action_focus_table(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.dismiss(int(event.row_key.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
