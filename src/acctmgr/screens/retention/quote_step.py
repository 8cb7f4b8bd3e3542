"""The quote step of a rate-reduction case: the quote builder, with the case beside it, saved
and sent to review."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from acctmgr.screens.retention.steps import CaseStep
from acctmgr.screens.sales.quote_builder import QuoteBuilder, quote_fields
from acctmgr.services.retention import quote_approval, views
from acctmgr.services.retention.views import CaseView
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.widgets.form import FormField
from acctmgr.widgets.text import prose


class QuoteStep(QuoteBuilder, CaseStep):
    SUBMIT_LABEL = "Save the quote and go to review"
    FIELDS: ClassVar[list[FormField]] = []

    def __init__(self, case: CaseView, quote: QuoteView) -> None:
        super().__init__(case)
        self.quote = quote
        self.form_fields = quote_fields(quote)

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
        return self.quote_defaults()

    def on_mount(self) -> None:
        super().on_mount()
        self.show_quote()

    async def done(self, values: dict[str, str]) -> bool:
        if not await self.save_typed():
            return False
        case: CaseView = await self.run_service(views.get_case, self.case.id)
        await self.run_service(quote_approval.finish_quote, self.case.id, case.version)
        return True
