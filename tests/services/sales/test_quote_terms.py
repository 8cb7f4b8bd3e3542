"""A quote's terms (term, notice period, payment terms) are facts the approval rules test."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from acctmgr.domain.records import RecordType
from acctmgr.models import ApproverKind, Role
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rule_conditions import parse_condition
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.validation import problem_sentence
from acctmgr.services.sales import quotes
from acctmgr.services.sales.quote_builder import NewQuoteIn
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn
from tests.quote_support import STARTS, Catalogue
from tests.services.sales.test_quote_rules import quote_with, shop

__all__ = ["shop"]  # a fixture, imported so pytest finds it

UNSUSTAINABLE = "Unsustainable terms need Finance"


def edit_of(quote: QuoteView, **terms: object) -> QuoteEdit:
    """The quote as stored, as an edit, with these terms."""
    return QuoteEdit.model_validate(
        {
            "lines": [
                QuoteLineIn(line_id=line.id, quantity=line.quantity, discount_pct=line.discount_pct)
                for line in quote.lines
            ],
            "starts_on": STARTS,
            **terms,
        }
    )


def unsustainable_terms_rule(
    admin: Context, condition: str = "payment_terms_days > 60", name: str = UNSUSTAINABLE
) -> None:
    """Seed 002's rule (or another on the terms), as an admin types it."""
    approval_rules.add_rule(
        admin,
        approval_rules.RuleIn(
            name=name,
            record_type=RecordType.QUOTE,
            condition=parse_condition(condition),
            approver_kind=ApproverKind.ROLE_IN_SEGMENT,
            approver_role=Role.FINANCE,
        ),
    )


def test_a_new_quote_has_the_contract_terms_by_default(admin: Context, shop: Catalogue) -> None:
    """A new quote runs 12 months with 60 days' notice and 30 days to pay, and shows them."""
    quote = quote_with(admin, shop.platform)
    assert (quote.term_months, quote.notice_days, quote.payment_terms_days) == (12, 60, 30)


def test_the_terms_are_facts_the_rules_test(admin: Context, shop: Catalogue) -> None:
    """The term, notice and payment days reach the conditions: 90 days to pay needs Finance."""
    unsustainable_terms_rule(admin)
    unsustainable_terms_rule(admin, "term_months >= 24 and notice_days > 60", "Long terms")
    ae = admin.as_user("ae")
    quote = quote_with(admin, shop.platform)
    assert [need.rule for need in quote.approvals_needed] == []
    saved = quotes.update_quote(
        ae,
        quote.id,
        quote.version,
        edit_of(quote, term_months="24", notice_days="90", payment_terms_days="90"),
    )
    assert (saved.term_months, saved.notice_days, saved.payment_terms_days) == (24, 90, 90)
    assert sorted(need.rule for need in saved.approvals_needed) == ["Long terms", UNSUSTAINABLE]


def test_the_preview_uses_the_terms_as_typed(admin: Context, shop: Catalogue) -> None:
    """The live preview routes what is typed, not what is stored, and saves nothing."""
    unsustainable_terms_rule(admin)
    ae = admin.as_user("ae")
    quote = quote_with(admin, shop.platform)
    preview = quotes.preview_quote(ae, quote.id, edit_of(quote, payment_terms_days="61"))
    assert [need.rule for need in preview.approvals_needed] == [UNSUSTAINABLE]
    assert quotes.preview_quote(ae, quote.id, edit_of(quote)).approvals_needed == []
    assert quotes.get_quote(ae, quote.id).payment_terms_days == 30


@pytest.mark.parametrize(
    ("field", "typed", "sentence"),
    [
        ("term_months", "0", "A term in months is a whole number from 1 to 120."),
        ("term_months", "121", "A term in months is a whole number from 1 to 120."),
        ("notice_days", "366", "A notice period in days is a whole number from 0 to 365."),
        ("notice_days", "two", "A notice period in days is a whole number from 0 to 365."),
        ("payment_terms_days", "-1", "A payment period in days is a whole number from 0 to 180."),
        (
            "payment_terms_days",
            "181",
            "A payment period in days is a whole number from 0 to 180.",
        ),
    ],
)
def test_terms_out_of_bounds_are_refused_in_a_sentence(
    admin: Context, shop: Catalogue, field: str, typed: str, sentence: str
) -> None:
    """A term, notice period or payment terms past its bounds is refused beside its field."""
    quote = quote_with(admin, shop.platform)
    with pytest.raises(ValidationError) as refused:
        edit_of(quote, **{field: typed})
    problem = refused.value.errors()[0]
    assert problem["loc"] == (field,)
    assert problem_sentence(problem) == sentence
    with pytest.raises(ValidationError):
        NewQuoteIn.model_validate({"account_id": 1, "starts_on": STARTS, field: typed})


def test_an_edit_without_terms_keeps_the_quotes(admin: Context, shop: Catalogue) -> None:
    """Deleting a line (an edit that names no terms) keeps the terms the quote has."""
    ae = admin.as_user("ae")
    quote = quote_with(admin, shop.platform)
    quote = quotes.update_quote(ae, quote.id, quote.version, edit_of(quote, notice_days="90"))
    kept = quotes.update_quote(ae, quote.id, quote.version, edit_of(quote))
    assert kept.notice_days == 90
