"""The quote editor: a quote's lines with a quantity and a discount each, its effective date and
territory, and the totals and approvals it will need, recomputed as you type.

A screen hands the editor the quote, its services and dialogs (``quote_hosts``) and hears back
by messages: ``Saved`` when the stored quote changed, ``Changed`` when the typed totals were
recomputed. Adding, removing or documenting a line first keeps what was typed, then saves and
rebuilds the editor around the quote as stored. Every save runs in turn (``one_at_a_time``),
so each starts from the version the last stored; when someone else saved first, the editor
loads the quote again with what was typed laid over it (``reload``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from acctmgr.domain.catalogue import SkuKind
from acctmgr.errors import AcctmgrError, Conflict
from acctmgr.services.kernel.money import format_money
from acctmgr.services.sales import quote_builder, quotes
from acctmgr.services.sales.quote_builder import CatalogueLineIn, OffCatalogueLineIn
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn, QuotePreview
from acctmgr.widgets.form import Form
from acctmgr.widgets.quote_form import (
    invalid_total_text,
    quote_fields,
    stored_edit,
    stored_values,
    totals_text,
    typed_edit,
    typed_over,
)
from acctmgr.widgets.quote_hosts import QuoteDialogs, QuoteServices, in_turn
from acctmgr.widgets.text import prose

PREVIEW_DELAY = 0.3
NO_LINES = "Add a line from the catalogue first (Ctrl+N)."
RELOADED = (
    "Someone else saved this quote since you opened it: it is shown as they left it, with "
    "what you typed over it. Check it, then do it again."
)


class QuoteEditor(Vertical):
    """One quote's form, totals and approvals preview; ``save_typed`` keeps what was typed."""

    DEFAULT_CSS = "QuoteEditor { height: auto; }"
    BINDINGS = [
        Binding("ctrl+n", "add_from_catalogue", "Add from catalogue", priority=True),
        Binding("ctrl+o", "add_outside", "Item outside catalogue", priority=True),
        Binding("ctrl+t", "write_sow", "Statement of work", priority=True),
        Binding("ctrl+d", "remove_line", "Delete line", priority=True),
    ]

    class Saved(Message):
        """The quote as stored changed: what was typed was saved, or a line was added,
        removed or given its statement of work."""

        def __init__(self, editor: QuoteEditor, quote: QuoteView) -> None:
            super().__init__()
            self.editor = editor
            self.quote = quote

        @property
        def control(self) -> QuoteEditor:
            return self.editor

    class Changed(Message):
        """The totals and approvals of what is typed were recomputed; nothing is saved yet."""

        def __init__(self, editor: QuoteEditor, preview: QuotePreview) -> None:
            super().__init__()
            self.editor = editor
            self.preview = preview

        @property
        def control(self) -> QuoteEditor:
            return self.editor

    def __init__(
        self,
        quote: QuoteView,
        services: QuoteServices,
        dialogs: QuoteDialogs,
        *,
        typed: Mapping[str, str] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``typed`` holds values typed earlier (a step's draft), shown over the quote's own."""
        super().__init__(id=id, classes=classes)
        self.quote = quote
        self.services = services
        self.dialogs = dialogs
        self._typed = dict(typed or {})
        self._preview_timer: Timer | None = None
        self._saving = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield Form(quote_fields(self.quote))
        yield Static("", classes="quote-totals")

    def on_mount(self) -> None:
        self.query_one(Form).fill({**self._stored_values(), **self._typed})
        self._show_quote()

    # --- what the host reads ----------------------------------------------------------------

    def values(self) -> dict[str, str]:
        """What is typed, as plain strings keyed by field name (what a draft keeps)."""
        return self.query_one(Form).values()

    def has_unsaved_changes(self) -> bool:
        """Whether the form holds something other than the quote as stored."""
        stored = self._stored_values()
        return any(stored.get(name, "") != value for name, value in self.values().items())

    def focus_first(self) -> None:
        self.query_one(Form).focus_first()

    def money(self, minor: int | None) -> str:
        """An amount in the quote's currency."""
        return format_money(minor or 0, self.quote.currency)

    # --- the form and its totals ------------------------------------------------------------

    def _stored_values(self) -> dict[str, str]:
        return stored_values(self.quote, self.services.context.clock.now().date())

    def _show_quote(self) -> None:
        self._show_totals(None)
        self._schedule_preview()

    @on(Input.Changed)
    def _schedule_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._preview)

    @work(exclusive=True, group="quote-preview")
    async def _preview(self) -> None:
        if not self.quote.lines:
            self._show_invalid_total(None, NO_LINES)
            return
        try:
            edit = typed_edit(self.quote, self.values())
            found: QuotePreview = await self.services.run_service(
                quotes.preview_quote, self.quote.id, edit
            )
            self._show_totals(found)
        except ValidationError as error:
            # The field errors appear on saving; meanwhile no total is shown as if it held.
            where = error.errors()[0]["loc"][:1]
            self._show_invalid_total(str(where[0]) if where else None, "")
            return
        except AcctmgrError as error:
            self._show_invalid_total(error.field, error.message)
            return
        except NoMatches:
            return  # the screen closed while the preview was on its way: nothing to show
        self.post_message(self.Changed(self, found))

    def _show_totals(self, preview: QuotePreview | None) -> None:
        self.query_one(".quote-totals", Static).update(prose(totals_text(self.quote, preview)))

    def _show_invalid_total(self, field: str | None, problem: str) -> None:
        self.query_one(".quote-totals", Static).update(
            prose(invalid_total_text(self.quote, field, problem))
        )

    # --- saving -----------------------------------------------------------------------------

    @asynccontextmanager
    async def one_at_a_time(self) -> AsyncIterator[None]:
        """Hold the quote while one action saves it; another action waits for its turn."""
        async with self._saving:
            yield

    async def save_typed(self) -> bool:
        """Save what was typed if it differs from the quote; False (with the sentence shown)
        when it cannot be saved. Call it inside ``one_at_a_time``."""
        form = self.query_one(Form)
        form.clear_errors()
        try:
            edit = typed_edit(self.quote, form.values())
            if edit != stored_edit(self.quote):
                self.quote = await self.services.run_service(
                    quotes.update_quote, self.quote.id, self.quote.version, edit
                )
                self.post_message(self.Saved(self, self.quote))
        except Conflict:
            await self.reload()
            self.notify(RELOADED, severity="error", timeout=8)
            return False
        except ValidationError as error:
            left = form.show_validation(error)
            if left:
                self.notify(left, severity="error", timeout=8)
            return False
        except AcctmgrError as error:
            if not form.show_error(error.field, error.message):
                self.notify(error.message, severity="error", timeout=8)
            return False
        return True

    async def reload(self) -> bool:
        """Load the quote as stored now and show it, with what the user typed laid over it; a
        field someone else changed meanwhile is shown as theirs, with a sentence beside it.
        False when the quote could not be loaded (the user was told) or a field clashed."""
        before = self._stored_values()
        typed = self.values()
        try:
            fresh: QuoteView = await self.services.run_service(quotes.get_quote, self.quote.id)
        except AcctmgrError as error:
            self.notify(error.message, severity="error", timeout=8)
            return False
        if fresh.version == self.quote.version:
            return True
        await self.rebuild(fresh)
        shown, clashes = typed_over(before, self._stored_values(), typed)
        form = self.query_one(Form)
        form.fill(shown)
        for name in clashes:
            form.show_error(
                name,
                f"Someone else changed this to {shown[name]} while you typed {typed[name]}; "
                "type yours again to keep it.",
            )
        self.post_message(self.Saved(self, fresh))
        return not clashes

    async def rebuild(self, quote: QuoteView, *, focus_line: int | None = None) -> None:
        """Show the quote as stored: new fields for new lines, the values it holds."""
        self.quote = quote
        # A preview of the old form would land in the new one, or find no form at all.
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self.workers.cancel_group(self, "quote-preview")
        await self.recompose()
        self.query_one(Form).fill(self._stored_values())
        self._show_quote()
        if focus_line is not None:
            self.query_one(f"#qty_{focus_line}", Input).focus()
        else:
            self.focus_first()

    def _focused_line(self) -> int | None:
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors:
            return None
        name = focused.id or ""
        for prefix in ("qty_", "disc_"):
            if name.startswith(prefix):
                return int(name.removeprefix(prefix))
        return None

    # --- the editor's actions ---------------------------------------------------------------

    @work(group="quote-build")
    @in_turn
    async def action_add_from_catalogue(self) -> None:
        if not await self.save_typed():
            return
        chosen: int | None = await self.app.push_screen_wait(
            self.dialogs.pick_sku(self.quote.currency)
        )
        if chosen is None:
            return
        await self._change(
            quote_builder.add_catalogue_line,
            self.quote.id,
            self.quote.version,
            CatalogueLineIn(sku_id=chosen),
            done="Line added at list price; set its quantity and discount.",
        )

    @work(group="quote-build")
    @in_turn
    async def action_add_outside(self) -> None:
        if not await self.save_typed():
            return

        async def add(values: dict[str, str]) -> QuoteView:
            data = OffCatalogueLineIn.model_validate(
                {
                    "description": values["description"],
                    "list_price": values["list_price"],
                    "quantity": values["quantity"] or "1",
                    "discount_pct": values["discount_pct"] or "0",
                }
            )
            added: QuoteView = await self.services.run_service(
                quote_builder.add_off_catalogue_line, self.quote.id, self.quote.version, data
            )
            return added

        added: QuoteView | None = await self.app.push_screen_wait(self.dialogs.outside_item(add))
        if added is not None:
            await self._show_stored(
                added,
                "Item added; Customer Success will need to approve the quote.",
                focus_line=added.lines[-1].id,
            )

    @work(group="quote-build")
    @in_turn
    async def action_write_sow(self) -> None:
        line_id = self._focused_line()
        line = next((line for line in self.quote.lines if line.id == line_id), None)
        if line is None or line.kind is not SkuKind.SERVICE:
            services = [line for line in self.quote.lines if line.kind is SkuKind.SERVICE]
            if len(services) != 1:
                self.notify(
                    "Move to a service line's quantity first: a statement of work belongs on "
                    "workshops and audits.",
                    severity="warning",
                )
                return
            line = services[0]
        if not await self.save_typed():
            return
        target = line

        async def write(values: dict[str, str]) -> QuoteView:
            written: QuoteView = await self.services.run_service(
                quote_builder.write_statement_of_work,
                self.quote.id,
                self.quote.version,
                target.id,
                values["statement_of_work"],
            )
            return written

        written: QuoteView | None = await self.app.push_screen_wait(
            self.dialogs.statement_of_work(target, write)
        )
        if written is not None:
            await self._show_stored(written, "Statement of work saved.")

    @work(group="quote-build")
    @in_turn
    async def action_remove_line(self) -> None:
        line_id = self._focused_line()
        if line_id is None:
            self.notify("Move to the line's quantity or discount first.", severity="warning")
            return
        if len(self.quote.lines) == 1:
            self.notify("A quote keeps at least one line; add another first.", severity="warning")
            return
        if not await self.save_typed():
            return
        quote = self.quote
        assert quote.starts_on is not None
        edit = QuoteEdit(
            lines=[
                QuoteLineIn(line_id=line.id, quantity=line.quantity, discount_pct=line.discount_pct)
                for line in quote.lines
                if line.id != line_id
            ],
            starts_on=quote.starts_on,
        )
        await self._change(quotes.update_quote, quote.id, quote.version, edit, done="Line removed.")

    async def _change(self, fn: Callable[..., QuoteView], *args: Any, done: str) -> None:
        try:
            changed: QuoteView = await self.services.run_service(fn, *args)
        except AcctmgrError as error:
            if isinstance(error, Conflict):
                await self.reload()
            self.notify(
                RELOADED if isinstance(error, Conflict) else error.message,
                severity="error",
                timeout=8,
            )
            return
        known = {line.id for line in self.quote.lines}
        added = [line.id for line in changed.lines if line.id not in known]
        await self._show_stored(changed, done, focus_line=added[-1] if added else None)

    async def _show_stored(
        self, quote: QuoteView, done: str, *, focus_line: int | None = None
    ) -> None:
        await self.rebuild(quote, focus_line=focus_line)
        self.post_message(self.Saved(self, quote))
        self.notify(done)
