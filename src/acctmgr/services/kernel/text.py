"""Text people type and text shown back: no control characters in, none raw out.

A control character (Unicode category Cc: the C0 codes, DEL and the C1 codes) in a name is never
meant. Shown in a terminal, an escape sequence in a user's name retitles or clears the screen of
whoever lists the users; a NUL cannot even be stored on PostgreSQL; a line break splits a row.
So one rule refuses them where text comes in: ``SingleLine`` for names, codes and the like,
``FreeText`` for notes and descriptions, where line breaks and tabs are writing.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, ValidationInfo

from acctmgr.errors import InvalidInput
from acctmgr.services.kernel.validation import sentence

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# In free text a line feed and a tab are writing; a carriage return is folded into a line feed
# before this is looked for.
CONTROL_IN_FREE_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SINGLE_LINE_RULE = (
    "the {what} cannot contain control characters such as escape codes or line breaks"
)
FREE_TEXT_RULE = "the {what} cannot contain control characters such as escape codes"


def check_single_line(value: str, what: str) -> str:
    """``value`` unchanged; ValueError naming ``what`` when it holds any control character."""
    if CONTROL.search(value):
        raise ValueError(SINGLE_LINE_RULE.format(what=what))
    return value


def check_free_text(value: str, what: str) -> str:
    """``value`` with its line ends as ``\\n``; ValueError naming ``what`` when it holds a
    control character other than a line break or a tab."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if CONTROL_IN_FREE_TEXT.search(value):
        raise ValueError(FREE_TEXT_RULE.format(what=what))
    return value


def _field_label(info: ValidationInfo) -> str:
    return (info.field_name or "text").replace("_", " ")


def _single_line_field(value: str, info: ValidationInfo) -> str:
    return check_single_line(value, _field_label(info))


def _free_text_field(value: str, info: ValidationInfo) -> str:
    return check_free_text(value, _field_label(info))


SINGLE_LINE_CHECK = AfterValidator(_single_line_field)
FREE_TEXT_CHECK = AfterValidator(_free_text_field)
# The types of every text field of an input model: a name, a code, an e-mail address...
SingleLine = Annotated[str, SINGLE_LINE_CHECK]
# ... or notes, a description, a comment: several lines of writing.
FreeText = Annotated[str, FREE_TEXT_CHECK]


def single_line(value: str, *, what: str, field: str | None = None) -> str:
    """The ``SingleLine`` rule for a use case that takes text without an input model.

    Raises InvalidInput, beside ``field``, when ``value`` holds a control character.
    """
    try:
        return check_single_line(value, what)
    except ValueError as error:
        raise InvalidInput(sentence(str(error)), field=field) from None


def free_text(value: str, *, what: str, field: str | None = None) -> str:
    """The ``FreeText`` rule for a use case that takes text without an input model: ``value``
    with ``\\n`` line ends, or InvalidInput beside ``field``."""
    try:
        return check_free_text(value, what)
    except ValueError as error:
        raise InvalidInput(sentence(str(error)), field=field) from None
