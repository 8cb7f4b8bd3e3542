"""The quote and its approval: ready for review, submitted to the Segment Leader, decided.

The quote itself is edited through ``quotes.update_quote``; the case follows it. An approved
quote moves the case on to the contract; a rejected or recalled one, or an approved one edited
again, brings the case back to the quote step.
"""

from __future__ import annotations

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    ApprovalRequestStatus,
    OpportunityStage,
    PlaceholderStatus,
    QuoteStatus,
    RetentionCase,
    RetentionStep,
)
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.retention import records, stages, views
from acctmgr.services.retention.inputs import ReviewIn
from acctmgr.services.retention.stages import Stage
from acctmgr.services.retention.views import CaseView
from acctmgr.services.sales import quote_facts


@use_case("retention.finish_quote")
def finish_quote(uow: UnitOfWork, case_id: int, expected_version: int) -> CaseView:
    """The quote is ready for review (it is edited through ``quotes.update_quote``).

    Only a draft or rejected quote is finished (else InvalidInput).
    """
    case = stages.holding(uow, case_id, expected_version, RetentionStep.QUOTE)
    quote = records.quote(uow, case)
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.REJECTED):
        raise InvalidInput("This quote is not a draft.")
    case.step = RetentionStep.REVIEW
    stages.step_done(
        uow, case, Stage.QUOTE, {"quote_id": quote.id, "net_total_minor": quote.net_total_minor}
    )
    return views.case_view(uow, case)


@use_case("retention.back_to_quote")
def back_to_quote(uow: UnitOfWork, case_id: int, expected_version: int) -> CaseView:
    """From the review, go back to change the quote.

    Raises as every step does: InvalidInput at another step, PermissionDenied for anyone but
    the holder, Conflict when the case changed since ``expected_version``.
    """
    case = stages.holding(uow, case_id, expected_version, RetentionStep.REVIEW)
    case.step = RetentionStep.QUOTE
    uow.session.flush()
    return views.case_view(uow, case)


@use_case("retention.submit_for_approval")
def submit_for_approval(
    uow: UnitOfWork, case_id: int, expected_version: int, data: ReviewIn
) -> CaseView:
    """Update the placeholder with the confirmed reduction and submit the quote for approval.

    The confirmed reduction must be exactly the reduction the quote gives (current rate minus
    the quote's net total), and the quote must reduce the rate (else InvalidInput). The quote
    is locked while it waits.
    """
    confirmed_reduction_minor = data.confirmed_reduction_minor
    case = stages.holding(uow, case_id, expected_version, RetentionStep.REVIEW)
    quote = records.quote(uow, case)
    quote_facts.check_combinations(uow, quote.lines)
    rate = quote_facts.contract_rate(uow, records.case_contract(uow, case).id)
    reduction = rate - quote.net_total_minor
    if reduction <= 0:
        raise InvalidInput("The quote does not reduce the rate; change the quote first.")
    if confirmed_reduction_minor != reduction:
        raise InvalidInput(
            "The confirmed reduction must match the quote: "
            f"{format_money(reduction, quote.currency)}.",
            field="confirmed",
        )
    placeholder = records.placeholder(uow, case)
    placeholder.confirmed_reduction_minor = confirmed_reduction_minor
    placeholder.status = PlaceholderStatus.CONFIRMED
    records.opportunity(uow, case).stage = OpportunityStage.NEGOTIATION
    case.step = RetentionStep.APPROVAL
    uow.session.flush()
    result = approval_requests.submit(uow, RecordType.QUOTE, quote.id)
    stages.step_done(
        uow,
        case,
        Stage.REVIEW,
        {"confirmed_reduction_minor": reduction, "approvers": result.approvers},
    )
    return views.case_view(uow, case)


def follow_quote_decision(
    uow: UnitOfWork, case: RetentionCase, status: ApprovalRequestStatus
) -> None:
    """The approvals engine decided the case's quote: move the case on, or back to the quote.

    Approved, the case goes to the contract for signature; rejected or recalled, back to the
    quote. A case no longer waiting for approval stays where it is.
    """
    if case.step is not RetentionStep.APPROVAL:
        return
    if status is ApprovalRequestStatus.APPROVED:
        case.step = RetentionStep.SIGNATURE
    else:
        case.step = RetentionStep.QUOTE
    uow.session.flush()


def follow_quote_edit(uow: UnitOfWork, case: RetentionCase) -> None:
    """The case's quote is being edited: refuse once the contract is out, else follow it back.

    An approved quote edited is a draft again, so a case waiting to send its contract returns
    to the quote step (to be reviewed and submitted again). After the contract was sent, or
    the case closed, the quote is what the customer has: it can no longer change (InvalidInput).
    """
    if case.step is RetentionStep.CLOSED:
        raise InvalidInput(f"Case {case.number} is closed; its quote can no longer change.")
    if case.step is RetentionStep.SIGNATURE:
        if records.new_contract(uow, case) is not None:
            raise InvalidInput(
                "The contract from this quote was sent for signature; the quote can no longer "
                "change. Close the case as lost or withdrawn to start again."
            )
        case.step = RetentionStep.QUOTE
        uow.session.flush()


@use_case("retention.recall")
def recall_approval(uow: UnitOfWork, case_id: int, expected_version: int) -> CaseView:
    """The CMS who submitted the quote takes it back from approval to change it.

    While the quote waits, the approvers hold the case; only the request's submitter recalls it
    (else PermissionDenied). Raises InvalidInput when the quote is not waiting for approval.
    """
    case = records.case(uow, case_id)
    uow.expect_version(case, expected_version, "case")
    request = approval_requests.open_request(uow, RecordType.QUOTE, records.quote(uow, case).id)
    if request is None or case.step is not RetentionStep.APPROVAL:
        raise InvalidInput("The quote is not waiting for approval.")
    if request.submitted_by_id != uow.user.id:
        raise PermissionDenied("Only the person who submitted a request can recall it.")
    approval_requests.recall_request(uow, request)
    return views.case_view(uow, case)
