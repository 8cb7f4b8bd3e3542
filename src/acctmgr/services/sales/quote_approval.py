"""A quote as the approvals engine knows it, and who follows what happens to it.

A quote waiting for approval is locked; the request's end sets it approved, rejected (with the
approver's comment) or back to draft when recalled. A quote that answers a retention case moves
its case along: when the quote is decided, and when it is edited (the case may refuse the edit
once its contract is out). Retention builds on quotes, so quotes cannot call it; its handlers
are subscribed here by ``services.bootstrap``.
"""

from __future__ import annotations

from collections.abc import Callable

from acctmgr.domain.records import RecordType
from acctmgr.models import Account, ApprovalRequestStatus, Quote, QuoteStatus, RetentionCase
from acctmgr.services.approvals.fact_words import fact_value
from acctmgr.services.approvals.record_kinds import Approvable, RecordSummary
from acctmgr.services.kernel import territories
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.unit_of_work import UnitOfWork
from acctmgr.services.sales.quote_facts import QUOTE_FACTS, case_of, facts_of

# The statuses a quote's owner may change it in; an edit returns it to draft.
EDITABLE = (QuoteStatus.DRAFT, QuoteStatus.REJECTED, QuoteStatus.APPROVED)

CaseFollowsDecision = Callable[[UnitOfWork, RetentionCase, ApprovalRequestStatus], None]
CaseFollowsEdit = Callable[[UnitOfWork, RetentionCase], None]
_decision_followers: list[CaseFollowsDecision] = []
_edit_followers: list[CaseFollowsEdit] = []


def follow_decisions(follower: CaseFollowsDecision) -> None:
    """Have ``follower`` called with a quote's case, and the status, when its request ends."""
    if follower not in _decision_followers:
        _decision_followers.append(follower)


def follow_edits(follower: CaseFollowsEdit) -> None:
    """Have ``follower`` called with a quote's case before the quote changes; it may refuse the
    change by raising InvalidInput."""
    if follower not in _edit_followers:
        _edit_followers.append(follower)


def quote_edited(uow: UnitOfWork, quote: Quote) -> None:
    """Tell the case the quote answers, if any, that the quote is changing (see ``follow_edits``).

    Raises what a follower raises: InvalidInput when the case no longer lets its quote change.
    """
    case = case_of(uow, quote)
    if case is not None:
        for follower in _edit_followers:
            follower(uow, case)


class QuoteKind:
    """Quotes, the first record type of the approvals engine."""

    record_type = RecordType.QUOTE
    facts = QUOTE_FACTS

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
            facts=dict(facts_of(uow, quote, quote.lines)),
        )

    def summary(self, uow: UnitOfWork, record_id: int) -> RecordSummary:
        """The totals an approver weighs, and each line with its list price, discount, net and
        statement of work, written out whole: an approver decides on what they can read."""
        quote = uow.get(Quote, record_id, "quote")
        account = uow.session.get(Account, quote.account_id)
        locale = account.locale if account else "en_US"
        facts = facts_of(uow, quote, quote.lines)

        def words(name: str) -> str:
            return fact_value(name, facts.get(name), quote.currency)

        # A rate reduction's figures are a year's; a first order's may be one-off items.
        yearly = " a year" if "reduction_minor" in facts else ""
        details = [
            f"Territory of use: {territories.name_of(quote.territory, locale) or '(not set)'}"
        ]
        for line in quote.lines:
            outside = "" if line.sku_version_id is not None else " — outside the catalogue"
            details += [
                f"{line.quantity} x {line.description}{outside}",
                f"    list {format_money(line.list_price_minor, quote.currency)}, "
                f"{fact_value('discount_pct', line.discount_pct, '')} off, "
                f"net {format_money(line.net_minor, quote.currency)}",
            ]
            if line.statement_of_work:
                details.append(f"    SOW: {line.statement_of_work}")
        return RecordSummary(
            facts=[
                ("Net total", words("net_total_minor") + yearly),
                ("Reduction", words("reduction_minor") if "reduction_minor" in facts else "—"),
                ("Top discount", words("discount_pct")),
            ],
            details=details,
        )

    def lock(self, uow: UnitOfWork, record_id: int) -> None:
        """Submitted: the quote waits, locked, for its approvals."""
        uow.get(Quote, record_id, "quote").status = QuoteStatus.PENDING_APPROVAL

    def decided(
        self, uow: UnitOfWork, record_id: int, status: ApprovalRequestStatus, comment: str
    ) -> None:
        """The request ended: approved, rejected with the comment, or (recalled) a draft; the
        case the quote answers follows (see ``follow_decisions``)."""
        quote = uow.get(Quote, record_id, "quote")
        quote.status = {
            ApprovalRequestStatus.APPROVED: QuoteStatus.APPROVED,
            ApprovalRequestStatus.REJECTED: QuoteStatus.REJECTED,
        }.get(status, QuoteStatus.DRAFT)
        quote.approver_comment = comment if status is ApprovalRequestStatus.REJECTED else ""
        uow.session.flush()
        case = case_of(uow, quote)
        if case is not None:
            for follower in _decision_followers:
                follower(uow, case, status)
