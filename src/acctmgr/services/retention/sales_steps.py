"""The case on the sales side: its rate-reduction Opportunity and its Placeholder Request.

The opportunity carries the case's expected value (the current rate less the reduction asked);
the placeholder request signals the intent for a new contract with the reduction the CMS
expects, confirmed later when the quote goes for approval.
"""

from __future__ import annotations

from acctmgr.errors import InvalidInput
from acctmgr.models import (
    Opportunity,
    OpportunityKind,
    OpportunityStage,
    PlaceholderRequest,
    PlaceholderStatus,
    RetentionStep,
)
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.retention import records, stages, views
from acctmgr.services.retention.inputs import OpportunityIn, PlaceholderIn
from acctmgr.services.retention.stages import Stage
from acctmgr.services.retention.views import CaseView
from acctmgr.services.sales import quote_facts


@use_case("retention.create_opportunity")
def create_opportunity(
    uow: UnitOfWork, case_id: int, expected_version: int, data: OpportunityIn
) -> CaseView:
    """The CMS opens a rate-reduction Opportunity on the account, linked to the case.

    It needs a name and an expected close date that is not past (else InvalidInput); the
    case must be at this step and with the signed-in CMS.
    """
    name = data.name
    expected_close_on = data.expected_close_on
    case = stages.holding(uow, case_id, expected_version, RetentionStep.OPPORTUNITY)
    if not name.strip():
        raise InvalidInput("Give the opportunity a name.", field="name")
    if expected_close_on < uow.now.date():
        raise InvalidInput(
            "The expected close date cannot be in the past.", field="expected_close_on"
        )
    contract = records.case_contract(uow, case)
    rate = quote_facts.contract_rate(uow, contract.id)
    opportunity = uow.add(
        Opportunity(
            account_id=case.account_id,
            retention_case_id=case.id,
            owner_id=uow.user.id,
            name=name.strip(),
            kind=OpportunityKind.RATE_REDUCTION,
            stage=OpportunityStage.QUALIFYING,
            amount_minor=rate - (case.requested_reduction_minor or 0),
            currency=contract.currency,
            expected_close_on=expected_close_on,
        )
    )
    case.step = RetentionStep.PLACEHOLDER
    stages.step_done(uow, case, Stage.OPPORTUNITY, {"opportunity_id": opportunity.id})
    return views.case_view(uow, case)


@use_case("retention.submit_placeholder")
def submit_placeholder(
    uow: UnitOfWork, case_id: int, expected_version: int, data: PlaceholderIn
) -> CaseView:
    """The CMS signals the intent for a new contract with the estimated reduction.

    The estimate is more than zero and no more than the current rate (else InvalidInput); the
    case must be at this step and with the signed-in CMS.
    """
    estimated_reduction_minor = data.estimated_reduction_minor
    notes = data.notes
    case = stages.holding(uow, case_id, expected_version, RetentionStep.PLACEHOLDER)
    contract = records.case_contract(uow, case)
    rate = quote_facts.contract_rate(uow, contract.id)
    if not 0 < estimated_reduction_minor <= rate:
        raise InvalidInput(
            "The estimated reduction is more than zero and no more than the current rate of "
            f"{format_money(rate, contract.currency)}.",
            field="estimate",
        )
    opportunity = records.opportunity(uow, case)
    uow.add(
        PlaceholderRequest(
            opportunity_id=opportunity.id,
            submitted_by_id=uow.user.id,
            status=PlaceholderStatus.SUBMITTED,
            estimated_reduction_minor=estimated_reduction_minor,
            notes=notes.strip(),
        )
    )
    case.step = RetentionStep.CUSTOMER_GOALS
    stages.step_done(
        uow, case, Stage.PLACEHOLDER, {"estimated_reduction_minor": estimated_reduction_minor}
    )
    return views.case_view(uow, case)
