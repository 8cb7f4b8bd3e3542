"""Closing a case: won once the new contract is signed, or lost or withdrawn at any step."""

from __future__ import annotations

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    CloseOutcome,
    Contract,
    ContractStatus,
    Opportunity,
    OpportunityStage,
    PlaceholderStatus,
    RetentionStep,
)
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.kernel import audit, drafts
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.retention import records, stages, views
from acctmgr.services.retention.inputs import CloseIn
from acctmgr.services.retention.stages import SIGNED
from acctmgr.services.retention.views import CaseView
from acctmgr.services.sales import opportunities


@use_case("retention.close")
def close_case(uow: UnitOfWork, case_id: int, expected_version: int, data: CloseIn) -> CaseView:
    """Close the case: won (resolved) once the new contract is signed; or lost or withdrawn,
    at any step, with a reason. Closing withdraws what is still open (approval, placeholder,
    unsigned contract) and closes the opportunity the same way.

    Only the holder of the case, its CMS or the AE who opened it closes it (else
    PermissionDenied); raises InvalidInput for a closed case or won without a signed contract
    (CloseIn itself refuses lost or withdrawn without a reason).
    """
    outcome = data.outcome
    reason = data.reason
    case = records.case(uow, case_id)
    if case.step is RetentionStep.CLOSED:
        raise InvalidInput("This case is already closed.")
    if not stages.may_close(case, uow.user.id, stages.holder_ids(uow, case)):
        raise PermissionDenied(
            "Only the person holding the case, or the AE who opened it, can close it."
        )
    uow.expect_version(case, expected_version, "case")
    reason = reason.strip()
    opportunity = records.opportunity_or_none(uow, case)
    contract = records.new_contract(uow, case)
    # A reason when lost or withdrawn is CloseIn's rule, so a form shows it with the others.
    if outcome is CloseOutcome.WON and (contract is None or contract.status not in SIGNED):
        raise InvalidInput("A case cannot close won without a signed contract.")
    if outcome is not CloseOutcome.WON:
        case.closed_at_stage = stages.stage_of(case, contract).value
        _withdraw_what_is_open(uow, opportunity, contract)
    if opportunity is not None and opportunity.stage is not OpportunityStage.CLOSED:
        opportunities.close(uow, opportunity, outcome, reason)
    case.step = RetentionStep.CLOSED
    case.outcome = outcome
    case.close_reason = reason or "Resolved: new contract signed."
    case.closed_at = uow.now
    # The case's process is over: nothing typed at any of its steps is a draft any more.
    drafts.discard_drafts(uow, RecordType.RETENTION_CASE, case.id)
    uow.session.flush()
    audit.record(
        uow, records.RECORD, case.id, f"closed_{outcome.value}", {"reason": case.close_reason}
    )
    return views.case_view(uow, case)


def _withdraw_what_is_open(
    uow: UnitOfWork, opportunity: Opportunity | None, contract: Contract | None
) -> None:
    """Recall the pending approval, withdraw the placeholder, cancel an unsigned contract."""
    quote = opportunities.latest_quote(uow, opportunity.id) if opportunity else None
    request = approval_requests.open_request(uow, RecordType.QUOTE, quote.id) if quote else None
    if request is not None:
        approval_requests.recall_request(uow, request)
    if opportunity is not None:
        placeholder = records.placeholder_or_none(uow, opportunity)
        if placeholder is not None:
            placeholder.status = PlaceholderStatus.WITHDRAWN
    if contract is not None and contract.status not in SIGNED:
        contract.status = ContractStatus.CANCELLED
