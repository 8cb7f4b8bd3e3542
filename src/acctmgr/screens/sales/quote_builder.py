"""The quote builder every wizard embeds: lines from the catalogue, quantities and discounts,
the statement of work, the territory, with totals and the approvals the quote will need
recomputed as you type.

The builder is a step screen (``StepScreen``) that wizard steps extend: its form holds the
effective date,
the territory and a quantity and a discount per line. Adding a line (from the catalogue or, as
an exception, from outside it), writing a statement of work or removing a line first keeps what
was typed, then saves the change and rebuilds the form around the quote as stored.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from textual import on, work
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input, Static

from acctmgr.domain.catalogue import SkuKind
from acctmgr.errors import AcctmgrError, InvalidInput
from acctmgr.screens.wizards.step import StepScreen
from acctmgr.services.kernel.money import format_money
from acctmgr.services.sales import quote_builder, quotes
from acctmgr.services.sales.quote_builder import OffCatalogueLineIn
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn, QuotePreview
from acctmgr.widgets.form import Form, FormField, sentence
from acctmgr.widgets.text import prose, safe

PREVIEW_DELAY = 0.3
KIND_LABELS = {
    SkuKind.SUBSCRIPTION: "subscription",
    SkuKind.ONE_OFF: "one-off",
    SkuKind.SERVICE: "service",
    SkuKind.USAGE: "usage",
    SkuKind.INCLUDED: "included",
}


def quote_fields(quote: QuoteView) -> list[FormField]:
    """The date, the territory, and a quantity and discount for each line."""
    found = [
        FormField("starts_on", "Effective from", placeholder="YYYY-MM-DD"),
        FormField("territory", "Territory of use", placeholder="where the customer may use it"),
    ]
    for line in quote.lines:
        name = f"{line.position}. {line.description}"[:20]
        found.append(FormField(f"qty_{line.id}", name, placeholder="quantity"))
        if line.kind is not SkuKind.INCLUDED:
            found.append(FormField(f"disc_{line.id}", "   discount %", placeholder="0-100"))
    return found


class QuoteBuilder(StepScreen):
    """A step that builds ``self.quote``; subclasses call ``show_quote`` from ``on_mount`` and
    yield ``Static(id="quote-totals")`` from ``compose_after``."""

    BINDINGS = [
        Binding("ctrl+n", "add_from_catalogue", "Add from catalogue", priority=True),
        Binding("ctrl+o", "add_outside", "Item outside catalogue", priority=True),
        Binding("ctrl+t", "write_sow", "Statement of work", priority=True),
        Binding("ctrl+r", "remove_line", "Remove line", priority=True),
    ]
    quote: QuoteView
    _preview_timer: Timer | None = None

    # --- the form ---------------------------------------------------------------------------

    def quote_defaults(self) -> dict[str, str]:
        quote = self.quote
        today = self.context.clock.now().date()
        values = {
            "starts_on": (quote.starts_on or today).isoformat(),
            "territory": quote.territory,
        }
        for line in quote.lines:
            values[f"qty_{line.id}"] = str(line.quantity)
            values[f"disc_{line.id}"] = f"{line.discount_pct.normalize():f}"
        return values

    def quote_edit(self, values: dict[str, str]) -> QuoteEdit:
        """The typed form as a QuoteEdit; a bad number is refused beside its own field."""
        from acctmgr.screens.retention.steps import parse_day

        lines = []
        for line in self.quote.lines:
            try:
                lines.append(
                    QuoteLineIn.model_validate(
                        {
                            "line_id": line.id,
                            "quantity": values.get(f"qty_{line.id}", ""),
                            "discount_pct": values.get(f"disc_{line.id}", "0"),
                        }
                    )
                )
            except ValidationError as error:
                problem = error.errors()[0]
                prefix = "qty" if problem["loc"][:1] == ("quantity",) else "disc"
                raise InvalidInput(sentence(problem["msg"]), field=f"{prefix}_{line.id}") from None
        if not lines:
            raise InvalidInput("Add a line from the catalogue first (Ctrl+N).")
        return QuoteEdit(
            lines=lines,
            starts_on=parse_day(values.get("starts_on", ""), "starts_on"),
            territory=values.get("territory", ""),
        )

    def show_quote(self) -> None:
        self._show_totals(None)
        self._schedule_preview()

    @on(Input.Changed)
    def _schedule_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self.preview)

    @work(exclusive=True, group="quote-preview")
    async def preview(self) -> None:
        try:
            edit = self.quote_edit(self.query_one(Form).values())
            found: QuotePreview = await self.run_service(quotes.preview_quote, self.quote.id, edit)
        except (ValidationError, AcctmgrError):
            return  # the field errors appear on saving; the preview keeps the last good totals
        self._show_totals(found)

    def _show_totals(self, preview: QuotePreview | None) -> None:
        quote = self.quote
        net = preview.net_total_minor if preview else quote.net_total_minor
        listed = preview.list_total_minor if preview else quote.list_total_minor
        needs = preview.approvals_needed if preview else quote.approvals_needed
        nets = preview.line_nets if preview else {line.id: line.net_minor for line in quote.lines}
        rows = [] if quote.lines else ["No lines yet: Ctrl+N adds one from the catalogue."]
        for line in quote.lines:
            kind = KIND_LABELS[line.kind] if line.kind else "outside the catalogue"
            rows.append(f"  {line.position}. {safe(line.description)[:50]} ({kind})")
            rows.append(
                f"       list {self.money(line.list_price_minor)} each → sold "
                f"{self.money(nets.get(line.id, 0))}"
            )
            if line.consume_by:
                rows.append(f"       to be used by {line.consume_by:%d %b %Y}")
            if line.statement_of_work:
                rows.append(f"       SOW: {safe(line.statement_of_work)[:60]}")
        rows.append(f"Total list {self.money(listed)} · sold {self.money(net)}")
        if quote.reduction_minor is not None:
            reduction = preview.reduction_minor if preview else quote.reduction_minor
            rows[-1] += f" a year · reduction {self.money(reduction)}"
        approvals = (
            "; ".join(f"{need.rule} ({', '.join(need.names) or need.blocked})" for need in needs)
            or "none"
        )
        rows.append(f"Approvals this quote needs: {approvals}")
        self.query_one("#quote-totals", Static).update(prose("\n".join(rows)))

    def money(self, minor: int | None) -> str:
        return format_money(minor or 0, self.quote.currency)

    # --- saving -----------------------------------------------------------------------------

    async def save_typed(self) -> bool:
        """Save what was typed if it differs from the quote; False (with the sentence shown)
        when it cannot be saved."""
        form = self.query_one(Form)
        form.clear_errors()
        try:
            edit = self.quote_edit(form.values())
            if edit != self._stored_edit():
                self.quote = await self.run_service(
                    quotes.update_quote, self.quote.id, self.quote.version, edit
                )
        except ValidationError as error:
            left = form.show_validation(error)
            if left:
                self.notify(left, severity="error", timeout=8, markup=False)
            return False
        except AcctmgrError as error:
            if self.quote.lines or error.field:
                if not form.show_error(error.field, error.message):
                    self.notify(error.message, severity="error", timeout=8, markup=False)
                return False
        return True

    def _stored_edit(self) -> QuoteEdit | None:
        quote = self.quote
        if not quote.lines or quote.starts_on is None:
            return None
        return QuoteEdit(
            lines=[
                QuoteLineIn(line_id=line.id, quantity=line.quantity, discount_pct=line.discount_pct)
                for line in quote.lines
            ],
            starts_on=quote.starts_on,
            territory=quote.territory,
        )

    async def rebuild(self, quote: QuoteView, *, focus_line: int | None = None) -> None:
        """Show the quote as stored: new fields for new lines, the values it holds."""
        self.quote = quote
        self.form_fields = [*self.form_fields[: self.fixed_fields()], *quote_fields(quote)]
        await self.recompose()
        self.on_mount()
        self.query_one(Form).fill(self.quote_defaults())
        if focus_line is not None:
            self.query_one(f"#qty_{focus_line}", Input).focus()

    def fixed_fields(self) -> int:
        """How many fields before the quote's own the screen shows (a case step's, say)."""
        return 0

    def _focused_line(self) -> int | None:
        focused = self.focused
        name = focused.id if focused is not None and focused.id else ""
        for prefix in ("qty_", "disc_"):
            if name.startswith(prefix):
                return int(name.removeprefix(prefix))
        return None

    # --- the builder's actions --------------------------------------------------------------

    @work(exclusive=True, group="quote-build")
    async def action_add_from_catalogue(self) -> None:
        from acctmgr.screens.sales.sku_picker import SkuPicker

        if not await self.save_typed():
            return
        chosen = await self.app.push_screen_wait(SkuPicker(self.quote.currency))
        if chosen is None:
            return
        await self._change(
            quote_builder.add_catalogue_line,
            self.quote.id,
            self.quote.version,
            quote_builder.CatalogueLineIn(sku_id=chosen),
            done="Line added at list price; set its quantity and discount.",
        )

    @work(exclusive=True, group="quote-build")
    async def action_add_outside(self) -> None:
        from acctmgr.screens.dialog import FormDialog

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
            added: QuoteView = await self.run_service(
                quote_builder.add_off_catalogue_line, self.quote.id, self.quote.version, data
            )
            return added

        added = await self.app.push_screen_wait(
            FormDialog(
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
        )
        if added is not None:
            await self.rebuild(added, focus_line=added.lines[-1].id)
            self.notify("Item added; Customer Success will need to approve the quote.")

    @work(exclusive=True, group="quote-build")
    async def action_write_sow(self) -> None:
        from acctmgr.screens.dialog import FormDialog

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
            written: QuoteView = await self.run_service(
                quote_builder.write_statement_of_work,
                self.quote.id,
                self.quote.version,
                target.id,
                values["statement_of_work"],
            )
            return written

        written = await self.app.push_screen_wait(
            FormDialog(
                f"Statement of work: {target.description}",
                [FormField("statement_of_work", "SOW", "area")],
                write,
                intro="The only free text on a PO: what pre-sales and the customer agreed "
                "this service will deliver.",
                values={"statement_of_work": target.statement_of_work},
            )
        )
        if written is not None:
            await self.rebuild(written)
            self.notify("Statement of work saved.")

    @work(exclusive=True, group="quote-build")
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

    async def _change(self, fn: Any, *args: Any, done: str) -> None:
        try:
            changed: QuoteView = await self.run_service(fn, *args)
        except AcctmgrError as error:
            self.notify(error.message, severity="error", timeout=8, markup=False)
            return
        added = [line.id for line in changed.lines if line.id not in self._line_ids()]
        await self.rebuild(changed, focus_line=added[-1] if added else None)
        self.notify(done)

    def _line_ids(self) -> set[int]:
        return {line.id for line in self.quote.lines}
