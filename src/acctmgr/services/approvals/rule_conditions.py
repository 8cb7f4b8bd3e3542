"""Approval-rule conditions as an admin reads and writes them: ``discount_pct > 30``.

Conditions are stored as data (``{"field": ..., "op": ..., "value": ...}``, combined with
``all``/``any``/``not``); this is the one-line form the rules screen shows and accepts:
comparisons joined by ``and`` or by ``or`` (not both). Anything more involved can be typed as
the stored JSON itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

from acctmgr.errors import InvalidInput
from acctmgr.services.approvals.conditions import OPERATORS, check_condition
from acctmgr.services.approvals.record_kinds import known_facts

_COMPARISON = re.compile(
    r"^\s*(?P<field>[a-z_]+)\s*(?P<op>"
    + "|".join(re.escape(op) for op in sorted(OPERATORS, key=len, reverse=True))
    + r")\s*(?P<value>.+?)\s*$"
)


def condition_text(condition: dict[str, Any]) -> str:
    """``{"field": "discount_pct", "op": ">", "value": "30"}`` → ``discount_pct > 30``."""
    for joiner in ("all", "any"):
        parts = condition.get(joiner)
        if isinstance(parts, list) and all("field" in part for part in parts):
            word = " and " if joiner == "all" else " or "
            return word.join(condition_text(part) for part in parts)
    if "field" in condition:
        return f"{condition['field']} {condition['op']} {_value_text(condition['value'])}"
    return json.dumps(condition)


def parse_condition(text: str) -> dict[str, Any]:
    """The stored form of a typed condition; InvalidInput with a sentence when it is not one."""
    text = text.strip()
    if not text:
        raise InvalidInput(
            "Write when the rule applies, e.g. discount_pct > 30.", field="condition"
        )
    if text.startswith("{"):
        try:
            condition = json.loads(text)
        except json.JSONDecodeError:
            raise InvalidInput("That condition is not valid JSON.", field="condition") from None
        check_condition(condition)
        return dict(condition)
    if " and " in text and " or " in text:
        raise InvalidInput(
            "Use either 'and' or 'or' in one condition; write JSON for a mix.", field="condition"
        )
    joiner, word = ("all", " and ") if " and " in text else ("any", " or ")
    parts = [_comparison(part) for part in text.split(word)]
    condition = parts[0] if len(parts) == 1 else {joiner: parts}
    check_condition(condition)
    return condition


def _comparison(text: str) -> dict[str, Any]:
    found = _COMPARISON.match(text)
    if found is None:
        raise InvalidInput(
            f"'{text.strip()}' is not a comparison such as discount_pct > 30.", field="condition"
        )
    field = found["field"]
    facts = known_facts()  # what the record kinds declare (see record_kinds)
    if field not in facts:
        raise InvalidInput(
            f"There is no fact called {field}; rules can look at {', '.join(facts)}.",
            field="condition",
        )
    return {"field": field, "op": found["op"], "value": _value(found["value"])}


def _value(text: str) -> Any:
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise InvalidInput(
                f'{text} is not a list such as ["EUR", "GBP"].', field="condition"
            ) from None
    lowered = text.lower()
    if lowered in ("true", "yes"):
        return True
    if lowered in ("false", "no"):
        return False
    # Numbers stay text, as stored conditions keep them, so they compare exactly as Decimal.
    return text.strip("'\"")


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)
