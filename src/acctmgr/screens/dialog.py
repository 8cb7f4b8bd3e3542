"""A small form over the current screen: a few fields, Ctrl+S to save, Escape to cancel.

The dialog calls its ``save`` function with the typed values (in a thread when it is a use
case); a refusal stays in the dialog as a sentence under its field, so nothing is lost, and
the dialog closes with whatever ``save`` returned only once it worked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from acctmgr.screens.base import AcctmgrModal, submit_form
from acctmgr.widgets.form import Form, FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.text import content, prose

Save = Callable[[dict[str, str]], Awaitable[Any]]


class FormDialog(AcctmgrModal):
    """Dismisses with ``save``'s result, or None when cancelled."""

    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    FormDialog #dialog-intro { height: auto; margin-bottom: 1; }
    FormDialog #dialog-hint { color: $text-muted; height: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        title: str,
        fields: list[FormField],
        save: Save,
        *,
        intro: str = "",
        values: dict[str, str] | None = None,
        save_label: str = "Save",
    ) -> None:
        super().__init__()
        self.dialog_title = title
        self.fields = fields
        self.save = save
        self.intro = intro
        self.values = values or {}
        self.save_label = save_label
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = escape(self.dialog_title)
            if self.intro:
                yield Static(prose(self.intro), id="dialog-intro")
            yield Form(self.fields, id="dialog-form")
            yield Static(f"Ctrl+S: {self.save_label} · Escape: cancel", id="dialog-hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        form = self.query_one(Form)
        form.fill(self.values)
        form.focus_first()

    @work(group="dialog")
    async def action_save(self) -> None:
        if self._saving:
            return  # a second Ctrl+S while the first is saving must not save twice
        self._saving = True
        try:
            saved, result = await submit_form(self, self.query_one(Form), self.save)
        finally:
            self._saving = False
        if saved:
            self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A question answered with y or n (Escape is no)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self._question = question
        self._detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(content(self._question), classes="dialog-title")
            if self._detail:
                yield Static(content(self._detail), classes="dialog-text")
            yield Static("y  yes    n  no", classes="dialog-text")
        yield KeysFooter()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
