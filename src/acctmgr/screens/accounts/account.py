"""One account, tab by tab; each tab loads when it is first shown."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static, TabbedContent, TabPane

from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.screens.accounts import account_forms, account_rows, task_dialogs
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.services.accounts import account_file
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountView
from acctmgr.services.documents import stored_documents
from acctmgr.services.people import users
from acctmgr.services.retention import opening
from acctmgr.services.sales.quote_builder import SELLERS
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.text import content, fields

# (key, label, the label where the full ones do not fit the width)
TABS = (
    ("overview", "Overview", "Overview"),
    ("contacts", "Contacts", "Contacts"),
    ("contracts", "Contracts", "Contracts"),
    ("subscriptions", "Subscriptions", "Subs"),
    ("invoices", "Invoices", "Invoices"),
    ("cases", "Cases & opportunities", "Cases"),
    ("documents", "Documents", "Docs"),
    ("timeline", "Timeline", "Timeline"),
)
# A tab is its label and a blank either side.
FULL_TABS_WIDTH = sum(len(f"{n} {label}") + 2 for n, (_, label, _) in enumerate(TABS, start=1))
COLUMNS = {
    "contacts": ("Name", "Title", "E-mail", "Phone", "Invoices"),
    "contracts": ("Number", "Status", "Renewal", "Starts", "Ends", "Notice", "Annual value"),
    "subscriptions": ("Product", "Kind", "Status", "Qty", "Net price", "Starts", "Ends"),
    "invoices": ("Number", "Status", "Issued", "Due", "Total"),
    "cases": ("What", "Stage", "Owner", "Opened", "Outcome"),
    "documents": ("Made", "Kind", "File", "Template", "By"),
    "timeline": ("When", "Event", "Who"),
}


class AccountScreen(AcctmgrScreen):
    """Overview, contacts, contracts, subscriptions, invoices, cases and the timeline."""

    TITLE = "Account"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("n", "new_case", "New retention case"),
        Binding("q", "new_quote", "New quote"),
        Binding("w", "new_offer", "New offer"),
        Binding("e", "edit_account", "Edit account"),
        Binding("c", "add_contact", "Add contact"),
        Binding("i", "invoice_contact", "Invoice contact", show=False),
        Binding("b", "billing_address", "Billing address", show=False),
        Binding("s", "schedule", "New task"),
        Binding("p", "agreed_prices", "Agreed prices"),
        Binding("o", "order_situation", "Open order situation"),
        Binding("u", "usage", "Usage and overage", show=False),
        Binding("E", "entitlements", "Entitlements on a date"),
        Binding("ctrl+g", "contract_orders", "Go to the highlighted contract's orders"),
        *(
            Binding(str(number), f"show_tab('{key}')", label, show=False)
            for number, (key, label, _) in enumerate(TABS, start=1)
        ),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.account: AccountView | None = None
        self._loaded: set[str] = set()
        self._roles: frozenset[Role] = frozenset()  # the signed-in user's, once loaded
        self._labelled = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="account-heading")
        with TabbedContent(id="account-tabs"):
            for number, (key, label, _) in enumerate(TABS, start=1):
                with TabPane(f"{number} {label}", id=key):
                    if key == "overview":
                        yield Static("", id="overview-text")
                    else:
                        yield RecordTable(*COLUMNS[key], id=f"{key}-table")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load_account()

    def on_resize(self) -> None:
        """Every tab in sight: short labels, one blank apart, where the full ones do not fit
        (at 80 columns the full ones hid Documents and Timeline)."""
        tabs = self.query_one("#account-tabs", TabbedContent)
        compact = self.size.width < FULL_TABS_WIDTH
        if tabs.has_class("-compact") == compact and self._labelled:
            return
        self._labelled = True
        tabs.set_class(compact, "-compact")
        for number, (key, label, short) in enumerate(TABS, start=1):
            tabs.get_tab(key).label = f"{number} {short if compact else label}"

    @work(group="account")
    async def load_account(self) -> None:
        account = await self.call(account_service.get_account, self.account_id)
        if account is None:
            self.dismiss()
            return
        self.account = account
        me = await self.call(users.me)
        self._roles = me.roles if me else frozenset()
        self.refresh_bindings()
        self.sub_title = account.name
        kind = {"national": "National Account", "regional": "Regional Account"}.get(
            account.kind.value, "Customer"
        )
        self.query_one("#account-heading", Static).update(
            content(f"{account.name} · {kind} · {account.segment_name}")
        )
        self.query_one("#overview-text", Static).update(fields(account_rows.overview(account)))
        self._show("contacts", [account_rows.contact_row(account, c) for c in account.contacts])
        self._loaded.update({"overview", "contacts"})

    @on(TabbedContent.TabActivated, "#account-tabs")
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id or ""
        if pane not in self._loaded:
            self._loaded.add(pane)
            self.load_tab(pane)

    @work(group="account-tab")
    async def load_tab(self, pane: str) -> None:
        loaders: dict[str, tuple[Callable[..., Any], Callable[[Any], Row]]] = {
            "contracts": (account_file.contracts, account_rows.contract_row),
            "subscriptions": (account_file.subscriptions, account_rows.subscription_row),
            "invoices": (account_file.invoices, account_rows.invoice_row),
            "cases": (account_file.cases_and_opportunities, account_rows.case_row),
            "documents": (stored_documents.account_documents, account_rows.document_row),
            "timeline": (account_file.timeline, account_rows.timeline_row),
        }
        if pane not in loaders:
            return
        load, to_row = loaders[pane]
        rows = await self.call(load, self.account_id)
        if rows is not None:
            self._show(pane, [to_row(row) for row in rows])

    def _show(self, pane: str, rows: list[Row]) -> None:
        self.query_one(f"#{pane}-table", RecordTable).show(rows)

    def action_show_tab(self, key: str) -> None:
        self.query_one("#account-tabs", TabbedContent).active = key

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Only the keys this user may use are offered; the services refuse the rest anyway.
        if action == "new_case":
            return bool(self._roles & opening.CASE_OPENERS)
        if action == "new_quote":
            return bool(self._roles & set(SELLERS))
        if action in ("edit_account", "add_contact"):
            return bool(self._roles & set(account_service.EDITORS))
        if action in ("invoice_contact", "billing_address"):
            return bool(self._roles & {*account_service.EDITORS, Role.FINANCE})
        return True

    async def _edit(self, form: Callable[..., Awaitable[object]], *args: Any) -> None:
        """Run one of the account's forms, then show the account as stored, saved or not: a
        refused save may mean that someone else's is newer."""
        if self.account is None:
            return
        await form(self, self.account, *args)
        self.load_account()
        self._reload("timeline")

    @work(exclusive=True, group="account-edit")
    async def action_edit_account(self) -> None:
        await self._edit(account_forms.account_form)

    @work(exclusive=True, group="account-edit")
    async def action_add_contact(self) -> None:
        await self._edit(account_forms.contact_form, None)

    @work(exclusive=True, group="account-edit")
    async def action_invoice_contact(self) -> None:
        await self._edit(account_forms.invoice_contact_form)

    @work(exclusive=True, group="account-edit")
    async def action_billing_address(self) -> None:
        await self._edit(account_forms.billing_address_form)

    @on(RecordTable.RowSelected, "#contacts-table")
    def _contact_selected(self, event: RecordTable.RowSelected) -> None:
        self.edit_contact(event.key)

    @work(exclusive=True, group="account-edit")
    async def edit_contact(self, key: str) -> None:
        contacts = self.account.contacts if self.account else []
        found = [contact for contact in contacts if str(contact.id) == key]
        if found:
            await self._edit(account_forms.contact_form, found[0])

    @work(exclusive=True, group="account-edit")
    async def action_schedule(self) -> None:
        """A new task about the account, or one of its cases, opportunities or quotes."""
        account = self.account
        if account is None:
            return
        rows = await self.call(account_file.cases_and_opportunities, account.id) or []
        choices = [
            task_dialogs.about(RecordType.ACCOUNT, account.id, f"The account {account.name}")
        ]
        choices += [task_dialogs.about(row.record_type, row.id, row.title) for row in rows]
        if await task_dialogs.schedule_task(self, choices):
            self._reload("timeline")

    def action_order_situation(self) -> None:
        """The key account's order situation and upsell potential, before a call."""
        from acctmgr.screens.key_accounts.situation import OrderSituationScreen

        self.app.push_screen(OrderSituationScreen(self.account_id))

    def action_usage(self) -> None:
        """The account's months of usage against what is included, with their overage."""
        from acctmgr.screens.fulfilment.usage import AccountUsageScreen

        self.app.push_screen(AccountUsageScreen(self.account_id))

    def action_contract_orders(self) -> None:
        """The orders of the contract highlighted on the Contracts tab."""
        key = self.query_one("#contracts-table", RecordTable).selected_key
        if self.query_one("#account-tabs", TabbedContent).active != "contracts" or not key:
            self.notify("Highlight a contract on the Contracts tab (3) first.", severity="warning")
            return
        from acctmgr.screens.fulfilment.orders import OrdersScreen

        self.app.push_screen(OrdersScreen(int(key)))

    def action_entitlements(self) -> None:
        """What the account runs and may still consume on a date, from today."""
        from acctmgr.screens.fulfilment.entitlements import EntitlementsScreen

        self.app.push_screen(EntitlementsScreen(self.account_id))

    def action_new_case(self) -> None:
        from acctmgr.screens.retention.case import open_new_case

        open_new_case(self, self.account_id)

    @work(group="new-quote")
    async def action_new_quote(self) -> None:
        from acctmgr.screens.sales.quote import open_new_quote

        await open_new_quote(self, self.account_id)
        self._reload("cases")

    @work(group="new-offer")
    async def action_new_offer(self) -> None:
        from acctmgr.screens.key_accounts.offer import open_new_offer

        await open_new_offer(self, self.account_id)
        self._reload("cases")

    def action_agreed_prices(self) -> None:
        from acctmgr.screens.sales.agreed_prices import AgreedPricesScreen

        self.app.push_screen(AgreedPricesScreen(self.account_id))

    @on(RecordTable.RowSelected, "#contracts-table")
    def _open_contract(self, event: RecordTable.RowSelected) -> None:
        # Its checklist: what a contract out for signature still needs before it is final.
        from acctmgr.screens.key_accounts.finalise import FinaliseScreen

        self.app.push_screen(FinaliseScreen(int(event.key)))

    @on(RecordTable.RowSelected, "#cases-table")
    async def _open_case(self, event: RecordTable.RowSelected) -> None:
        kind, _, record_id = event.key.rpartition("-")
        if kind == "retention_case" and record_id.isdigit():
            from acctmgr.screens.retention.case import CaseScreen

            self.app.push_screen(CaseScreen(int(record_id)))
        elif kind == "quote" and record_id.isdigit():
            from acctmgr.screens.sales.quote import QuoteScreen
            from acctmgr.services.sales import quotes

            quote = await self.call(quotes.get_quote, int(record_id))
            if quote is not None and quote.offer_id is not None:
                from acctmgr.screens.key_accounts.offer import OfferScreen

                self.app.push_screen(OfferScreen(quote.offer_id), lambda _: self._reload("cases"))
            elif quote is not None:
                self.app.push_screen(QuoteScreen(quote), lambda _: self._reload("cases"))

    @on(RecordTable.RowSelected, "#documents-table")
    def _open_document(self, event: RecordTable.RowSelected) -> None:
        from acctmgr.screens.documents.viewer import DocumentScreen

        self.app.push_screen(DocumentScreen(int(event.key)))

    def _reload(self, pane: str) -> None:
        if pane in self._loaded:
            self.load_tab(pane)
