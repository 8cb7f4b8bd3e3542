"""Money and percentages: exact integer minor units, and the one rounding rule for prices.

Amounts are integers in minor units (cents). A line's net price is ``list price x quantity x
(100 - discount %) / 100``, rounded once to the minor unit, half away from zero; totals are
sums of rounded lines, so a document's lines always add up to its total.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from acctmgr.errors import InvalidInput

HUNDRED = Decimal(100)
MONEY_PATTERN = re.compile(r"^-?\d+(\.\d{1,2})?$")


def format_money(minor: int, currency: str) -> str:
    """``123456, "USD"`` → ``"1,234.56 USD"``."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole:,}.{cents:02d} {currency}"


def parse_money(text: str, *, field: str, what: str = "An amount") -> int:
    """``"1,234.5"`` → ``123450``; raises InvalidInput naming ``field`` when it is not money."""
    cleaned = text.strip().replace(",", "").replace(" ", "")
    if not MONEY_PATTERN.match(cleaned):
        raise InvalidInput(f"{what} is a number such as 1200 or 1,200.50.", field=field)
    return int(Decimal(cleaned) * 100)


def parse_percent(text: str, *, field: str, what: str = "A percentage") -> Decimal:
    """``"12.5"`` or ``"12.5%"`` → ``Decimal("12.5")``; InvalidInput when it is not a number."""
    cleaned = text.strip().removesuffix("%").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput(f"{what} is a number such as 10 or 12.5.", field=field) from None
    if not value.is_finite():
        raise InvalidInput(f"{what} is a number such as 10 or 12.5.", field=field)
    return value


def line_net(list_price_minor: int, quantity: int, discount_pct: Decimal) -> int:
    """The net amount of a line, rounded half away from zero to the minor unit."""
    exact = Decimal(list_price_minor) * quantity * (HUNDRED - discount_pct) / HUNDRED
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def discount_of(list_minor: int, net_minor: int) -> Decimal:
    """The discount % that takes ``list_minor`` to ``net_minor``, to two decimals."""
    if list_minor <= 0:
        return Decimal(0)
    exact = (HUNDRED - Decimal(net_minor) * HUNDRED / Decimal(list_minor)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return max(Decimal(0), exact)
