"""What every step of a guided wizard shares: the step indicator, a form, drafts, submitting.

A step screen shows where the process stands and the fields of its step. Ctrl+S submits: the
screen calls its use case, and a refusal comes back as a sentence under the field it concerns
(or as a notification). Leaving with Escape, or pausing while typing, keeps a draft on the
server, so the same user resumes exactly there on any workstation. The screen dismisses with
True when its step was done, and False when the user left it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Checkbox, Footer, Header, Input, Select, Static

from acctmgr.screens.base import AcctmgrScreen, submit_form
from acctmgr.widgets.form import Form, FormField
from acctmgr.widgets.step_indicator import StepIndicator, StepState

DRAFT_DELAY = 1.0  # seconds of quiet typing before the draft is kept


class StepScreen(AcctmgrScreen):
    """One step of a wizard; subclasses give the fields, the intro text and the use case."""

    FIELDS: ClassVar[list[FormField]] = []
    SUBMIT_LABEL: ClassVar[str] = "Done"
    # Keep a draft while typing pauses; a screen that saves the record itself only on leaving
    # (the quote screen) turns this off.
    DRAFTS_WHILE_TYPING: ClassVar[bool] = True
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit step", priority=True),
        Binding("escape", "leave", "Keep draft and leave"),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title
        self.form_fields = list(self.FIELDS)
        self.submit_label = self.SUBMIT_LABEL
        self._draft_timer: Timer | None = None
        self._dirty = False
        self._busy = False

    # --- what a step says -----------------------------------------------------------------

    def steps(self) -> tuple[list[StepState], str]:
        """The wizard's steps and who holds the current one."""
        return [], ""

    def intro(self) -> Any:
        """What the holder needs to see to do this step (text or Content)."""
        return ""

    def defaults(self) -> dict[str, str]:
        return {}

    def draft(self) -> dict[str, str]:
        return {}

    async def save_draft(self, values: dict[str, str]) -> None:
        """Keep what was typed; steps that have a record to keep it on override this."""

    def result(self) -> Any:
        """What the screen dismisses with once its step is done."""
        return True

    async def done(self, values: dict[str, str]) -> bool:
        """Call the use case; True when the step is done. Raise AcctmgrError to refuse."""
        raise NotImplementedError

    # --- the frame ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield StepIndicator(id="step-indicator")
        with VerticalScroll(id="step-body"):
            yield Static("", id="step-intro")
            yield Form(self.form_fields, id="step-form")
            yield from self.compose_after()
            yield Static(f"Ctrl+S: {self.submit_label}", id="step-hint")
        yield Footer()

    def compose_after(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        steps, holder = self.steps()
        if steps:
            self.query_one(StepIndicator).show(steps, holder)
        self.query_one("#step-intro", Static).update(self.intro())
        form = self.query_one(Form)
        form.fill({**self.defaults(), **self.draft()})
        form.focus_first()
        self.call_after_refresh(self._settled)

    def _settled(self) -> None:
        self._dirty = False

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _typed(self) -> None:
        self._dirty = True
        if not self.DRAFTS_WHILE_TYPING:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._keep_draft)

    def _keep_draft(self) -> None:
        if self._dirty and not self._busy:
            self._dirty = False
            self.run_worker(self.save_draft(self.query_one(Form).values()), group="draft")

    @work(exclusive=True, group="step")
    async def action_submit(self) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            _, finished = await submit_form(self, self.query_one(Form), self.done)
        finally:
            self._busy = False
        if finished:
            if self._draft_timer is not None:
                self._draft_timer.stop()
            self.dismiss(self.result())

    @work(exclusive=True, group="step")
    async def action_leave(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        if self._dirty:
            await self.save_draft(self.query_one(Form).values())
        self.dismiss(False)
