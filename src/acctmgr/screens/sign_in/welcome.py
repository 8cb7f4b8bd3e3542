"""First run on an empty database: set it up for real, or load the demo data to try acctmgr."""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from acctmgr.widgets.keys_footer import KeysFooter

Choice = Literal["admin", "demo"]


class WelcomeScreen(Screen[Choice | None]):
    """Titled "Welcome": the two ways to start on a new, empty database."""

    TITLE = "Welcome"
    BINDINGS = [Binding("escape", "quit_app", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="welcome", classes="dialog"):
            yield Static("Welcome to acctmgr", classes="dialog-title")
            yield Static(
                "This database is new and empty. How would you like to start?",
                classes="dialog-text",
            )
            yield OptionList(
                Option("Create the first admin and start using acctmgr", id="admin"),
                Option("Load the demo data and try it out as any role", id="demo"),
                id="welcome-choices",
            )
        yield KeysFooter()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        choice: Choice = "admin" if event.option_id == "admin" else "demo"
        self.dismiss(choice)

    def action_quit_app(self) -> None:
        self.dismiss(None)
