"""A compact form: one labelled row per field, and its error sentence right below it.

Fields are text inputs, longer text (a TextArea), choices (Select) or a confirmation
checkbox. A text input picked from a long list (the territory of use) offers to complete what
is typed, with a plain function the services give (``FormField.complete``). Values go in and
out as plain strings keyed by field name, which is also what a saved draft holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, TextArea

from acctmgr.errors import AcctmgrError, InvalidFields
from acctmgr.services.kernel.validation import problem_sentence


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text, area, choice, check
    placeholder: str = ""
    choices: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, value)
    # What a text input offers as its completion of what is typed (→ accepts it); None for none.
    complete: Callable[[str], str | None] | None = None


class _Completion(Suggester):
    """A Textual suggester over a plain completing function, which does its own folding."""

    def __init__(self, complete: Callable[[str], str | None]) -> None:
        super().__init__(use_cache=True, case_sensitive=True)
        self.complete = complete

    async def get_suggestion(self, value: str) -> str | None:
        found = self.complete(value)
        # Shown as the rest of what is typed: only a completion at least as long can show.
        return found if found and len(found) > len(value) else None


class Form(Vertical):
    """The fields of one step; ``values()`` and ``fill()`` speak plain strings."""

    DEFAULT_CSS = """
    Form { height: auto; }
    Form .form-row { height: 1; }
    Form .form-row.area { height: 8; }
    Form .form-row TextArea { width: 1fr; height: 8; }
    Form .form-label { width: 22; color: $text-muted; }
    Form .form-row Input { width: 1fr; background: $boost; }
    Form .form-row Select { width: 1fr; }
    Form .form-row Checkbox { width: 1fr; border: none; padding: 0; height: 1; }
    Form .form-error { color: $text-error; height: auto; display: none; padding-left: 22; }
    Form .form-error.shown { display: block; }
    """

    def __init__(self, fields: Iterable[FormField], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fields = list(fields)

    def compose(self) -> ComposeResult:
        for spec in self.fields:
            with Horizontal(classes="form-row area" if spec.kind == "area" else "form-row"):
                yield Label(Content(spec.label), classes="form-label")
                yield self._control(spec)
            yield Label("", id=f"{spec.name}-error", classes="form-error")

    def _control(self, spec: FormField) -> Widget:
        if spec.kind == "choice":
            return Select(
                list(spec.choices), id=spec.name, compact=True, prompt=spec.placeholder or "Choose"
            )
        if spec.kind == "check":
            return Checkbox(spec.placeholder, id=spec.name, compact=True)
        if spec.kind == "area":
            return TextArea(id=spec.name, soft_wrap=True, show_line_numbers=False, compact=True)
        suggester = _Completion(spec.complete) if spec.complete else None
        return Input(placeholder=spec.placeholder, id=spec.name, compact=True, suggester=suggester)

    def values(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for spec in self.fields:
            control = self.query_one(f"#{spec.name}")
            if isinstance(control, Input):
                found[spec.name] = control.value
            elif isinstance(control, TextArea):
                found[spec.name] = control.text
            elif isinstance(control, Checkbox):
                found[spec.name] = "yes" if control.value else ""
            elif isinstance(control, Select):
                value = control.value
                found[spec.name] = value if isinstance(value, str) else ""
        return found

    def fill(self, values: dict[str, str]) -> None:
        for spec in self.fields:
            if spec.name not in values:
                continue
            value = values[spec.name]
            control = self.query_one(f"#{spec.name}")
            if isinstance(control, Input):
                control.value = value
            elif isinstance(control, TextArea):
                control.load_text(value)
            elif isinstance(control, Checkbox):
                control.value = bool(value)
            elif isinstance(control, Select) and any(v == value for _, v in spec.choices):
                control.value = value

    def clear_errors(self) -> None:
        for label in self.query(".form-error").results(Label):
            label.update("")
            label.remove_class("shown")

    def show_error(self, name: str | None, message: str, *, focus: bool = True) -> bool:
        """Put the sentence under its field; False when the form has no such field."""
        if name is None or not any(spec.name == name for spec in self.fields):
            return False
        label = self.query_one(f"#{name}-error", Label)
        label.update(Content(message))
        label.add_class("shown")
        if focus:
            control = self.query_one(f"#{name}")
            control.focus()
            if isinstance(control, Input):
                # Typing the correction replaces the refused value instead of adding to it
                # ("55.55" and a 1 made "55.551"); the field may have had the focus all along.
                control.select_all()
        return True

    def show_validation(self, error: ValidationError, names: dict[str, str] | None = None) -> str:
        """Show pydantic's complaints beside their fields, all at once, the first field in
        error focused; returns those it could not place."""
        placed: list[tuple[str | None, str]] = []
        for problem in error.errors():
            location = str(problem["loc"][0]) if problem["loc"] else ""
            placed.append(((names or {}).get(location, location), problem_sentence(problem)))
        return self._show_all(placed)

    def show_refusal(self, error: AcctmgrError) -> str:
        """Show a refusal beside its field, or each of several (InvalidFields) beside theirs,
        the first field in error focused; returns the sentences it could not place."""
        problems = error.problems if isinstance(error, InvalidFields) else [error]
        return self._show_all([(problem.field, problem.message) for problem in problems])

    def _show_all(self, problems: list[tuple[str | None, str]]) -> str:
        order = {spec.name: index for index, spec in enumerate(self.fields)}
        placed = [(name, text) for name, text in problems if name in order]
        # The first field in error is the one highest in the form, whatever order the checks
        # ran in, so the user corrects from the top down.
        first = min(placed, key=lambda problem: order[str(problem[0])], default=(None, ""))[0]
        for name, text in placed:
            self.show_error(name, text, focus=name == first)
        return " ".join(text for name, text in problems if name not in order)

    def focus_first(self) -> None:
        if self.fields:
            self.query_one(f"#{self.fields[0].name}").focus()
