"""The quote step of a rate-reduction case: the quote builder, with the case beside it, saved
and sent to review."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.content import Content

from acctmgr.screens.retention.steps import CaseStep
from acctmgr.screens.sales.quote_dialogs import QUOTE_DIALOGS
from acctmgr.services.retention import quote_approval, views
from acctmgr.services.retention.views import CaseView
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.widgets.form import FormField
from acctmgr.widgets.quote_editor import QuoteEditor
from acctmgr.widgets.text import day, prose


class QuoteStep(CaseStep):
    SUBMIT_LABEL = "Save the quote and go to review"
    FIELDS: ClassVar[list[FormField]] = []

    def __init__(self, case: CaseView, quote: QuoteView) -> None:
        super().__init__(case)
        self.editor = QuoteEditor(quote, self, QUOTE_DIALOGS, typed=self.draft())

    @property
    def quote(self) -> QuoteView:
        return self.editor.quote

    def intro(self) -> Any:
        money = self.editor.money
        parts = [
            prose(
                f"Quote {self.quote.number} · current rate "
                f"{money(self.quote.current_rate_minor)} a year · "
                f"customer asks {money(self.case.requested_reduction_minor)} off"
            )
        ]
        if self.case.rejection_comment:
            parts.insert(
                0,
                Content.from_markup(
                    "[b $text-error]Rejected:[/] $comment", comment=self.case.rejection_comment
                ),
            )
        parts.append(prose(f"Earliest effective date: {day(self.case.earliest_effective)}\n"))
        return Content("\n").join(parts)

    def compose_after(self) -> ComposeResult:
        yield self.editor

    def on_mount(self) -> None:
        # StepScreen.on_mount runs too (Textual calls each class's handler); the step's own
        # form is empty, so the editor takes the focus.
        self.editor.focus_first()

    async def save_draft(self, values: dict[str, str]) -> None:
        # The step's own form is empty: its draft is what is typed in the editor.
        await super().save_draft({**values, **self.editor.values()})

    async def done(self, values: dict[str, str]) -> bool:
        async with self.editor.one_at_a_time():
            if not await self.editor.save_typed():
                return False
            case: CaseView = await self.run_service(views.get_case, self.case.id)
            await self.run_service(quote_approval.finish_quote, self.case.id, case.version)
        return True
