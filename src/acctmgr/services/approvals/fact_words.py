"""A record's facts in words, as e-mails and the carry-over sentences say them.

Facts are named as rules read them (``discount_pct``, ``net_total_minor``); people read "the
discount" at "20%" and "the net total" at "1,200.00 EUR". Amounts are in the record's currency
fact. Values kept in a request's snapshot (numbers as exact text) read the same as live ones.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from acctmgr.services.kernel.money import format_money


def fact_label(name: str) -> str:
    """``discount_pct`` → ``discount``; ``net_total_minor`` → ``net total``."""
    return name.removesuffix("_minor").removesuffix("_pct").replace("_", " ")


def fact_value(name: str, value: Any, currency: str) -> str:
    """A fact's value as a person reads it: an amount, a percentage, yes or no, or the text."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    number = _number(value)
    if name.endswith("_minor") and number is not None:
        return format_money(int(number), currency)
    if name.endswith("_pct") and number is not None:
        return f"{number.normalize():f}%"
    return str(value).replace("_", " ")


def fact_lines(facts: dict[str, Any]) -> list[str]:
    """A line a fact, ``- discount: 20%``, leaving out the currency and facts with no value."""
    currency = str(facts.get("currency") or "")
    return [
        f"- {fact_label(name)}: {fact_value(name, value, currency)}"
        for name, value in facts.items()
        if value is not None and name != "currency"
    ]


def _number(value: Any) -> Decimal | None:
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None
