"""The hours of an approval rule (its answer time and its reminder) are bounded by a year, well
within their INTEGER columns, with one sentence beside the field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from acctmgr.models import ApproverKind
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rules import RuleIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.counts import MAX_HOURS
from acctmgr.services.kernel.validation import invalid_input

ANSWER = "An approval is answered within 8,760 hours (a year) at most."


def _rule(**hours: Any) -> RuleIn:
    """A rule as the admin's form gives it, with these hours."""
    return RuleIn.model_validate(
        {
            "name": "Deep discounts need Finance",
            "record_type": "quote",
            "condition": {"field": "discount_pct", "op": ">", "value": "30"},
            "approver_kind": ApproverKind.USER,
            "approver_login": "finance",
            **hours,
        }
    )


def test_a_year_of_hours_is_stored(admin: Context) -> None:
    """8,760 hours to answer and to remind are kept as typed."""
    before = len(approval_rules.rules(admin))
    approval_rules.add_rule(admin, _rule(sla_hours=str(MAX_HOURS), reminder_hours=str(MAX_HOURS)))
    rules = approval_rules.rules(admin)
    assert len(rules) == before + 1
    added = next(rule for rule in rules if rule.name == "Deep discounts need Finance")
    assert (added.sla_hours, added.reminder_hours) == (MAX_HOURS, MAX_HOURS)


@pytest.mark.parametrize(
    ("field", "typed", "sentence"),
    [
        (
            "sla_hours",
            MAX_HOURS + 1,
            "An approval is answered within 8,760 hours (a year) at most.",
        ),
        ("reminder_hours", MAX_HOURS + 1, "A reminder comes after 8,760 hours (a year) at most."),
        ("sla_hours", 10**20, "An approval is answered within 8,760 hours (a year) at most."),
    ],
)
def test_an_hour_more_is_refused_and_nothing_stored(
    admin: Context, field: str, typed: int, sentence: str
) -> None:
    """An hour past a year (or twenty digits of hours) is refused with one sentence beside its
    field, and no rule is stored."""
    before = approval_rules.rules(admin)
    with pytest.raises(ValidationError) as refused:
        approval_rules.add_rule(admin, _rule(**{field: str(typed)}))
    problem = invalid_input(refused.value)
    assert (problem.field, problem.message) == (field, sentence)
    assert approval_rules.rules(admin) == before
