"""The one rule for text people type: no control characters, line breaks only in free text."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import typing
from typing import Annotated, Any, get_args, get_origin, get_type_hints

import pytest
from pydantic import BaseModel, ValidationError

import acctmgr.services
from acctmgr.errors import InvalidInput
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text import (
    folded,
    free_text,
    natural_name,
    single_line,
    spreadsheet_cell,
)
from acctmgr.services.kernel.text_fields import (
    FREE_TEXT_CHECK,
    SINGLE_LINE_CHECK,
    FreeText,
    SingleLine,
)
from acctmgr.services.kernel.validation import invalid_input

HOSTILE = ("\x1b]0;pwned\x07\x1b[2J", "a\x00b", "\x7f", "\x9b31m", "a\x0cb")


class _Note(BaseModel):
    name: SingleLine
    notes: FreeText = ""


@pytest.mark.parametrize("text", [*HOSTILE, "two\nlines", "a\tb", "a\rb"])
def test_a_single_line_refuses_every_control_character(text: str) -> None:
    """Escapes, NUL, DEL, C1 codes, line breaks and tabs are refused in a name, in one sentence."""
    with pytest.raises(ValidationError) as refused:
        _Note(name=text)
    assert invalid_input(refused.value).message == (
        "The name cannot contain control characters such as escape codes or line breaks."
    )
    with pytest.raises(InvalidInput, match=r"^The group name cannot contain control"):
        single_line(text, what="group name")


@pytest.mark.parametrize("text", HOSTILE)
def test_free_text_refuses_control_characters(text: str) -> None:
    """Notes refuse the same codes, with a sentence that does not mention line breaks."""
    with pytest.raises(ValidationError) as refused:
        _Note(name="x", notes=text)
    assert invalid_input(refused.value).message == (
        "The notes cannot contain control characters such as escape codes."
    )
    with pytest.raises(InvalidInput, match=r"^The comment cannot contain control"):
        free_text(text, what="comment")


def test_free_text_keeps_line_breaks_and_tabs_with_one_kind_of_line_end() -> None:
    """A pasted CRLF or CR becomes a line feed; tabs, emoji and accents are writing."""
    note = _Note(name="Café 🚀", notes="one\r\ntwo\rthree\n\tfour")
    assert note.notes == "one\ntwo\nthree\n\tfour"
    assert free_text("a\r\nb", what="comment") == "a\nb"


def _services_modules() -> list[types.ModuleType]:
    names = pkgutil.walk_packages(acctmgr.services.__path__, "acctmgr.services.")
    return [importlib.import_module(info.name) for info in names]


def _input_models() -> set[type[BaseModel]]:
    return {
        value
        for module in _services_modules()
        for _, value in inspect.getmembers(module, inspect.isclass)
        if issubclass(value, BaseModel)
        and not issubclass(value, ReadModel)
        and value.__module__.startswith("acctmgr.services.")
    }


def _unchecked_text(annotation: Any) -> bool:
    """Whether a ``str`` in the annotation lacks the rule (dicts are parsed data, not text)."""
    if annotation is str:
        return True
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = get_args(annotation)
        if inner is str:
            return not any(m is SINGLE_LINE_CHECK or m is FREE_TEXT_CHECK for m in metadata)
        return _unchecked_text(inner)
    if origin in (typing.Union, types.UnionType, list, tuple, set, frozenset):
        return any(_unchecked_text(arg) for arg in get_args(annotation))
    return False


def test_every_text_field_of_an_input_model_has_the_rule() -> None:
    """Each ``str`` a person types into a services input model is SingleLine or FreeText."""
    models = _input_models()
    assert len(models) > 15
    unchecked = sorted(
        f"{model.__module__}.{model.__name__}.{name}"
        for model in models
        for name, hint in get_type_hints(model, include_extras=True).items()
        if name in model.model_fields and _unchecked_text(hint)
    )
    assert unchecked == []


@pytest.mark.parametrize(
    ("cell", "defused"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("\tx", "'\tx"),
        ("Harmless;=1+1", "Harmless;'=1+1"),
        ("a,=1", "a,'=1"),
        ("x\t+1", "x\t'+1"),
        ("a|@SUM(A1)", "a|'@SUM(A1)"),
        ("one\n-2+3", "one\n'-2+3"),
        ("a; =1", "a; '=1"),
        ('a;"=1"', 'a;"\'=1"'),
        ("SRV-WS x1; INC-SEATS x5", "SRV-WS x1; INC-SEATS x5"),
        ("1,500.00 USD; 1,380.00 EUR", "1,500.00 USD; 1,380.00 EUR"),
    ],
)
def test_a_spreadsheet_cell_starts_no_formula_after_any_separator(cell: str, defused: str) -> None:
    """A formula prefix is defused at the start and after every , ; | tab or line break, where
    a spreadsheet of another locale may split the cell."""
    assert spreadsheet_cell(cell) == defused


@pytest.mark.parametrize(
    ("typed", "compared"),
    [
        ("Köln", "koln"),
        ("KÖLN", "koln"),
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("Crème Brûlée", "creme brulee"),
        ("\u0130stanbul I\u015f\u0131k", "istanbul isik"),  # a dotted capital, a dotless i
        ("Ørsted Łódź Æther", "orsted lodz aether"),
        ("\ufb01ne \u2116\uff12", "fine no2"),  # a ligature, the No sign, a full-width 2
    ],
)
def test_search_folds_accents_case_and_compatibility_forms(typed: str, compared: str) -> None:
    """One rule for stored and typed text: no accents, no case, "ß" as "ss", "ﬁ" as "fi"."""
    assert folded(typed) == compared


def test_names_sort_with_their_numbers_by_value() -> None:
    """The natural key puts "#6" before "#11" and "Ärzte" among the a's."""
    names = ["Store #11", "store #6", "Zeta", "Ärzte 2", "Store #100", "Arzte 10"]
    assert sorted(names, key=natural_name) == [
        "Ärzte 2",
        "Arzte 10",
        "store #6",
        "Store #11",
        "Store #100",
        "Zeta",
    ]
