"""pydantic's complaints as the sentences people read.

A rule of an input model raises ValueError with its own words (``an e-mail address looks like
name@example.com``), and pydantic reports it as ``Value error, an e-mail address looks like…``.
The command line, the forms and the services that check typed text all show the rule's words
alone, as a sentence, through these two functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from acctmgr.errors import InvalidInput

if TYPE_CHECKING:  # plain Python at run time: kernel.text, on the launch path, uses sentence
    from pydantic import ValidationError

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


def invalid_input(error: ValidationError) -> InvalidInput:
    """pydantic's first complaint as one sentence, beside the field it concerns.

    Our rules name their field in their words; pydantic's own checks (a length, a type) do not,
    so their sentence starts with the field's name: ``Name: String should have at most…``.
    """
    problem = error.errors()[0]
    field = str(problem["loc"][0]) if problem["loc"] else None
    text = str(problem["msg"])
    if problem["type"] != "value_error" and field:
        text = f"{field.replace('_', ' ')}: {text}"
    return InvalidInput(sentence(text), field=field)
