"""The records a retention case is made of, loaded and checked for this package's use cases.

Each loader checks what every step relies on: the case and its account are in the signed-in
user's segment, a contract or contact is the account's, and the opportunity, placeholder request
or quote a step needs is there; when it is not, the error says in a sentence what is missing.
Called as ``records.case(uow, case_id)``, ``records.quote(uow, case)``: these are helpers of the
retention use cases, not use cases themselves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import (
    Account,
    Activity,
    ActivityKind,
    Contact,
    Contract,
    ContractStatus,
    Opportunity,
    PlaceholderRequest,
    Quote,
    RetentionCase,
    User,
)
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.unit_of_work import UnitOfWork
from acctmgr.services.sales import opportunities

# The record type a case's audit events and activities are filed under.
RECORD = RecordType.RETENTION_CASE


def case(uow: UnitOfWork, case_id: int) -> RetentionCase:
    """The case, when its account is in the signed-in user's segment.

    Raises NotFound for no such case, PermissionDenied for another segment's.
    """
    found = uow.get(RetentionCase, case_id, "retention case")
    require_segment(uow.user, account(uow, found.account_id).segment_id, what="case")
    return found


def account(uow: UnitOfWork, account_id: int) -> Account:
    """The account, when it is in the signed-in user's segment (else PermissionDenied)."""
    found = uow.get(Account, account_id, "account")
    require_segment(uow.user, found.segment_id, what="account")
    return found


def current_contract(uow: UnitOfWork, account: Account, contract_id: int | None) -> Contract:
    """The contract in force a case reduces: the one chosen, or the account's latest to end.

    Raises InvalidInput when the chosen contract is another account's or not in force, or when
    the account has no contract in force.
    """
    if contract_id is not None:
        contract = uow.session.get(Contract, contract_id)
        if contract is None or contract.account_id != account.id:
            raise InvalidInput("That contract is not one of this account's.", field="contract")
        if contract.status is not ContractStatus.ACTIVE:
            raise InvalidInput(f"Contract {contract.number} is not in force.", field="contract")
        return contract
    contract = uow.session.scalar(
        select(Contract)
        .where(Contract.account_id == account.id, Contract.status == ContractStatus.ACTIVE)
        .order_by(Contract.ends_on.desc())
        .limit(1)
    )
    if contract is None:
        raise InvalidInput(f"{account.name} has no contract in force to reduce.")
    return contract


def case_contract(uow: UnitOfWork, case: RetentionCase) -> Contract:
    """The contract the case reduces (InvalidInput when it has none)."""
    contract = uow.session.get(Contract, case.contract_id) if case.contract_id else None
    if contract is None:
        raise InvalidInput(f"Case {case.number} has no contract.")
    return contract


def contact(uow: UnitOfWork, account: Account, contact_id: int | None) -> Contact:
    """One of the account's contacts (InvalidInput for anyone else's, or none)."""
    found = uow.session.get(Contact, contact_id) if contact_id else None
    if found is None or found.account_id != account.id:
        raise InvalidInput("Choose one of the account's contacts.", field="contact")
    return found


def opportunity_or_none(uow: UnitOfWork, case: RetentionCase) -> Opportunity | None:
    """The case's latest opportunity, if it has one."""
    return uow.session.scalar(
        select(Opportunity)
        .where(Opportunity.retention_case_id == case.id)
        .order_by(Opportunity.id.desc())
        .limit(1)
    )


def opportunity(uow: UnitOfWork, case: RetentionCase) -> Opportunity:
    """The case's opportunity (InvalidInput when it has none yet)."""
    found = opportunity_or_none(uow, case)
    if found is None:
        raise InvalidInput(f"Case {case.number} has no opportunity yet.")
    return found


def placeholder_or_none(uow: UnitOfWork, opportunity: Opportunity) -> PlaceholderRequest | None:
    """The opportunity's latest placeholder request, if it has one."""
    return uow.session.scalar(
        select(PlaceholderRequest)
        .where(PlaceholderRequest.opportunity_id == opportunity.id)
        .order_by(PlaceholderRequest.id.desc())
        .limit(1)
    )


def placeholder(uow: UnitOfWork, case: RetentionCase) -> PlaceholderRequest:
    """The case's placeholder request (InvalidInput when it has none yet)."""
    found = placeholder_or_none(uow, opportunity(uow, case))
    if found is None:
        raise InvalidInput(f"Case {case.number} has no placeholder request yet.")
    return found


def quote(uow: UnitOfWork, case: RetentionCase) -> Quote:
    """The case's current quote (InvalidInput when it has none yet)."""
    found = opportunities.latest_quote(uow, opportunity(uow, case).id)
    if found is None:
        raise InvalidInput(f"Case {case.number} has no quote yet.")
    return found


def new_contract(uow: UnitOfWork, case: RetentionCase) -> Contract | None:
    """The contract drafted from the case's quotes, unless it was cancelled."""
    found = opportunity_or_none(uow, case)
    if found is None:
        return None
    return uow.session.scalar(
        select(Contract)
        .join(Quote, Quote.id == Contract.quote_id)
        .where(Quote.opportunity_id == found.id, Contract.status != ContractStatus.CANCELLED)
        .order_by(Contract.id.desc())
        .limit(1)
    )


def user_names(uow: UnitOfWork, ids: set[int | None]) -> dict[int, str]:
    """The names of these users by id (no id, or 0, is left out)."""
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return dict(uow.session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


def log_activity(
    uow: UnitOfWork,
    case: RetentionCase,
    kind: ActivityKind,
    subject: str,
    *,
    notes: str = "",
    outcome: str = "",
    contact: Contact | None = None,
    assigned_to: int | None = None,
    due_at: datetime | None = None,
    done: bool = False,
) -> Activity:
    """File an activity on the case: a note, an e-mail or call, or a task.

    A task with a due time and no one named is the signed-in user's own.
    """
    return uow.add(
        Activity(
            kind=kind,
            subject=subject[:200],
            notes=notes,
            outcome=outcome,
            account_id=case.account_id,
            contact_id=contact.id if contact else None,
            record_type=RECORD,
            record_id=case.id,
            created_by_id=uow.user.id,
            assigned_to_id=assigned_to
            if assigned_to is not None
            else (uow.user.id if due_at else None),
            due_at=due_at,
            done_at=uow.now if done else None,
        )
    )
