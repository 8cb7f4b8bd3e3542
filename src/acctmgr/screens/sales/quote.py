"""A quote on its own (an offer, a new customer's first order): build it, get it approved, and
send the purchase order.

Ctrl+S saves what was typed and stays. F6 submits the quote for the approvals its rules call
for (it is locked while it waits); once approved, F7 sends the PO to a contact: the billing
details are checked first, and the PO goes out as a PDF through the outbox.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from acctmgr.domain.sales import QuoteStatus
from acctmgr.errors import AcctmgrError
from acctmgr.screens.dialog import FormDialog
from acctmgr.screens.sales.quote_dialogs import QUOTE_DIALOGS
from acctmgr.screens.wizards.step import StepScreen
from acctmgr.services.accounts import records as account_service
from acctmgr.services.sales import quote_builder
from acctmgr.services.sales.quote_builder import NewQuoteIn, SubmitQuoteResult
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.widgets.form import FormField
from acctmgr.widgets.quote_editor import QuoteEditor
from acctmgr.widgets.quote_form import territory_field
from acctmgr.widgets.quote_hosts import in_turn
from acctmgr.widgets.text import prose

STATUS_LABELS = {
    QuoteStatus.DRAFT: "draft",
    QuoteStatus.PENDING_APPROVAL: "waiting for approval (locked)",
    QuoteStatus.APPROVED: "approved: F7 sends the PO",
    QuoteStatus.REJECTED: "rejected: change it and submit again",
    QuoteStatus.ACCEPTED: "accepted",
    QuoteStatus.SUPERSEDED: "superseded",
}


class QuoteScreen(StepScreen):
    """One quote in a ``QuoteEditor``, with the keys that take it to approval and to the PO."""

    SUBMIT_LABEL = "Save the quote"
    FIELDS: ClassVar[list[FormField]] = []
    DRAFTS_WHILE_TYPING = False  # the quote itself is saved: on Ctrl+S, F6, F7 and leaving
    BINDINGS = [
        Binding("ctrl+s", "submit", "Save", priority=True),
        Binding("f6", "submit_for_approval", "Submit for approval"),
        Binding("f7", "send_po", "Send the PO"),
        Binding("escape", "leave", "Save and leave"),
    ]

    def __init__(self, quote: QuoteView) -> None:
        super().__init__(f"Quote {quote.number} · {quote.account_name}")
        self.editor = QuoteEditor(quote, self, QUOTE_DIALOGS)

    @property
    def quote(self) -> QuoteView:
        return self.editor.quote

    def intro(self) -> Any:
        quote = self.quote
        text = f"Status: {STATUS_LABELS[quote.status]} · {quote.currency}"
        if quote.approver_comment:
            text += f"\nApprover's comment: {quote.approver_comment}"
        return prose(text)

    def compose_after(self) -> ComposeResult:
        yield self.editor

    def on_mount(self) -> None:
        # StepScreen.on_mount runs too (Textual calls each class's handler); the step's own
        # form is empty, so the editor takes the focus.
        self.editor.focus_first()

    @on(QuoteEditor.Saved)
    def _show_status(self) -> None:
        self.query_one("#step-intro", Static).update(self.intro())

    async def _show_stored(self, quote: QuoteView) -> None:
        await self.editor.rebuild(quote)
        self._show_status()

    def has_unsaved_work(self) -> bool:
        return self.editor.has_unsaved_changes()

    def on_screen_resume(self) -> None:
        # Back from another screen (the approvals, the account): show the quote as it is now.
        self.run_worker(self._reload_in_turn(), group="quote-build")

    async def _reload_in_turn(self) -> None:
        async with self.editor.one_at_a_time():
            await self.editor.reload()

    async def save_draft(self, values: dict[str, str]) -> None:
        # A quote has no draft of its own: leaving saves what was typed, when it can be saved.
        async with self.editor.one_at_a_time():
            await self.editor.save_typed()

    async def done(self, values: dict[str, str]) -> bool:
        async with self.editor.one_at_a_time():
            if await self.editor.save_typed():
                await self._show_stored(self.quote)
                self.notify("Quote saved.")
        return False

    async def _reloaded_and_saved(self) -> bool:
        """The quote as stored now (approvers may have decided meanwhile), with what was typed
        saved over it: what an action on the quote starts from."""
        return await self.editor.reload() and await self.editor.save_typed()

    @work(group="quote-build")
    @in_turn
    async def action_submit_for_approval(self) -> None:
        if not await self._reloaded_and_saved():
            return
        try:
            result: SubmitQuoteResult = await self.run_service(
                quote_builder.submit_quote, self.quote.id, self.quote.version
            )
        except AcctmgrError as error:
            self.notify(error.message, severity="error", timeout=8)
            return
        await self._show_stored(result.quote)
        if result.approvers:
            self.notify(f"Submitted: waiting for {', '.join(result.approvers)}.")
        else:
            self.notify("Approved at once: no approval rule applies to this quote.")

    @work(group="quote-build")
    @in_turn
    async def action_send_po(self) -> None:
        if not await self._reloaded_and_saved():
            return
        quote = self.quote
        if quote.status is not QuoteStatus.APPROVED:
            self.notify("Only an approved quote can be sent as a PO.", severity="warning")
            return
        account = await self.call(account_service.get_account, quote.account_id)
        if account is None:
            return
        choices = [
            (f"{contact.name} <{contact.email}>", str(contact.id))
            for contact in account.contacts
            if contact.email
        ]

        async def send(values: dict[str, str]) -> QuoteView:
            sent: QuoteView = await self.run_service(
                quote_builder.send_po,
                quote.id,
                quote.version,
                int(values["contact"]) if values["contact"] else 0,
            )
            return sent

        sent = await self.app.push_screen_wait(
            FormDialog(
                f"Send PO {quote.number}",
                [FormField("contact", "To", "choice", choices=choices)],
                send,
                intro="The PO goes out as a PDF with the list price, discount and sold price "
                "of each line; the invoice contact and billing address are checked first.",
                values={"contact": str(account.invoice_contact_id or "")},
                save_label="Send the PO",
            )
        )
        if sent is not None:
            await self._show_stored(sent)
            self.notify("PO queued for e-mail; it is on the account's documents.")


async def open_new_quote(screen: Any, account_id: int) -> None:
    """Ask for the start and territory, make the quote, and open it."""
    account = await screen.call(account_service.get_account, account_id)
    if account is None:
        return  # the account is gone, or not the user's to see: call_service has said so
    locale: str = account.locale
    today: date = screen.context.clock.now().date()
    start = today.replace(day=1) + timedelta(days=32)

    async def make(values: dict[str, str]) -> QuoteView:
        from acctmgr.screens.retention.steps import parse_day

        data = NewQuoteIn(
            account_id=account_id,
            starts_on=parse_day(values["starts_on"], "starts_on"),
            territory=values["territory"],
        )
        made: QuoteView = await screen.run_service(quote_builder.new_quote, data)
        return made

    quote = await screen.app.push_screen_wait(
        FormDialog(
            "New quote",
            [
                FormField("starts_on", "Starts on", placeholder="YYYY-MM-DD"),
                territory_field(locale, "a country or region; the account's, if empty"),
            ],
            make,
            intro="A new customer's first quote starts with the starter pack.",
            values={"starts_on": start.replace(day=1).isoformat()},
            save_label="Create the quote",
        )
    )
    if quote is not None:
        await screen.app.push_screen(QuoteScreen(quote))
