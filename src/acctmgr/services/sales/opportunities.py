"""Opportunities: the sales record a quote belongs to, closed won, lost or withdrawn."""

from __future__ import annotations

from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    Account,
    CloseOutcome,
    Opportunity,
    OpportunityStage,
    Quote,
    QuoteStatus,
)
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.text import free_text
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

WON_STATUSES = (QuoteStatus.APPROVED, QuoteStatus.ACCEPTED)


@use_case("opportunities.close")
def close_opportunity(
    uow: UnitOfWork, opportunity_id: int, expected_version: int, outcome: CloseOutcome, reason: str
) -> int:
    """Close an opportunity (its owner only); returns its new version. See ``close``."""
    opportunity = uow.get(Opportunity, opportunity_id, "opportunity")
    if opportunity.owner_id != uow.user.id:
        raise PermissionDenied("Only the opportunity's owner can close it.")
    account = uow.session.get(Account, opportunity.account_id)
    assert account is not None
    require_segment(uow.user, account.segment_id, what="opportunity")
    uow.expect_version(opportunity, expected_version, "opportunity")
    close(uow, opportunity, outcome, reason)
    return opportunity.version


def close(uow: UnitOfWork, opportunity: Opportunity, outcome: CloseOutcome, reason: str) -> None:
    """Close won, lost or withdrawn.

    Won needs its latest quote approved (for exactly the quote as it stands); lost and
    withdrawn need a reason.
    """
    if opportunity.stage is OpportunityStage.CLOSED:
        raise InvalidInput("This opportunity is already closed.")
    reason = free_text(reason, what="reason", field="reason").strip()
    if outcome is CloseOutcome.WON:
        quote = latest_quote(uow, opportunity.id)
        if (
            quote is None
            or quote.status not in WON_STATUSES
            or not approval_requests.is_approved(uow, RecordType.QUOTE, quote.id, quote.version)
        ):
            raise InvalidInput("An opportunity cannot close won while its quote is not approved.")
        # Won at what was signed, not at what was first asked for (as Salesforce syncs the
        # amount from the primary quote).
        opportunity.amount_minor = quote.net_total_minor
    elif not reason:
        raise InvalidInput("Say why it closes " + outcome.value + ".", field="reason")
    opportunity.stage = OpportunityStage.CLOSED
    opportunity.outcome = outcome
    opportunity.close_reason = reason
    opportunity.closed_at = uow.now
    uow.session.flush()


def latest_quote(uow: UnitOfWork, opportunity_id: int) -> Quote | None:
    return uow.session.scalar(
        select(Quote)
        .where(Quote.opportunity_id == opportunity_id, Quote.status != QuoteStatus.SUPERSEDED)
        .order_by(Quote.id.desc())
        .limit(1)
    )
