"""The form for the first admin of a new database; returns the validated input or None."""

from __future__ import annotations

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Static

from acctmgr.services.kernel.validation import sentence
from acctmgr.services.people.users import UserIn
from acctmgr.widgets.keys_footer import KeysFooter

FIELDS = (("login", "Login"), ("name", "Full name"), ("email", "E-mail"))


class FirstAdminScreen(Screen[UserIn | None]):
    """Login, name and e-mail of the first admin; each bad field gets its sentence below it."""

    TITLE = "Welcome"
    SUB_TITLE = "Create the first admin"
    AUTO_FOCUS = "#name"
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, login: str | None) -> None:
        super().__init__()
        self._login = login or ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="dialog"):
            yield Static("Create the first admin", classes="dialog-title")
            yield Static(
                "You will sign in as this user; then add the rest of the team in People (F9).",
                classes="dialog-text",
            )
            for name, label in FIELDS:
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input(self._login if name == "login" else "", id=name, compact=True)
                yield Label("", id=f"{name}-error", classes="field-error")
            yield Button("Create admin", id="create", variant="primary")
        yield KeysFooter()

    def on_input_submitted(self) -> None:
        self.submit()

    def on_button_pressed(self) -> None:
        self.submit()

    def submit(self) -> None:
        values = {name: self.query_one(f"#{name}", Input).value for name, _ in FIELDS}
        for name, _ in FIELDS:
            self.query_one(f"#{name}-error", Label).update("")
        try:
            data = UserIn.model_validate(values)
        except ValidationError as error:
            for problem in error.errors():
                field = str(problem["loc"][0]) if problem["loc"] else "login"
                self.query_one(f"#{field}-error", Label).update(sentence(problem["msg"]))
            first = str(error.errors()[0]["loc"][0])
            self.query_one(f"#{first}", Input).focus()
            return
        self.dismiss(data)

    def action_back(self) -> None:
        self.dismiss(None)
