"""Showing people's data as text, never as markup or terminal control.

Customer names, notes and search text come from outside; a name like ``[bold]Acme`` or one with an
escape sequence in it must be shown exactly as letters. Control characters are replaced by their
visible Unicode pictures (ESC shows as ␛), so nothing reaches the terminal as a command.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from rich.text import Text
from textual.content import Content

from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.text import one_line


def safe(value: object) -> str:
    """The value as one line of text with control characters made visible (see
    ``services.kernel.text``, whose rule the CLI and the exports follow too)."""
    return one_line(value)


def plain(value: object, style: str = "") -> Text:
    """A Rich Text for DataTable cells: never parsed as markup."""
    return Text(safe(value), style=style, no_wrap=True, overflow="ellipsis")


def content(value: object) -> Content:
    """A Textual Content for Static and Label: never parsed as markup."""
    return Content(safe(value))


def fields(rows: Sequence[tuple[str, object]], width: int = 18) -> Content:
    """Label/value lines, each value shown safely on its own line."""
    return Content("\n".join(f"{label:<{width}} {safe(value)}" for label, value in rows))


def money(minor: int, currency: str) -> Text:
    """Minor units as a right-aligned amount with its currency."""
    return Text(format_money(minor, currency), justify="right", no_wrap=True)


def percentage(value: object) -> str:
    """A percentage as people write it: ``30%``, ``12.5%``, ``14.12%`` (two places at most)."""
    try:
        number = Decimal(str(value if value is not None else 0))
        rounded = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return f"{safe(value)}%"
    text = f"{rounded:f}".rstrip("0").rstrip(".") if "." in f"{rounded:f}" else f"{rounded:f}"
    return f"{text}%"


def counted(count: int, thing: str, things: str | None = None) -> str:
    """``1 account``, ``2 accounts``: a count with its noun in the right number."""
    return f"{count:,} {thing if count == 1 else things or thing + 's'}"


def day(value: date | datetime | None) -> str:
    """A date as every screen writes it, ``31 Mar 2027``, with the local time when it has one
    (``31 Mar 2027 14:00``); what people type stays ISO (``2027-03-31``), as the fields say."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone() if value.tzinfo else value
        return f"{local:%d %b %Y %H:%M}"
    return f"{value:%d %b %Y}"


def lines(values: Iterable[object]) -> Content:
    """Several lines of text, each shown safely (a value's own newlines become spaces)."""
    return Content("\n".join(safe(value) for value in values))


def prose(text: str) -> Content:
    """Text whose newlines are meant as line breaks; everything else is shown safely."""
    return lines(text.split("\n"))
