"""A quote as the approvals engine knows it: its facts, its lock, what a decision does to it.

A quote waiting for approval is locked; the request's end sets it approved, rejected (with the
approver's comment) or back to draft when recalled. A quote that answers a retention case moves
its case along with the decision.
"""

from __future__ import annotations

from acctmgr.models import Account, ApprovalRequestStatus, Quote, QuoteStatus
from acctmgr.services.approvals import record_kinds
from acctmgr.services.approvals.record_kinds import Approvable
from acctmgr.services.kernel.unit_of_work import UnitOfWork
from acctmgr.services.sales.quote_facts import case_of, facts_of

# The statuses a quote's owner may change it in; an edit returns it to draft.
EDITABLE = (QuoteStatus.DRAFT, QuoteStatus.REJECTED, QuoteStatus.APPROVED)


class QuoteKind:
    """Quotes, the first record type of the approvals engine."""

    record_type = "quote"

    def load(self, uow: UnitOfWork, record_id: int) -> Approvable:
        """The quote's label, owner, segment and facts, as the engine routes it."""
        quote = uow.get(Quote, record_id, "quote")
        account = uow.session.get(Account, quote.account_id)
        assert account is not None
        return Approvable(
            record_type=self.record_type,
            record_id=quote.id,
            version=quote.version,
            label=f"quote {quote.number} for {account.name}",
            owner_id=quote.owner_id,
            segment_id=account.segment_id,
            account_id=account.id,
            facts=facts_of(uow, quote, quote.lines),
        )

    def lock(self, uow: UnitOfWork, record_id: int) -> None:
        """Submitted: the quote waits, locked, for its approvals."""
        uow.get(Quote, record_id, "quote").status = QuoteStatus.PENDING_APPROVAL

    def decided(
        self, uow: UnitOfWork, record_id: int, status: ApprovalRequestStatus, comment: str
    ) -> None:
        """The request ended: approved, rejected with the comment, or (recalled) a draft."""
        quote = uow.get(Quote, record_id, "quote")
        quote.status = {
            ApprovalRequestStatus.APPROVED: QuoteStatus.APPROVED,
            ApprovalRequestStatus.REJECTED: QuoteStatus.REJECTED,
        }.get(status, QuoteStatus.DRAFT)
        quote.approver_comment = comment if status is ApprovalRequestStatus.REJECTED else ""
        uow.session.flush()
        case = case_of(uow, quote)
        if case is not None:
            # Imported here: retention builds on quotes, and follows its quote's decisions.
            from acctmgr.services.retention import cases as retention

            retention.follow_quote_decision(uow, case, status)


record_kinds.register(QuoteKind())
