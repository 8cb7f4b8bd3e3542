"""The order situation of a key account, with its upsell potential: what a KAM reads before a
call (seed 001). Suggestions come first, most pressing at the top; Enter on one turns it into
an offer line. The sections below list contracts, renewals, subscriptions, invoices, usage and
the services still to use."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.dialog import FormDialog
from acctmgr.services.kernel.money import format_money
from acctmgr.services.key_accounts.cadence import Cadence, cadence_days, set_cadence
from acctmgr.services.key_accounts.situation import OrderSituation, order_situation
from acctmgr.services.key_accounts.upsell import Suggestion, upsell
from acctmgr.widgets.form import FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.text import content, counted, day, lines, plain

SECTIONS = (
    ("contracts", "Contracts"),
    ("renewals", "Renewals coming up (120 days)"),
    ("subscriptions", "Subscriptions"),
    ("invoices", "Open invoices"),
    ("usage", "Page views a month (last 6 months)"),
    ("entitlements", "Services still to use"),
)
NONE = "None."


class OrderSituationScreen(AcctmgrScreen):
    """One key account's order situation and its ranked upsell suggestions."""

    TITLE = "Order situation"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        # Before the table's own Enter ("Open"): on this screen a suggestion becomes a line.
        Binding("enter", "make_offer_line", "Make an offer line", priority=True),
        Binding("k", "set_cadence", "Set contact cadence"),
        Binding("f5", "refresh", "Refresh"),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.situation: OrderSituation | None = None
        self.suggestions: dict[str, Suggestion] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="situation-heading")
        yield Static("Upsell potential, most pressing first", classes="section-title")
        yield RecordTable("Score", ("Suggestion", 20), ("Offer line", 16), "Reason", id="upsell")
        yield Static("", id="suggestion-reason")
        with VerticalScroll(id="situation-sections"):
            for key, title in SECTIONS:
                yield Static(title, classes="section-title")
                yield Static("", id=f"{key}-text", classes="situation-text")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#upsell", RecordTable).focus()
        self.load()

    def action_refresh(self) -> None:
        self.load()

    @work(exclusive=True, group="order-situation")
    async def load(self) -> None:
        situation = await self.call(order_situation, self.account_id)
        if situation is None:
            self.dismiss()
            return
        self.situation = situation
        self.refresh_bindings()
        self.sub_title = situation.account_name
        self.query_one("#situation-heading", Static).update(content(_heading(situation)))
        for key, text in _sections(situation).items():
            self.query_one(f"#{key}-text", Static).update(lines(text or [NONE]))
        suggestions = await self.call(upsell, self.account_id) or []
        self.suggestions = {suggestion.key: suggestion for suggestion in suggestions}
        table = self.query_one("#upsell", RecordTable)
        table.show(_suggestion_row(suggestion) for suggestion in suggestions)
        self._show_reason(table.selected_key)
        if not suggestions:
            self.query_one("#suggestion-reason", Static).update(
                content("No upsell suggestion for this account today.")
            )

    @on(RecordTable.RowHighlighted, "#upsell")
    def _highlighted(self, event: RecordTable.RowHighlighted) -> None:
        self._show_reason(event.key)

    @on(RecordTable.RowSelected, "#upsell")
    def _chosen(self, event: RecordTable.RowSelected) -> None:
        # A click on a suggestion; Enter comes to action_make_offer_line first.
        event.stop()
        self.action_make_offer_line()

    def _show_reason(self, key: str | None) -> None:
        suggestion = self.suggestions.get(key or "")
        if suggestion is not None:
            self.query_one("#suggestion-reason", Static).update(content(suggestion.reason))

    def action_make_offer_line(self) -> None:
        """Turn the highlighted suggestion into an offer line."""
        key = self.query_one("#upsell", RecordTable).selected_key
        suggestion = self.suggestions.get(key or "")
        if suggestion is not None:
            self.on_suggestion_chosen(suggestion)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The cadence is offered to those who may set it; the service refuses anyone else.
        if action == "set_cadence":
            return self.situation is not None and self.situation.may_set_cadence
        return True

    @work(exclusive=True, group="account-edit")
    async def action_set_cadence(self) -> None:
        """How many days may pass between two contacts with the key account."""
        situation = self.situation
        if situation is None:
            return

        async def save(typed: dict[str, str]) -> Cadence:
            saved: Cadence = await self.run_service(
                set_cadence,
                situation.account_id,
                situation.account_version,
                cadence_days(typed["days"]),
            )
            return saved

        current = situation.contact_cadence_days
        saved = await self.app.push_screen_wait(
            FormDialog(
                f"Contact cadence: {situation.account_name}",
                [FormField("days", "Every (days)", placeholder="1 to 365; empty for none")],
                save,
                intro="My day lists the account once this many days pass without a logged "
                "call, meeting or e-mail.",
                values={"days": "" if current is None else str(current)},
                save_label="Save the cadence",
            )
        )
        if saved is not None:
            self.load()

    def on_suggestion_chosen(self, suggestion: Suggestion) -> None:
        """Put the suggestion's SKU on the KAM's draft offer of the account, and open it."""
        if suggestion.sku_code is None:
            self.notify(
                f"{suggestion.kind.label}: this suggestion is for the call; it has no offer line."
            )
            return
        self.run_worker(self._make_offer_line(suggestion), group="offer-step", exclusive=True)

    async def _make_offer_line(self, suggestion: Suggestion) -> None:
        from acctmgr.screens.key_accounts.offer import OfferScreen
        from acctmgr.services.key_accounts import suggested_lines

        assert suggestion.sku_code is not None
        offer = await self.call(
            suggested_lines.add_suggested_line,
            self.account_id,
            suggested_lines.SuggestedLineIn(
                sku_code=suggestion.sku_code,
                quantity=suggestion.quantity or 1,
                reason=suggestion.reason[:500],
            ),
        )
        if offer is not None:
            self.notify(
                f"{suggestion.quantity or 1} x {suggestion.sku_code} is on the offer "
                f'"{offer.title}".'
            )
            await self.app.push_screen(OfferScreen(offer.id))


def _heading(situation: OrderSituation) -> str:
    manager = situation.key_account_manager or "no Key Account Manager"
    if situation.contact_cadence_days is None:
        cadence = "no contact cadence"
    else:
        cadence = f"contact every {situation.contact_cadence_days} days"
    last = day(situation.last_contact.date()) if situation.last_contact else "never"
    # The account's name is in the header already; one line is left for the rest at 80 columns.
    return f"{manager} · {cadence}, last {last}"


def _suggestion_row(suggestion: Suggestion) -> Row:
    line = f"{suggestion.quantity or 1} x {suggestion.sku_code}" if suggestion.sku_code else "—"
    return (
        suggestion.key,
        [
            plain(str(suggestion.score)),
            plain(suggestion.kind.label),
            plain(line),
            plain(suggestion.reason),
        ],
    )


def _sections(situation: OrderSituation) -> dict[str, list[str]]:
    """Each section's lines, short enough to read at 80 columns."""
    return {
        "contracts": [
            f"{c.number} {c.status.value.replace('_', ' ')}, "
            f"{c.renewal_type.value.replace('_', ' ')}, {c.term_months} months: "
            f"{day(c.starts_on)} to {day(c.ends_on)}, notice by {day(c.notice_deadline)}, "
            f"{format_money(c.annual_value_minor, c.currency)} a year"
            for c in situation.contracts
        ],
        "renewals": [
            f"{r.number} ends {day(r.ends_on)} ({r.renewal_type.value.replace('_', ' ')}), "
            f"notice by {day(r.notice_deadline)}"
            for r in situation.renewals
        ],
        "subscriptions": [
            f"{'Trial' if s.is_trial else 'Paid'}: {s.product} ({s.sku_code}) x {s.quantity}, "
            f"{s.status.value}"
            + (f", ends {day(s.ends_on)}" if s.ends_on else ", open-ended")
            + (" (ending soon)" if s.ending else "")
            for s in situation.subscriptions
        ],
        "invoices": _invoice_lines(situation),
        "usage": [
            f"{u.month:%b %Y}: {u.page_views:,}"
            + (
                f" of {u.included:,} included ({u.page_views * 100 // u.included}%)"
                if u.included
                else ""
            )
            + (" over" if u.over else "")
            for u in situation.usage
        ],
        "entitlements": [
            f"{e.left} of {e.quantity} left: {e.product} ({e.sku_code})"
            + (f", use by {day(e.consume_by)}" if e.consume_by else "")
            for e in situation.entitlements
        ],
    }


def _invoice_lines(situation: OrderSituation) -> list[str]:
    invoices = situation.open_invoices
    if not invoices:
        return []
    overdue = len(situation.overdue_invoices)
    summary = f"{counted(len(invoices), 'open invoice')}, {overdue} overdue"
    return [summary] + [
        f"{i.number} {i.status.value}, due {day(i.due_on)}: "
        f"{format_money(i.total_minor, i.currency)}" + (" OVERDUE" if i.overdue else "")
        for i in invoices
    ]
