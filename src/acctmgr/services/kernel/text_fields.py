"""The text rule (``kernel.text``) as the types of input models' fields.

Every text field of an input model is one of these two, and a test walks the models to keep it
so: ``SingleLine`` for a name, a code, an e-mail address; ``FreeText`` for notes, a description,
a comment. The sentence names the field: "The name cannot contain control characters…".
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, ValidationInfo

from acctmgr.services.kernel.text import check_free_text, check_single_line


def _field_label(info: ValidationInfo) -> str:
    return (info.field_name or "text").replace("_", " ")


def _single_line_field(value: str, info: ValidationInfo) -> str:
    return check_single_line(value, _field_label(info))


def _free_text_field(value: str, info: ValidationInfo) -> str:
    return check_free_text(value, _field_label(info))


SINGLE_LINE_CHECK = AfterValidator(_single_line_field)
FREE_TEXT_CHECK = AfterValidator(_free_text_field)
# A name, a code, an e-mail address, a phone number, a title: no control character at all.
SingleLine = Annotated[str, SINGLE_LINE_CHECK]
# Notes, a description, a comment: several lines of writing, with tabs.
FreeText = Annotated[str, FREE_TEXT_CHECK]
