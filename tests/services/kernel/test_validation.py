"""pydantic's complaints in our own sentences, and every field's refusal gathered at once."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, Field, ValidationError

from acctmgr.errors import InvalidFields, InvalidInput
from acctmgr.services.kernel.money import parse_money
from acctmgr.services.kernel.validation import Problems, invalid_input, problem_sentence
from acctmgr.services.retention.inputs import CloseIn, PlaceholderIn


class Sample(BaseModel):
    reason: str = Field(max_length=2000)
    count: int = Field(ge=1)
    on: date


def complaints(values: dict[str, object]) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        Sample.model_validate(values)
    return [problem_sentence(problem) for problem in raised.value.errors()]


def test_pydantic_s_own_checks_read_as_our_sentences() -> None:
    """A length, a number and a date refused by pydantic read in our words, not pydantic's."""
    said = complaints({"reason": "x" * 2001, "count": "0", "on": "soon"})
    assert said == [
        "Keep this to 2000 characters or fewer.",
        "This is at least 1.",
        "A date is written like 2027-04-01.",
    ]
    assert not any("should" in sentence for sentence in said)
    with pytest.raises(ValidationError) as raised:
        CloseIn.model_validate({"outcome": "won", "reason": "y" * 2001})
    refusal = invalid_input(raised.value)
    assert (refusal.message, refusal.field) == (
        "Keep the reason to 2000 characters or fewer.",
        "reason",
    )


def test_every_field_s_refusal_is_gathered_at_once() -> None:
    """A form's parse errors and its model's errors come back together, one per field."""
    problems = Problems({"estimated_reduction_minor": "estimate"})
    estimate = problems.parse(lambda: parse_money("lots", field="estimate", what="The estimate"))
    problems.build(PlaceholderIn, {"estimated_reduction_minor": estimate or 0, "notes": "n" * 4001})
    with pytest.raises(InvalidFields) as raised:
        problems.check()
    assert [(p.field, p.message) for p in raised.value.problems] == [
        ("estimate", "The estimate is a number such as 1200 or 1,200.50."),
        ("notes", "Keep this to 4000 characters or fewer."),
    ]
    assert isinstance(raised.value, InvalidInput)
    Problems().check()  # nothing kept, nothing raised
