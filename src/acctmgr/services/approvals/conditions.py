"""Rule conditions: when a rule applies to a record, judged on the record's facts.

A condition is data: ``{"field": "discount_pct", "op": ">", "value": "20"}``, combined with
``all``/``any``/``not``. Numbers are kept as text in the JSON so they compare exactly, as
Decimal; a fact the record does not have never matches.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from acctmgr.errors import InvalidInput
from acctmgr.services.kernel.money import MAX_MINOR

# The largest fact a rule looks at is an amount in minor units, which never passes the limit.
MAX_CONDITION_NUMBER = MAX_MINOR

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda actual, expected: actual == expected,
    "!=": lambda actual, expected: actual != expected,
    ">": lambda actual, expected: actual > expected,
    ">=": lambda actual, expected: actual >= expected,
    "<": lambda actual, expected: actual < expected,
    "<=": lambda actual, expected: actual <= expected,
    "in": lambda actual, expected: actual in expected,
    "contains": lambda actual, expected: expected in actual,
}


def matches(condition: dict[str, Any], facts: dict[str, Any]) -> bool:
    """Whether a rule's condition holds for these facts; a missing fact never matches."""
    if "all" in condition:
        return all(matches(part, facts) for part in condition["all"])
    if "any" in condition:
        return any(matches(part, facts) for part in condition["any"])
    if "not" in condition:
        return not matches(condition["not"], facts)
    actual = facts.get(condition["field"])
    if actual is None:
        return False
    expected = condition["value"]
    if isinstance(expected, list):
        expected = [comparable(item) for item in expected]
    else:
        expected = comparable(expected)
    try:
        return OPERATORS[condition["op"]](comparable(actual), expected)
    except TypeError:  # comparing a number with text: the condition does not apply
        return False


def fields_read(condition: dict[str, Any]) -> list[str]:
    """The facts a condition reads, in the order it reads them, each once."""
    found: list[str] = []
    for key in ("all", "any"):
        for part in condition.get(key, []):
            found += fields_read(part)
    if "not" in condition:
        found += fields_read(condition["not"])
    if isinstance(condition.get("field"), str):
        found.append(condition["field"])
    return list(dict.fromkeys(found))


def check_condition(condition: Any) -> None:
    """Raise InvalidInput unless ``condition`` is a well-formed rule condition."""
    if not isinstance(condition, dict):
        raise InvalidInput("A rule's condition must be an object.", field="condition")
    for combinator in ("all", "any"):
        if combinator in condition:
            parts = condition[combinator]
            if not isinstance(parts, list) or not parts:
                raise InvalidInput(f"'{combinator}' needs a list of conditions.", field="condition")
            for part in parts:
                check_condition(part)
            return
    if "not" in condition:
        check_condition(condition["not"])
        return
    if not isinstance(condition.get("field"), str) or "value" not in condition:
        raise InvalidInput("A condition names a field, an op and a value.", field="condition")
    if condition.get("op") not in OPERATORS:
        names = ", ".join(OPERATORS)
        raise InvalidInput(f"A condition's op is one of {names}.", field="condition")
    value = condition["value"]
    for item in value if isinstance(value, list) else [value]:
        _check_number(item)


def _check_number(value: Any) -> None:
    """A number in a condition is finite and no larger than any fact can be."""
    number = comparable(value)
    if not isinstance(number, Decimal):
        return  # text (a currency, a kind) or a flag
    if not number.is_finite():
        raise InvalidInput(
            f"{value} is not a number a rule can compare with; write one such as 30.",
            field="condition",
        )
    if abs(number) > MAX_CONDITION_NUMBER:
        raise InvalidInput(
            f"{value} is out of range: a rule compares with numbers up to "
            f"{MAX_CONDITION_NUMBER:,} (amounts are in cents).",
            field="condition",
        )


def comparable(value: Any) -> Any:
    """Numbers (stored as text in JSON to keep them exact) compare as Decimal: 20 is 20.00."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return value
    return value
