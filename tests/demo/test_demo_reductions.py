"""The demo's rate reductions waiting for approval carry the reduction their case asked for."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.demo.seed import MIN_ACCOUNTS, seed_demo
from acctmgr.models import (
    ApprovalRequest,
    Opportunity,
    PlaceholderRequest,
    Quote,
    QuoteStatus,
    RetentionCase,
)
from acctmgr.services.kernel.context import Context
from acctmgr.services.sales import quotes
from tests.conftest import NOW


def test_pending_quotes_take_off_what_the_case_asked_for(database: Database) -> None:
    """Each pending rate-reduction quote, read as the quote screen reads it, reduces the rate by
    the case's requested amount, which the placeholder confirms and the approval was shown."""
    seed_demo(database, accounts=MIN_ACCOUNTS, seed=7, now=NOW, offer_stories=False)
    admin = Context(database, AdjustableClock(NOW), "admin")
    with database.read_session() as session:
        pending = session.execute(
            select(Quote.id, RetentionCase, PlaceholderRequest, ApprovalRequest.snapshot)
            .join(Opportunity, Opportunity.id == Quote.opportunity_id)
            .join(RetentionCase, RetentionCase.id == Opportunity.retention_case_id)
            .join(PlaceholderRequest, PlaceholderRequest.opportunity_id == Opportunity.id)
            .join(ApprovalRequest, ApprovalRequest.record_id == Quote.id)
            .where(Quote.status == QuoteStatus.PENDING_APPROVAL)
        ).all()
    assert len(pending) >= 3
    for quote_id, case, placeholder, snapshot in pending:
        shown = quotes.get_quote(admin, quote_id)
        asked = case.requested_reduction_minor
        assert asked is not None
        assert asked > 0
        assert shown.reduction_minor == asked
        assert shown.current_rate_minor is not None
        share = Decimal(asked) * 100 / shown.current_rate_minor
        assert case.requested_reduction_pct == share.quantize(Decimal("0.0001"))
        assert placeholder.estimated_reduction_minor == asked
        assert placeholder.confirmed_reduction_minor == asked
        assert snapshot["reduction_minor"] == asked
