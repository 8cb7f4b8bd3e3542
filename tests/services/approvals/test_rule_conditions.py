"""Rule conditions in the admin's one-line form, both ways."""

from __future__ import annotations

from typing import Any

import pytest

from acctmgr.errors import InvalidInput
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rule_conditions import condition_text, parse_condition


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("discount_pct > 30", {"field": "discount_pct", "op": ">", "value": "30"}),
        ("off_catalogue == true", {"field": "off_catalogue", "op": "==", "value": True}),
        (
            "discount_pct >= 20 and currency == EUR",
            {
                "all": [
                    {"field": "discount_pct", "op": ">=", "value": "20"},
                    {"field": "currency", "op": "==", "value": "EUR"},
                ]
            },
        ),
        (
            'currency in ["EUR", "GBP"] or onsite_support == true',
            {
                "any": [
                    {"field": "currency", "op": "in", "value": ["EUR", "GBP"]},
                    {"field": "onsite_support", "op": "==", "value": True},
                ]
            },
        ),
    ],
)
def test_a_condition_reads_as_it_is_written(text: str, stored: dict[str, Any]) -> None:
    """A condition typed as text is stored as its parts and reads back as the same text."""
    assert parse_condition(text) == stored
    assert condition_text(stored) == text


def test_every_shipped_rule_reads_back_the_same() -> None:
    """Each shipped rule's condition, written out and read again, is the condition stored."""
    for rule in approval_rules.DEFAULT_RULES:
        assert parse_condition(condition_text(rule.condition)) == rule.condition


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("", "Write when the rule applies"),
        ("discount > 30", "There is no fact called discount"),
        ("discount_pct is big", "is not a comparison"),
        ("discount_pct > 1 and currency == EUR or off_catalogue == true", "either 'and' or 'or'"),
        ("{not json", "not valid JSON"),
        ('{"field": "discount_pct", "op": "~", "value": 1}', "op is one of"),
        ("discount_pct > 1e309", "1e309 is out of range"),
        ("net_total_minor >= -99999999999", "out of range"),
        ("discount_pct > inf", "inf is not a number a rule can compare with"),
        ("discount_pct != NaN", "NaN is not a number"),
        ('{"field": "discount_pct", "op": ">", "value": 1e309}', "inf is not a number"),
        ('{"field": "discount_pct", "op": "in", "value": [1, 1e15]}', "out of range"),
    ],
)
def test_a_bad_condition_is_refused_with_a_sentence(text: str, sentence: str) -> None:
    """A condition that cannot be read is refused with a sentence beside its field."""
    with pytest.raises(InvalidInput, match=sentence) as refused:
        parse_condition(text)
    assert refused.value.field == "condition"
