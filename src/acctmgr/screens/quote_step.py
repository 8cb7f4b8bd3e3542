"""Building the quote: quantities and discounts per line, with totals and the approvals the quote
will need recomputed as you type (the live preview), then saved and sent to review."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Static

from acctmgr.errors import AcctmgrError, InvalidInput
from acctmgr.screens.retention_steps import CaseStep, parse_day
from acctmgr.services import quotes, retention
from acctmgr.services.quotes import QuoteEdit, QuoteLineIn, QuotePreview, QuoteView
from acctmgr.services.retention import CaseView
from acctmgr.widgets.form import Form, FormField, sentence
from acctmgr.widgets.text import prose

PREVIEW_DELAY = 0.3


class QuoteStep(CaseStep):
    SUBMIT_LABEL = "Save the quote and go to review"
    FIELDS: ClassVar[list[FormField]] = []

    def __init__(self, case: CaseView, quote: QuoteView) -> None:
        super().__init__(case)
        self.quote = quote
        self._preview_timer: Timer | None = None
        self.form_fields = [FormField("starts_on", "Effective from", placeholder="YYYY-MM-DD")]
        for line in quote.lines:
            name = f"{line.position}. {line.description}"[:20]
            self.form_fields += [
                FormField(f"qty_{line.id}", name, placeholder="quantity"),
                FormField(f"disc_{line.id}", "   discount %", placeholder="0-100"),
            ]

    def intro(self) -> Any:
        parts = [
            prose(
                f"Quote {self.quote.number} · current rate "
                f"{self.money(self.quote.current_rate_minor)} a year · "
                f"customer asks {self.money(self.case.requested_reduction_minor)} off"
            )
        ]
        if self.case.rejection_comment:
            parts.insert(
                0,
                Content.from_markup(
                    "[b $text-error]Rejected:[/] $comment", comment=self.case.rejection_comment
                ),
            )
        parts.append(prose(f"Earliest effective date: {self.case.earliest_effective}\n"))
        return Content("\n").join(parts)

    def compose_after(self) -> ComposeResult:
        yield Static("", id="quote-totals")

    def defaults(self) -> dict[str, str]:
        values = {"starts_on": (self.quote.starts_on or self.today()).isoformat()}
        for line in self.quote.lines:
            values[f"qty_{line.id}"] = str(line.quantity)
            values[f"disc_{line.id}"] = f"{line.discount_pct.normalize():f}"
        return values

    def on_mount(self) -> None:
        super().on_mount()
        self._show_totals(None)
        self._schedule_preview()

    @on(Input.Changed)
    def _schedule_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self.preview)

    def edit(self, values: dict[str, str]) -> QuoteEdit:
        """The typed lines as a QuoteEdit; a bad number is refused beside its own field."""
        lines = []
        for line in self.quote.lines:
            try:
                lines.append(
                    QuoteLineIn.model_validate(
                        {
                            "line_id": line.id,
                            "quantity": values[f"qty_{line.id}"],
                            "discount_pct": values[f"disc_{line.id}"],
                        }
                    )
                )
            except ValidationError as error:
                problem = error.errors()[0]
                prefix = "qty" if problem["loc"][:1] == ("quantity",) else "disc"
                raise InvalidInput(sentence(problem["msg"]), field=f"{prefix}_{line.id}") from None
        return QuoteEdit(lines=lines, starts_on=parse_day(values["starts_on"], "starts_on"))

    @work(exclusive=True, group="quote-preview")
    async def preview(self) -> None:
        try:
            edit = self.edit(self.query_one(Form).values())
            found: QuotePreview = await self.run_service(quotes.preview_quote, self.quote.id, edit)
        except (ValidationError, AcctmgrError):
            return  # the field errors appear on saving; the preview keeps the last good totals
        self._show_totals(found)

    def _show_totals(self, preview: QuotePreview | None) -> None:
        quote = self.quote
        net = preview.net_total_minor if preview else quote.net_total_minor
        listed = preview.list_total_minor if preview else quote.list_total_minor
        reduction = preview.reduction_minor if preview else quote.reduction_minor
        needs = preview.approvals_needed if preview else quote.approvals_needed
        nets = preview.line_nets if preview else {line.id: line.net_minor for line in quote.lines}
        rows = [
            f"  {line.position}. {line.description[:30]}: list "
            f"{self.money(line.list_price_minor)} → net {self.money(nets.get(line.id, 0))}"
            for line in quote.lines
        ]
        rows.append(
            f"Total list {self.money(listed)} · net {self.money(net)} a year · "
            f"reduction {self.money(reduction)}"
        )
        approvals = (
            "; ".join(f"{need.rule} ({', '.join(need.names) or need.blocked})" for need in needs)
            or "none"
        )
        rows.append(f"Approvals this quote needs: {approvals}")
        self.query_one("#quote-totals", Static).update(prose("\n".join(rows)))

    async def done(self, values: dict[str, str]) -> bool:
        edit = self.edit(values)
        saved: QuoteView = await self.run_service(
            quotes.update_quote, self.quote.id, self.quote.version, edit
        )
        self.quote = saved
        case: CaseView = await self.run_service(retention.get_case, self.case.id)
        await self.run_service(retention.finish_quote, self.case.id, case.version)
        return True
