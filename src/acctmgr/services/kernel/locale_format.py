"""Money, dates, numbers and percentages as a customer's country writes them (Babel).

One PO template serves every country: the template asks for ``line.list | money`` and the
document's locale decides whether that reads ``€1,234.56`` (en_IE), ``1.234,56 €`` (de_DE) or
``1 234,56 €`` (fr_FR). Amounts are integer minor units, as everywhere in acctmgr.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

DEFAULT_LOCALE = "en_US"


def usable_locale(name: str | None) -> str:
    """The locale to format with: ``name`` if Babel knows it, else the default."""
    try:
        Locale.parse(name or DEFAULT_LOCALE)
    except (UnknownLocaleError, ValueError, TypeError):
        return DEFAULT_LOCALE
    return name or DEFAULT_LOCALE


def money(minor: int | None, currency: str, locale: str) -> str:
    """Minor units of ``currency`` as the locale writes an amount: ``1.234,56 €``."""
    amount = Decimal(minor or 0) / 100
    return str(format_currency(amount, currency, locale=locale))


def number(value: int | Decimal | float | None, locale: str) -> str:
    """A quantity or a volume with the locale's grouping: ``1.500.000``."""
    return str(format_decimal(value or 0, locale=locale))


def percent(value: Decimal | int | float | None, locale: str) -> str:
    """A percentage given as 12.5 (not 0.125): ``12,5 %``."""
    fraction = Decimal(str(value or 0)) / 100
    return str(format_percent(fraction, locale=locale, decimal_quantization=False))


def day(value: date | datetime | None, locale: str) -> str:
    """A date written out, as the locale does: ``30. Juni 2027``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return str(format_date(value, format="long", locale=locale))
