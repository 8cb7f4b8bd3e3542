"""Money and percentages: exact integer minor units, and the one rounding rule for prices.

Amounts are integers in minor units (cents). A line's net price is ``list price x quantity x
(100 - discount %) / 100``, rounded once to the minor unit, half away from zero; totals are
sums of rounded lines, so a document's lines always add up to its total.

Every amount acctmgr keeps, and every product and sum of amounts (a line's price x quantity,
a quote's totals), is at most ``MAX_MINOR``: the rule is here, and the inputs and the quote
builder check it before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from acctmgr.errors import InvalidInput

HUNDRED = Decimal(100)
MONEY_PATTERN = re.compile(r"^-?\d+(\.\d{1,2})?$")
# 20,000,000.00 in any currency. The money columns are SQL INTEGER, which PostgreSQL keeps in
# 32 bits (at most 2,147,483,647 minor units); the round figure below that holds any quote a
# customer signs with us. Raising it needs BIGINT columns (a migration), then only this number.
MAX_MINOR = 2_000_000_000


def format_money(minor: int, currency: str) -> str:
    """``123456, "USD"`` → ``"1,234.56 USD"``."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole:,}.{cents:02d} {currency}"


def limit_sentence(what: str) -> str:
    """ "The reduction is at most 20,000,000.00." for an amount past the limit."""
    return f"{what} is at most {format_money(MAX_MINOR, '').strip()}."


def check_amount(minor: int, *, field: str | None, what: str = "An amount") -> int:
    """``minor`` when it is within the limit either side of zero; else InvalidInput."""
    if abs(minor) > MAX_MINOR:
        raise InvalidInput(limit_sentence(what), field=field)
    return minor


def checked_total(amounts: Iterable[int], *, what: str, field: str | None = None) -> int:
    """The sum of ``amounts``; InvalidInput saying ``what`` "would total more than" the limit."""
    total = sum(amounts)
    if abs(total) > MAX_MINOR:
        limit = format_money(MAX_MINOR, "").strip()
        raise InvalidInput(
            f"{what} would total more than {limit}, the most it can hold.", field=field
        )
    return total


def parse_money(text: str, *, field: str, what: str = "An amount") -> int:
    """``"1,234.5"`` → ``123450``; raises InvalidInput naming ``field`` when it is not money
    or is past the limit."""
    cleaned = text.strip().replace(",", "").replace(" ", "")
    if not MONEY_PATTERN.match(cleaned):
        raise InvalidInput(f"{what} is a number such as 1200 or 1,200.50.", field=field)
    return check_amount(int(Decimal(cleaned) * 100), field=field, what=what)


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


def line_list(list_price_minor: int, quantity: int, *, field: str | None = "quantity") -> int:
    """A line's list amount (price x quantity); InvalidInput beside ``field`` past the limit."""
    amount = list_price_minor * quantity
    if abs(amount) > MAX_MINOR:
        raise InvalidInput(
            f"A line is at most {format_money(MAX_MINOR, '').strip()} at list price "
            "(price x quantity); lower the quantity or the price.",
            field=field,
        )
    return amount


def line_net(
    list_price_minor: int, quantity: int, discount_pct: Decimal, *, field: str | None = "quantity"
) -> int:
    """The net amount of a line, rounded half away from zero to the minor unit; InvalidInput
    beside ``field`` when its list amount is past the limit (the net is never more)."""
    line_list(list_price_minor, quantity, field=field)
    exact = Decimal(list_price_minor) * quantity * (HUNDRED - discount_pct) / HUNDRED
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def share(amount_minor: int, numerator: int, denominator: int) -> int:
    """``amount_minor x numerator / denominator`` rounded half away from zero, as a line's net
    is (a unit of a line, the part of a year's price left)."""
    exact = Decimal(amount_minor) * numerator / denominator
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def discount_of(list_minor: int, net_minor: int) -> Decimal:
    """The discount % that takes ``list_minor`` to ``net_minor``, to two decimals."""
    if list_minor <= 0:
        return Decimal(0)
    exact = (HUNDRED - Decimal(net_minor) * HUNDRED / Decimal(list_minor)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return max(Decimal(0), exact)
