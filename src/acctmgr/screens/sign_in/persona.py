"""After loading the demo data: choose which persona to be."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.text import content


class PersonaScreen(Screen[str | None]):
    """One option per demo persona; returns the chosen login."""

    TITLE = "Welcome"
    SUB_TITLE = "Choose who you are"
    BINDINGS = [Binding("escape", "quit_app", "Quit")]

    def __init__(self, personas: list[tuple[str, str, str]]) -> None:
        """``personas`` are (login, full name, roles) rows."""
        super().__init__()
        self._personas = personas

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="dialog"):
            yield Static("The demo data is loaded", classes="dialog-title")
            yield Static(
                "Sign in as one of them; next time, start with --as LOGIN.",
                classes="dialog-text",
            )
            yield OptionList(
                *(
                    Option(content(f"{login:<9} {name} — {roles}"), id=login)
                    for login, name, roles in self._personas
                ),
                id="personas",
                compact=True,
            )
        yield KeysFooter()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_id)

    def action_quit_app(self) -> None:
        self.dismiss(None)
