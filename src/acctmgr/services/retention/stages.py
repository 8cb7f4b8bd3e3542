"""The stages of a case as people see them, who holds each one, and the check that they do.

``RetentionStep`` is what is stored; a ``Stage`` is a step of the wizard. They differ once: a
case at the signature step whose new contract is signed is at "close". Only the holder of the
current stage acts on it: the assigned CMS, the segment's CMSs while the case waits in the
queue, or the pending approvers while its quote waits for approval.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    ApprovalStatus,
    Contract,
    ContractStatus,
    RetentionCase,
    RetentionStep,
    Role,
    User,
    UserRole,
)
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.kernel import audit, drafts
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork
from acctmgr.services.kernel.wizards import StageSpec, WizardSpec
from acctmgr.services.retention import records
from acctmgr.services.sales import opportunities


class Stage(enum.StrEnum):
    """The eleven steps of the wizard as people see them (``RetentionStep`` is what is stored;
    "close" is the signature step once the contract is signed)."""

    OPEN = "open"
    ROUTING = "routing"
    USAGE = "usage"
    OPPORTUNITY = "opportunity"
    PLACEHOLDER = "placeholder"
    GOALS = "goals"
    QUOTE = "quote"
    REVIEW = "review"
    APPROVAL = "approval"
    SIGNATURE = "signature"
    CLOSE = "close"


# The wizard, declared once: its stages in order and who holds each. The step indicator, the
# screens' runner and the checks below all read it.
RETENTION = WizardSpec(
    name="Rate reduction",
    record_type=RecordType.RETENTION_CASE,
    stages=(
        StageSpec(Stage.OPEN, "Open the case", "Account Executive", worked=False),
        StageSpec(Stage.ROUTING, "Routing", "CMS queue", worked=False),
        StageSpec(Stage.USAGE, "Usage and services", "CMS"),
        StageSpec(Stage.OPPORTUNITY, "Opportunity", "CMS"),
        StageSpec(Stage.PLACEHOLDER, "Placeholder request", "CMS"),
        StageSpec(Stage.GOALS, "Customer's goals", "CMS"),
        StageSpec(Stage.QUOTE, "Quote", "CMS"),
        StageSpec(Stage.REVIEW, "Review", "CMS"),
        StageSpec(Stage.APPROVAL, "Approval", "Segment Leader", worked=False),
        StageSpec(Stage.SIGNATURE, "Contract for signature", "CMS"),
        StageSpec(Stage.CLOSE, "Close", "CMS"),
    ),
)
STAGE_OF_STEP = {
    RetentionStep.OPENED: Stage.OPEN,
    RetentionStep.IN_QUEUE: Stage.ROUTING,
    RetentionStep.USAGE_REVIEW: Stage.USAGE,
    RetentionStep.OPPORTUNITY: Stage.OPPORTUNITY,
    RetentionStep.PLACEHOLDER: Stage.PLACEHOLDER,
    RetentionStep.CUSTOMER_GOALS: Stage.GOALS,
    RetentionStep.QUOTE: Stage.QUOTE,
    RetentionStep.REVIEW: Stage.REVIEW,
    RetentionStep.APPROVAL: Stage.APPROVAL,
    RetentionStep.SIGNATURE: Stage.SIGNATURE,
    RetentionStep.CLOSED: Stage.CLOSE,
}
SIGNED = (ContractStatus.SIGNED, ContractStatus.ACTIVE)


class StageState(ReadModel):
    stage: Stage
    label: str
    state: str  # done, current, next; stopped and skipped for a case closed part-way
    holder: str  # who holds the ball at this step ("" when not known yet)


def stage_of(case: RetentionCase, new_contract: Contract | None) -> Stage:
    """The stage the case is at: its step's, or "close" once the new contract is signed."""
    if case.step is RetentionStep.SIGNATURE and new_contract and new_contract.status in SIGNED:
        return Stage.CLOSE
    return STAGE_OF_STEP[case.step]


def stage_states(
    case: RetentionCase, stage: Stage, holder_ids: set[int], names: dict[int, str]
) -> list[StageState]:
    """Every stage, done, current or next, with who holds it (all done once the case closed):
    the opening AE, the queue, the approvers while the quote waits, otherwise the CMS by name."""
    cms = names.get(case.assigned_to_id) if case.assigned_to_id else None

    def holder(spec: StageSpec) -> str:
        if spec.key == Stage.OPEN:
            return names.get(case.opened_by_id, "")
        if spec.key == Stage.ROUTING:
            return spec.holder
        if spec.key == Stage.APPROVAL:
            return holder_label(case, holder_ids, names) if stage is Stage.APPROVAL else spec.holder
        return cms or spec.holder

    if case.step is RetentionStep.CLOSED and case.closed_at_stage and case.outcome:
        # Closed lost or withdrawn part-way: done up to there, stopped there, the rest never.
        where = Stage(case.closed_at_stage)
        outcome = case.outcome.value

        def closed_by(spec: StageSpec) -> str:
            return f"closed {outcome}" if spec.key == where else holder(spec)

        progress = RETENTION.progress(where, stopped=True, holder=closed_by)
    else:
        progress = RETENTION.progress(
            stage, finished=case.step is RetentionStep.CLOSED, holder=holder
        )
    return [
        StageState(stage=Stage(each.key), label=each.label, state=each.state, holder=each.holder)
        for each in progress
    ]


def may_close(case: RetentionCase, actor_id: int, holders: set[int]) -> bool:
    """Whether this user may close the case: an open case, closed by who holds it now (of
    ``holder_ids``), its CMS, or the AE who opened it."""
    if case.step is RetentionStep.CLOSED:
        return False
    return actor_id in holders or actor_id in (case.opened_by_id, case.assigned_to_id)


def holder_ids(uow: UnitOfWork, case: RetentionCase) -> set[int]:
    """Who holds the ball now: the CMS, the queue's CMSs, or the pending approvers."""
    if case.step is RetentionStep.CLOSED:
        return set()
    if case.step is RetentionStep.IN_QUEUE:
        account = records.account(uow, case.account_id)
        return set(
            uow.session.scalars(
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(
                    UserRole.role == Role.CONTRACT_MANAGER, User.segment_id == account.segment_id
                )
            )
        )
    if case.step is RetentionStep.APPROVAL:
        opportunity = records.opportunity_or_none(uow, case)
        quote = opportunities.latest_quote(uow, opportunity.id) if opportunity else None
        request = approval_requests.open_request(uow, RecordType.QUOTE, quote.id) if quote else None
        if request is not None:
            return {
                a.approver_id
                for a in request.approvals
                if a.approver_id and a.status is ApprovalStatus.PENDING
            }
        return set()
    return {case.assigned_to_id} if case.assigned_to_id else set()


def holder_label(case: RetentionCase, holder_ids: set[int], names: dict[int, str]) -> str:
    """Who holds the case, in words: their names, the CMS queue, or "closed"."""
    if case.step is RetentionStep.CLOSED:
        return "closed"
    if case.step is RetentionStep.IN_QUEUE:
        return "the CMS queue (unassigned)"
    return ", ".join(sorted(names.get(i, "") for i in holder_ids)) or "nobody"


def require_holder(uow: UnitOfWork, case: RetentionCase) -> None:
    """Refuse (PermissionDenied) anyone but the holder of the current step.

    A case in the queue is nobody's yet: it is taken first.
    """
    if uow.user.id not in holder_ids(uow, case) or case.step is RetentionStep.IN_QUEUE:
        holder = (
            records.user_names(uow, {case.assigned_to_id}).get(case.assigned_to_id or 0)
            if case.assigned_to_id
            else None
        )
        raise PermissionDenied(
            f"This step of case {case.number} is with {holder}."
            if holder
            else f"Case {case.number} is not with you."
        )


def holding(
    uow: UnitOfWork, case_id: int, expected_version: int | None, step: RetentionStep
) -> RetentionCase:
    """The case, checked to be at ``step`` and held by the signed-in CMS.

    Raises InvalidInput when the case is closed or at another step, PermissionDenied when
    someone else holds it, and Conflict when it changed since ``expected_version``.
    """
    case = records.case(uow, case_id)
    if case.step is RetentionStep.CLOSED:
        raise InvalidInput(f"Case {case.number} is closed.")
    if case.assigned_to_id != uow.user.id:
        require_holder(uow, case)
    if expected_version is not None:
        uow.expect_version(case, expected_version, "case")
    if case.step is not step:
        raise InvalidInput(
            f"Case {case.number} is at the step '{RETENTION.label(STAGE_OF_STEP[case.step])}', "
            f"not '{RETENTION.label(STAGE_OF_STEP[step])}'."
        )
    return case


def step_done(uow: UnitOfWork, case: RetentionCase, stage: Stage, details: dict[str, Any]) -> None:
    """Record that the holder completed ``stage``: one decision in the case's timeline, and
    what anyone typed for the stage is no longer a draft."""
    drafts.discard_drafts(uow, RecordType.RETENTION_CASE, case.id, stage.value)
    uow.session.flush()
    audit.record(uow, records.RECORD, case.id, f"step_{stage.value}", details)
