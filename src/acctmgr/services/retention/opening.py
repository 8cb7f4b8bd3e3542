"""Opening a case: the terms the Account Executive tells the customer, the case, its routing.

The AE opens the case and tells the customer the terms (12-month contracts, 60 days' notice);
the case goes at once to a Contract Management Specialist of the account's segment, round-robin.
A segment without one leaves the case in its queue, where one of its CMSs takes it later.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from acctmgr.errors import AlreadyOpen, InvalidInput
from acctmgr.models import (
    Account,
    Contract,
    RetentionCase,
    RetentionStep,
    Role,
    User,
    UserRole,
)
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.money import HUNDRED, format_money
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.terms import NoticeTerms, notice_terms
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.retention import records, stages, views
from acctmgr.services.retention.inputs import CaseIn
from acctmgr.services.retention.stages import Stage
from acctmgr.services.retention.views import CaseTerms, CaseView
from acctmgr.services.sales import quote_facts

# Who opens rate-reduction cases; the account screen offers its key to them alone.
CASE_OPENERS = frozenset({Role.ACCOUNT_EXECUTIVE})


@use_case("retention.terms", write=False)
def case_terms(uow: UnitOfWork, account_id: int, contract_id: int | None = None) -> CaseTerms:
    """The contract a case would reduce, its notice deadline and earliest effective date: what
    the AE reads before opening a case, so every refusal ``open_case`` would give for the
    account comes here first, before anything is typed.

    Raises PermissionDenied for anyone but an AE of the account's segment; InvalidInput when the
    contract is not the account's or not in force, or the account has none in force;
    AlreadyOpen when the contract has an open case.
    """
    require_role(uow.user, *CASE_OPENERS, to="open a retention case")
    account = records.account(uow, account_id)
    contract = records.current_contract(uow, account, contract_id)
    _refuse_a_second_case(uow, contract)
    terms = _terms(uow, contract)
    return CaseTerms(
        account_id=account.id,
        account_name=account.name,
        contract_id=contract.id,
        contract_number=contract.number,
        contract_starts_on=contract.starts_on,
        contract_ends_on=contract.ends_on,
        currency=contract.currency,
        current_rate_minor=quote_facts.contract_rate(uow, contract.id),
        notice_days=contract.notice_days,
        notice_deadline=terms.notice_deadline,
        earliest_effective=terms.earliest_effective,
        missed_current_term=terms.missed_current_term,
        contacts=views.contact_choices(uow, account.id),
    )


@use_case("retention.open")
def open_case(uow: UnitOfWork, data: CaseIn) -> CaseView:
    """The Account Executive opens a rate-reduction case; it is routed to a CMS at once.

    Rules: only an AE of the account's segment; the contract must be the account's and in
    force, with no case open on it (AlreadyOpen names the one that is); the customer must have
    been told the terms; a reduction is more than nothing and no more than the current rate.
    Routing assigns the segment's CMSs round-robin; a segment without one leaves the case in
    its queue. Raises PermissionDenied or InvalidInput.
    """
    actor = uow.user
    require_role(actor, *CASE_OPENERS, to="open a retention case")
    account = records.account(uow, data.account_id)
    contract = records.current_contract(uow, account, data.contract_id)
    _refuse_a_second_case(uow, contract)
    if data.contact_id is not None:
        records.contact(uow, account, data.contact_id)
    if not data.customer_informed:
        raise InvalidInput(
            "Confirm that you told the customer about the 12-month term and the notice period.",
            field="customer_informed",
        )
    amount, pct = _reduction(data, quote_facts.contract_rate(uow, contract.id), contract.currency)
    terms = _terms(uow, contract)
    case = RetentionCase(
        account_id=account.id,
        contract_id=contract.id,
        contact_id=data.contact_id,
        opened_by_id=actor.id,
        step=RetentionStep.IN_QUEUE,
        reason=data.reason,
        requested_reduction_minor=amount,
        requested_reduction_pct=pct,
        customer_informed_of_terms=True,
        notice_deadline=terms.notice_deadline,
        earliest_effective_date=terms.earliest_effective,
    )
    uow.add_numbered(case, "RC", 6)
    cms = _next_cms(uow, account.segment_id, exclude=actor.id)
    if cms is not None:
        _assign(uow, case, cms)
    stages.step_done(uow, case, Stage.OPEN, {"reduction_minor": amount, "reduction_pct": pct})
    return views.case_view(uow, case)


@use_case("retention.take")
def take_case(uow: UnitOfWork, case_id: int, expected_version: int) -> CaseView:
    """A CMS of the segment picks an unassigned case from the queue.

    Raises PermissionDenied for anyone but a CMS, Conflict when the case changed since
    ``expected_version``, and InvalidInput once someone else has taken it.
    """
    case = records.case(uow, case_id)
    actor = uow.user
    require_role(actor, Role.CONTRACT_MANAGER, to="take a case from the queue")
    uow.expect_version(case, expected_version, "case")
    if case.step is not RetentionStep.IN_QUEUE or case.assigned_to_id is not None:
        raise InvalidInput("This case is no longer in the queue; someone has taken it.")
    _assign(uow, case, actor.id)
    return views.case_view(uow, case)


def _refuse_a_second_case(uow: UnitOfWork, contract: Contract) -> None:
    """One open case per contract: two would reduce the same rate twice."""
    found = uow.session.execute(
        select(RetentionCase.id, RetentionCase.number)
        .where(
            RetentionCase.contract_id == contract.id,
            RetentionCase.step != RetentionStep.CLOSED,
        )
        .limit(1)
    ).first()
    if found is not None:
        raise AlreadyOpen(
            f"{found.number} is already open on contract {contract.number}; "
            "work on that case rather than opening a second one.",
            record_id=found.id,
        )


def _reduction(data: CaseIn, rate: int, currency: str) -> tuple[int, Decimal]:
    """The reduction asked for, as an amount a year and as a percentage of ``rate``."""
    if data.reduction_minor is not None:
        if data.reduction_minor > rate:
            raise InvalidInput(
                f"The reduction cannot be more than the current rate of "
                f"{format_money(rate, currency)} a year.",
                field="reduction",
            )
        amount = data.reduction_minor
        pct = (Decimal(amount) * HUNDRED / rate).quantize(Decimal("0.0001")) if rate else HUNDRED
        return amount, pct
    assert data.reduction_pct is not None
    pct = data.reduction_pct
    return int((Decimal(rate) * pct / HUNDRED).quantize(Decimal(1))), pct


def _next_cms(uow: UnitOfWork, segment_id: int, exclude: int) -> int | None:
    """Round-robin: the segment's CMS after the one who was assigned the latest case."""
    cmss = [
        user_id
        for user_id in uow.session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == Role.CONTRACT_MANAGER,
                User.segment_id == segment_id,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
        if user_id != exclude
    ]
    if not cmss:
        return None
    last = uow.session.scalar(
        select(RetentionCase.assigned_to_id)
        .join(Account, Account.id == RetentionCase.account_id)
        .where(Account.segment_id == segment_id, RetentionCase.assigned_to_id.in_(cmss))
        .order_by(RetentionCase.id.desc())
        .limit(1)
    )
    if last is None:
        return cmss[0]
    return cmss[(cmss.index(last) + 1) % len(cmss)]


def _assign(uow: UnitOfWork, case: RetentionCase, cms_id: int) -> None:
    case.assigned_to_id = cms_id
    case.step = RetentionStep.USAGE_REVIEW
    uow.session.flush()
    audit.record(uow, records.RECORD, case.id, "routed", {"assigned_to_id": cms_id})


def _terms(uow: UnitOfWork, contract: Contract) -> NoticeTerms:
    # Counted from today: the notice deadline depends on when the customer asks.
    return notice_terms(
        uow.now.date(), contract.ends_on, contract.term_months, contract.notice_days
    )
