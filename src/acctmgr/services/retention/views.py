"""What the retention wizard shows: the read models of a case, and the case as a user sees it.

Every use case that moves a case returns its ``CaseView``, built here from the case and the
records around it: where it stands, who holds it, and what the signed-in user left in a draft.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.models import (
    Activity,
    ActivityKind,
    ApprovalRequest,
    ApprovalRequestStatus,
    CloseOutcome,
    Contact,
    Contract,
    ContractStatus,
    Quote,
    QuoteStatus,
    RetentionCase,
    RetentionStep,
    User,
)
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.kernel import drafts
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.retention import records, stages
from acctmgr.services.retention.stages import Stage, StageState
from acctmgr.services.sales import opportunities, quote_facts


class ContactChoice(ReadModel):
    id: int
    name: str
    email: str


class CaseTerms(ReadModel):
    """What the case form shows before anything is saved: the contract and its terms."""

    account_id: int
    account_name: str
    contract_id: int
    contract_number: str
    contract_starts_on: date
    contract_ends_on: date
    currency: str
    current_rate_minor: int
    notice_days: int
    notice_deadline: date
    earliest_effective: date
    missed_current_term: bool
    contacts: list[ContactChoice]


class ContactAttempt(ReadModel):
    at: datetime
    channel: ActivityKind
    contact: str
    outcome: str
    notes: str
    by: str


class CaseView(ReadModel):
    id: int
    number: str
    account_id: int
    account_name: str
    segment_id: int
    step: RetentionStep
    stage: Stage
    stages: list[StageState]
    holder: str
    holder_ids: list[int]
    mine: bool  # the signed-in user holds the current step
    opened_by: str
    assigned_to: str | None
    reason: str
    contact_id: int | None
    contact_name: str | None
    requested_reduction_minor: int
    requested_reduction_pct: Decimal
    current_rate_minor: int
    currency: str
    contract_id: int | None
    contract_number: str | None
    contract_ends_on: date | None
    notice_deadline: date | None
    earliest_effective: date | None
    opportunity_id: int | None
    opportunity_version: int | None
    placeholder_estimate_minor: int | None
    placeholder_confirmed_minor: int | None
    quote_id: int | None
    quote_status: QuoteStatus | None
    approval_request_id: int | None
    can_recall: bool  # the signed-in user submitted the quote that waits for approval
    can_close: bool  # the signed-in user may close it now (``stages.may_close``)
    rejection_comment: str
    new_contract_id: int | None
    new_contract_number: str | None
    new_contract_status: ContractStatus | None
    contacts: list[ContactChoice]
    attempts: list[ContactAttempt]
    outcome: CloseOutcome | None
    close_reason: str
    draft: dict[str, str]  # what the signed-in user typed at this step and did not submit
    version: int


class UsageMonth(ReadModel):
    month: date
    page_views: int
    included: int | None  # page views included a month, from the contract's threshold


class SubscriptionLine(ReadModel):
    description: str
    quantity: int
    list_price_minor: int
    net_price_minor: int
    status: str


class InvoiceLine(ReadModel):
    number: str
    issued_on: date
    total_minor: int
    status: str


class UsageReview(ReadModel):
    currency: str
    subscriptions: list[SubscriptionLine]
    usage: list[UsageMonth]
    invoices: list[InvoiceLine]
    invoiced_12_months_minor: int


class TimelineEntry(ReadModel):
    at: datetime
    who: str
    what: str


@use_case("retention.get", write=False)
def get_case(uow: UnitOfWork, case_id: int) -> CaseView:
    """The case, where it stands, who holds it, and what the signed-in user left in a draft.

    Raises NotFound for no such case, PermissionDenied for another segment's.
    """
    return case_view(uow, records.case(uow, case_id))


def case_view(uow: UnitOfWork, case: RetentionCase) -> CaseView:
    """The case as the signed-in user sees it, with the records it made so far."""
    account = records.account(uow, case.account_id)
    contract = uow.session.get(Contract, case.contract_id) if case.contract_id else None
    opportunity = records.opportunity_or_none(uow, case)
    placeholder = records.placeholder_or_none(uow, opportunity) if opportunity else None
    quote = opportunities.latest_quote(uow, opportunity.id) if opportunity else None
    request = approval_requests.latest_request(uow, RecordType.QUOTE, quote.id) if quote else None
    new_contract = records.new_contract(uow, case)
    stage = stages.stage_of(case, new_contract)
    holder_ids = stages.holder_ids(uow, case)
    names = records.user_names(uow, {case.opened_by_id, case.assigned_to_id or 0, *holder_ids})
    contact = uow.session.get(Contact, case.contact_id) if case.contact_id else None
    return CaseView(
        id=case.id,
        number=case.number,
        account_id=account.id,
        account_name=account.name,
        segment_id=account.segment_id,
        step=case.step,
        stage=stage,
        stages=stages.stage_states(case, stage, holder_ids, names),
        holder=stages.holder_label(case, holder_ids, names),
        holder_ids=sorted(holder_ids),
        mine=uow.user.id in holder_ids,
        opened_by=names.get(case.opened_by_id, ""),
        assigned_to=names.get(case.assigned_to_id) if case.assigned_to_id else None,
        reason=case.reason,
        contact_id=case.contact_id,
        contact_name=contact.name if contact else None,
        requested_reduction_minor=case.requested_reduction_minor or 0,
        requested_reduction_pct=case.requested_reduction_pct or Decimal(0),
        current_rate_minor=quote_facts.contract_rate(uow, contract.id) if contract else 0,
        currency=contract.currency if contract else account.currency,
        contract_id=contract.id if contract else None,
        contract_number=contract.number if contract else None,
        contract_ends_on=contract.ends_on if contract else None,
        notice_deadline=case.notice_deadline,
        earliest_effective=case.earliest_effective_date,
        opportunity_id=opportunity.id if opportunity else None,
        opportunity_version=opportunity.version if opportunity else None,
        placeholder_estimate_minor=placeholder.estimated_reduction_minor if placeholder else None,
        placeholder_confirmed_minor=placeholder.confirmed_reduction_minor if placeholder else None,
        quote_id=quote.id if quote else None,
        quote_status=quote.status if quote else None,
        approval_request_id=request.id if request else None,
        can_recall=_can_recall(uow, request),
        can_close=stages.may_close(case, uow.user.id, holder_ids),
        rejection_comment=_rejection_comment(quote),
        new_contract_id=new_contract.id if new_contract else None,
        new_contract_number=new_contract.number if new_contract else None,
        new_contract_status=new_contract.status if new_contract else None,
        contacts=contact_choices(uow, account.id),
        attempts=contact_attempts(uow, case),
        outcome=case.outcome,
        close_reason=case.close_reason,
        draft=drafts.drafted(uow, RecordType.RETENTION_CASE, case.id, stage.value),
        version=case.version,
    )


def contact_choices(uow: UnitOfWork, account_id: int) -> list[ContactChoice]:
    """The account's contacts to choose from, the primary one first."""
    contacts = uow.session.scalars(
        select(Contact)
        .where(Contact.account_id == account_id)
        .order_by(Contact.is_primary.desc(), Contact.name)
    )
    return [ContactChoice(id=c.id, name=c.name, email=c.email) for c in contacts]


def contact_attempts(uow: UnitOfWork, case: RetentionCase) -> list[ContactAttempt]:
    """The e-mails and calls logged on the case with their outcome, oldest first."""
    rows = uow.session.execute(
        select(Activity, Contact.name, User.name)
        .outerjoin(Contact, Contact.id == Activity.contact_id)
        .join(User, User.id == Activity.created_by_id)
        .where(
            Activity.record_type == records.RECORD,
            Activity.record_id == case.id,
            Activity.kind.in_([ActivityKind.EMAIL, ActivityKind.CALL]),
            Activity.outcome != "",
        )
        .order_by(Activity.created_at, Activity.id)
    ).all()
    return [
        ContactAttempt(
            at=activity.created_at,
            channel=activity.kind,
            contact=contact or "",
            outcome=activity.outcome,
            notes=activity.notes,
            by=by,
        )
        for activity, contact, by in rows
    ]


def _can_recall(uow: UnitOfWork, request: ApprovalRequest | None) -> bool:
    # Only the request's submitter takes a quote back, and only while it waits.
    return (
        request is not None
        and request.status is ApprovalRequestStatus.PENDING
        and request.submitted_by_id == uow.user.id
    )


def _rejection_comment(quote: Quote | None) -> str:
    return quote.approver_comment if quote and quote.status is QuoteStatus.REJECTED else ""
