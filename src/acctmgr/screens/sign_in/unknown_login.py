"""Shown when the login at the keyboard is not a user of this database."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.text import content


class UnknownLoginScreen(Screen[None]):
    """The sentence that explains, and how to start as someone who exists."""

    TITLE = "Who are you?"
    BINDINGS = [Binding("escape,enter", "app.quit", "Quit")]

    def __init__(self, message: str, hint: str) -> None:
        super().__init__()
        self._message = message
        self._hint = hint

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="dialog"):
            yield Static("acctmgr does not know you yet", classes="dialog-title")
            yield Static(content(self._message), id="unknown-message", classes="dialog-text")
            yield Static(content(self._hint), classes="dialog-text")
        yield KeysFooter()
