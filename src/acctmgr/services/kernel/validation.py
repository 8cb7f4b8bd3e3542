"""pydantic's complaints as the sentences people read.

A rule of an input model raises ValueError with its own words (``an e-mail address looks like
name@example.com``), and pydantic reports it as ``Value error, an e-mail address looks like…``.
The command line, the forms and the services that check typed text all show the rule's words
alone, as a sentence, through these two functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from acctmgr.errors import InvalidFields, InvalidInput

if TYPE_CHECKING:  # plain Python at run time: kernel.text, on the launch path, uses sentence
    from pydantic import BaseModel, ValidationError
    from pydantic_core import ErrorDetails

T = TypeVar("T")
M = TypeVar("M", bound="BaseModel")

# What pydantic puts before the message of a ValueError or an assert in a validator.
PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


def sentence(message: str) -> str:
    """pydantic's "Value error, a discount is …" as "A discount is …."."""
    text = message
    for prefix in PYDANTIC_PREFIXES:
        text = text.removeprefix(prefix)
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


# pydantic's own checks in our words; "{this}" is "this" beside the field, or the field's name.
OUR_WORDS: dict[str, str] = {
    "string_too_long": "keep {this} to {max_length} characters or fewer",
    "string_too_short": "{this} needs at least {min_length} characters",
    "too_long": "keep {this} to {max_length} items or fewer",
    "too_short": "{this} needs at least {min_length} items",
    "missing": "{this} is required",
    "int_parsing": "{this} is a whole number such as 12",
    "int_type": "{this} is a whole number such as 12",
    "int_from_float": "{this} is a whole number such as 12",
    "float_parsing": "{this} is a number such as 12.5",
    "decimal_parsing": "{this} is a number such as 12.5",
    "bool_parsing": "answer yes or no",
    "date_parsing": "a date is written like 2027-04-01",
    "date_from_datetime_parsing": "a date is written like 2027-04-01",
    "greater_than": "{this} is more than {gt}",
    "greater_than_equal": "{this} is at least {ge}",
    "less_than": "{this} is less than {lt}",
    "less_than_equal": "{this} is at most {le}",
    "enum": "{this} is one of {expected}",
    "literal_error": "{this} is one of {expected}",
    "string_pattern_mismatch": "{this} is not written the way it should be",
}
OUR_OWN = ("value_error", "assertion_error")


def problem_sentence(problem: ErrorDetails, *, named: bool = False) -> str:
    """One of pydantic's complaints as our sentence: a rule's own words, or pydantic's check
    in ours (``Keep this to 2000 characters or fewer.``); ``named`` says "the reason" instead
    of "this", for a sentence shown away from its field."""
    if problem["type"] in OUR_OWN:
        return sentence(str(problem["msg"]))
    label = str(problem["loc"][0]).replace("_", " ") if problem["loc"] else ""
    this = f"the {label}" if named and label else "this"
    context: dict[str, Any] = dict(problem.get("ctx") or {})
    template = OUR_WORDS.get(problem["type"], "{this} cannot be used as typed")
    try:
        return sentence(template.format(this=this, **context))
    except (KeyError, IndexError):  # a check whose details differ from what we expect
        return sentence(f"{this} cannot be used as typed")


def invalid_input(error: ValidationError) -> InvalidInput:
    """pydantic's first complaint as one sentence, beside the field it concerns.

    Our rules name their field in their words; pydantic's own checks (a length, a type) are
    put in ours, naming the field: ``Keep the name to 200 characters or fewer.``.
    """
    problem = error.errors()[0]
    field = str(problem["loc"][0]) if problem["loc"] else None
    return InvalidInput(problem_sentence(problem, named=True), field=field)


class Problems:
    """Every field's refusal in one form, gathered so the form shows them all at once.

    ``parse`` runs a parser of one typed value (``parse_money``…) and ``build`` a pydantic
    model; each keeps the refusals instead of stopping at the first, and ``check`` raises them
    together as InvalidFields. ``names`` maps a model's field names to the form's.
    """

    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        self.names = dict(names or {})
        self.found: list[InvalidInput] = []

    def _keep(self, problem: InvalidInput) -> None:
        if not any(p.field == problem.field for p in self.found if problem.field is not None):
            self.found.append(problem)

    def refuse(self, message: str, *, field: str) -> None:
        """Keep a refusal the form itself makes (nothing chosen where a choice is needed)."""
        self._keep(InvalidInput(message, field=field))

    def parse(self, parser: Callable[[], T]) -> T | None:
        """What ``parser`` returns, or None with its refusal kept."""
        try:
            return parser()
        except InvalidInput as problem:
            self._keep(problem)
            return None

    def build(self, model: type[M], values: Mapping[str, Any]) -> M | None:
        """The model of these values, or None with each field's refusal kept (fields whose
        parsing already failed are left out, so they are not refused twice)."""
        # Imported here: pydantic stays off the launch path (kernel.text imports this module).
        from pydantic import ValidationError

        try:
            return model.model_validate(dict(values))
        except ValidationError as error:
            for problem in error.errors():
                name = str(problem["loc"][0]) if problem["loc"] else None
                field = self.names.get(name, name) if name else None
                self._keep(InvalidInput(problem_sentence(problem), field=field))
        except InvalidInput as problem:  # a rule of the whole model (one of two fields…)
            self._keep(problem)
        return None

    def check(self) -> None:
        """Raise every refusal kept, as one InvalidFields; nothing when there is none."""
        if self.found:
            raise InvalidFields(self.found)
