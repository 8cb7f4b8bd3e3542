"""The dialogs a quote editor opens, as screens: the catalogue to pick a SKU from, an item
outside the catalogue, and a service line's statement of work.

Widgets do not import screens, so every screen that holds a ``QuoteEditor`` hands it
``QUOTE_DIALOGS``.
"""

from __future__ import annotations

from acctmgr.screens.dialog import FormDialog
from acctmgr.screens.sales.sku_picker import SkuPicker
from acctmgr.services.sales.quote_views import QuoteLineView
from acctmgr.widgets.form import FormField
from acctmgr.widgets.quote_hosts import QuoteDialogs, Save


class QuoteDialogScreens:
    """``QuoteDialogs`` as acctmgr's dialog screens."""

    def pick_sku(self, currency: str) -> SkuPicker:
        return SkuPicker(currency)

    def outside_item(self, add: Save) -> FormDialog:
        return FormDialog(
            "An item outside the catalogue",
            [
                FormField("description", "What it is", placeholder="the item, in full"),
                FormField("list_price", "List price", placeholder="each, e.g. 1,200.00"),
                FormField("quantity", "Quantity", placeholder="1"),
                FormField("discount_pct", "Discount %", placeholder="0"),
            ],
            add,
            intro="Items outside the service catalogue are exceptions: Customer Success "
            "must approve the quote, within 48 hours.",
            save_label="Add the item",
        )

    def statement_of_work(self, line: QuoteLineView, write: Save) -> FormDialog:
        return FormDialog(
            f"Statement of work: {line.description}",
            [FormField("statement_of_work", "SOW", "area")],
            write,
            intro="The only free text on a PO: what pre-sales and the customer agreed "
            "this service will deliver.",
            values={"statement_of_work": line.statement_of_work},
        )


QUOTE_DIALOGS: QuoteDialogs = QuoteDialogScreens()
