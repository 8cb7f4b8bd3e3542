"""What every step of a guided wizard shares: the step indicator, a form, drafts, submitting.

A step screen shows where the process stands and the fields of its step. Ctrl+S submits: the
screen turns its form into the step's typed input (``build_input``, a pydantic model) and hands
it to ``submit``, which the wizard runner wires to the step's use case; the service validates
again and decides. A refusal comes back as a sentence under the field it concerns (or as a
notification). Leaving with Escape, or pausing while typing, keeps a draft in the one drafts
store (``services.kernel.drafts``), keyed by record, step and user: it never changes the
record's version, so the user's own next save is never taken for someone else's. The same user
resumes exactly there on any workstation. The screen dismisses with True when its step was
done, False when the user left it, and a ``Reload`` when someone else saved the record first
and the user chose to reload it: the runner loads the record again and shows the step with
what the user had typed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Checkbox, Header, Input, Select, Static

from acctmgr.domain.records import RecordType
from acctmgr.errors import AcctmgrError, Conflict
from acctmgr.screens.base import AcctmgrScreen, submit_form
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.widgets.form import Form, FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.step_indicator import StepIndicator, StepState

log = logging.getLogger("acctmgr.screens")
DRAFT_DELAY = 1.0  # seconds of quiet typing before the draft is kept


@dataclass(frozen=True)
class DraftKey:
    """Where a step's draft is kept: the record and the step (the user is who is signed in)."""

    record_type: RecordType
    record_id: int
    step: str


@dataclass(frozen=True)
class Reload:
    """What a step dismisses with when someone else saved its record first: the values the
    user typed, to be laid over the step of the record as loaded again."""

    values: dict[str, str]


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

    def __init__(
        self, title: str, draft_key: DraftKey | None = None, draft: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.title = title
        self.draft_key = draft_key
        self._draft = dict(draft or {})
        # Given by the wizard runner: hands the step's typed input to its use case.
        self.submit: Callable[[Any], Awaitable[Any]] | None = None
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
        """What the signed-in user left in a draft at this step, as loaded with the record."""
        return self._draft

    def has_unsaved_work(self) -> bool:
        """Whether something typed here is kept nowhere yet (not saved, not in a draft)."""
        return self._dirty

    def carry(self, reload: Reload) -> None:
        """Show what the user typed before the record was loaded again, over its draft."""
        self._draft = {**self._draft, **reload.values}

    async def save_draft(self, values: dict[str, str]) -> None:
        """Keep what was typed in the drafts store; the record itself is not touched."""
        key = self.draft_key
        if key is None:
            return
        from acctmgr.services.kernel import drafts  # the ORM, loaded after My day has painted

        try:
            await self.run_service(
                drafts.keep_draft, key.record_type, key.record_id, key.step, values
            )
        except AcctmgrError as error:
            self.notify(error.message, severity="warning")
        except Exception:
            # A draft not kept must never take the step (or the app) down with it.
            log.exception("keeping the draft of %s failed", key)
            self.notify("Your draft could not be kept just now.", severity="warning")

    def result(self) -> Any:
        """What the screen dismisses with once its step is done."""
        return True

    def build_input(self, values: dict[str, str]) -> Any:
        """The step's typed input (a pydantic model) from the form's values; a ValidationError
        or InvalidInput names the field. Steps that submit through the runner define it."""
        raise NotImplementedError(f"{type(self).__name__} builds no input")

    async def hand_in(self, values: dict[str, str]) -> Any:
        """Build the typed input and hand it to the step's use case; what the use case returns.
        An AcctmgrError (or a ValidationError) refuses, and is shown beside its field."""
        if self.submit is None:
            raise NotImplementedError(f"{type(self).__name__} has no use case to submit to")
        return await self.submit(self.build_input(values))

    async def done(self, values: dict[str, str]) -> bool:
        """True when the step is done; steps that call their own use cases override it."""
        await self.hand_in(values)
        return True

    # --- the frame ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield StepIndicator(id="step-indicator")
        with VerticalScroll(id="step-body"):
            yield Static("", id="step-intro")
            yield Form(self.form_fields, id="step-form")
            yield from self.compose_after()
            yield Static(f"Ctrl+S: {self.submit_label}", id="step-hint")
        yield KeysFooter()

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

    # Not exclusive: a second Ctrl+S would cancel the save on its way, whose thread still
    # commits; while one runs (``_busy``) another press is ignored.
    @work(group="step")
    async def action_submit(self) -> None:
        if self._busy:
            return
        self._busy = True
        conflicts: list[Conflict] = []

        async def done(values: dict[str, str]) -> bool:
            try:
                return await self.done(values)
            except Conflict as conflict:
                conflicts.append(conflict)
                return False

        try:
            form = self.query_one(Form)
            _, finished = await submit_form(self, form, done)
            if conflicts and await self._reload_asked(conflicts[0]):
                self._stop_drafts()
                self.dismiss(Reload(form.values()))
                return
        finally:
            self._busy = False
        if finished:
            self._stop_drafts()
            self.dismiss(self.result())

    async def _reload_asked(self, conflict: Conflict) -> bool:
        """Whether the user wants the record as it now stands, with what they typed kept."""
        ask = ConfirmScreen(conflict.message, "Reload it now, keeping what you typed here?")
        return bool(await self.app.push_screen_wait(ask))

    def _stop_drafts(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()

    @work(group="step")
    async def action_leave(self) -> None:
        if self._busy:
            return  # a save is on its way: leaving now would race it
        self._stop_drafts()
        if self._dirty:
            await self.save_draft(self.query_one(Form).values())
        self.dismiss(False)
