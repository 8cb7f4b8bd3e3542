"""Text people type and text shown back: no control characters in, none raw out.

A control character (Unicode category Cc: the C0 codes, DEL and the C1 codes) in a name is never
meant. Shown in a terminal, an escape sequence in a user's name retitles or clears the screen of
whoever lists the users; a NUL cannot even be stored on PostgreSQL; a line break splits a row.
So one rule refuses them where text comes in: single-line text (names, codes and the like)
refuses them all, free text (notes, descriptions) keeps line breaks and tabs, which are writing.
Input models apply it through ``text_fields``; use cases that take plain strings call
``single_line`` or ``free_text``. And since older rows (or another program) may still hold some,
whatever is shown or exported goes through ``printable`` (or ``one_line``), which turns each
into a visible picture, ESC into ``␛``; a CSV cell also through ``spreadsheet_cell``.

Text is found and sorted through ``folded``, one rule for what is stored and what is typed (so
the two cannot drift apart): "Köln", "KÖLN" and "koln" are one text, "Straße" is "strasse".
``natural_name`` is the key a list of names is ordered by: folded, numbers by their value.

Plain Python, no pydantic: the terminal UI shows text through ``one_line`` before My day paints.
"""

from __future__ import annotations

import re
import unicodedata

from acctmgr.errors import InvalidInput
from acctmgr.services.kernel.validation import sentence

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# In free text a line feed and a tab are writing; a carriage return is folded into a line feed
# before this is looked for.
CONTROL_IN_FREE_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Shown as they are: line breaks (CR only as part of CRLF, which CSV ends its rows with) and tabs.
SHOWN_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
LINE_BREAK = re.compile(r"\r\n|[\n\t]")
# A spreadsheet runs a cell starting with these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# It may also split a cell where another locale puts its separator (; or |, a tab from a paste,
# a line break) and run what follows, spaces or a quote before it notwithstanding.
FORMULA_AFTER_SEPARATOR = re.compile(r"([,;|\t\r\n][ \"]*)(?=[=+\-@])")
# Letters that are not a base letter with a mark, so that decomposing leaves them whole; folded
# as people type them on a keyboard without them ("Ørsted" is found by "orsted").
UNMARKED_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ħ": "h", "ł": "l", "ŧ": "t", "æ": "ae", "œ": "oe", "þ": "th"}
    | {"\u0131": "i"}  # the dotless i of Turkish
)
DIGITS = re.compile(r"[0-9]+")
# Numbers up to this many digits sort by their value ("#6" before "#11"); longer ones after.
NUMBER_WIDTH = 12
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


def single_line(value: str, *, what: str, field: str | None = None) -> str:
    """The single-line rule for a use case that takes text without an input model.

    Raises InvalidInput, beside ``field``, when ``value`` holds a control character.
    """
    try:
        return check_single_line(value, what)
    except ValueError as error:
        raise InvalidInput(sentence(str(error)), field=field) from None


def free_text(value: str, *, what: str, field: str | None = None) -> str:
    """The free-text rule for a use case that takes text without an input model: ``value``
    with ``\\n`` line ends, or InvalidInput beside ``field``."""
    try:
        return check_free_text(value, what)
    except ValueError as error:
        raise InvalidInput(sentence(str(error)), field=field) from None


def folded(value: str) -> str:
    """``value`` as search compares it: without accents and case, compatibility forms split.

    Decomposed (NFKD: "é" is "e" and a mark, "ﬁ" is "fi", "²" is "2"), its marks dropped,
    case-folded ("ß" is "ss"), then decomposed again for what case-folding composes ("İ").
    """
    if value.isascii():  # most names: nothing to decompose, and casefold is lower for ASCII
        return value.lower()
    value = unicodedata.normalize("NFKD", value).casefold()
    value = unicodedata.normalize("NFKD", value).translate(UNMARKED_LETTERS)
    return "".join(char for char in value if not unicodedata.combining(char))


def natural_name(name: str) -> str:
    """The key names are listed by: ``folded``, each run of digits padded with zeros to
    ``NUMBER_WIDTH`` so that numbers compare by value ("Store #6" comes before "Store #11")."""
    return DIGITS.sub(lambda digits: digits.group().zfill(NUMBER_WIDTH), folded(name))


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ to ␟
    return "␡" if code == 0x7F else "\ufffd"  # the C1 codes have no pictures


def printable(value: object) -> str:
    """The value as text whose control characters are visible pictures (ESC shows as ␛), so
    none reaches a terminal or a file as a command; line breaks and tabs stay as they are."""
    return SHOWN_CONTROL.sub(_picture, "" if value is None else str(value))


def one_line(value: object) -> str:
    """``printable``, with line breaks and tabs shown as spaces: for a row of a list or table."""
    return LINE_BREAK.sub(" ", printable(value))


def spreadsheet_cell(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs as a formula, whatever its locale splits on.

    A leading apostrophe makes a spreadsheet read text; it goes before a formula character at
    the start and after every separator a spreadsheet may split on: ``Harmless;=1+1`` becomes
    ``Harmless;'=1+1``.
    """
    value = FORMULA_AFTER_SEPARATOR.sub(r"\1'", value)
    return f"'{value}" if value.startswith(FORMULA_START) else value
