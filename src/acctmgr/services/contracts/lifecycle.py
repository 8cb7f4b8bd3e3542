"""Contracts over time: a signed contract takes effect on its date and supersedes the old one.

What the customer may use comes from the contract's activated orders (``services.fulfilment``),
each from its own start date, not from the contract itself.
"""

from __future__ import annotations

from sqlalchemy import select

from acctmgr.models import (
    Contract,
    ContractStatus,
)
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case


@use_case("contracts.take_effect", needs_actor=False)
def take_effect(uow: UnitOfWork) -> int:
    """Activate every signed contract whose start date has come; returns how many.

    The contract it replaces is superseded on the same day. ``acctmgr worker`` runs this; it
    is safe to run any number of times, by several workers at once.
    """
    due = uow.session.scalars(
        select(Contract).where(
            Contract.status == ContractStatus.SIGNED, Contract.starts_on <= uow.now.date()
        )
    ).all()
    for contract in due:
        activate(uow, contract)
    return len(due)


def activate(uow: UnitOfWork, contract: Contract) -> None:
    """Put a signed contract in effect, superseding the one it replaces."""
    contract.status = ContractStatus.ACTIVE
    if contract.supersedes_id is not None:
        old = uow.session.get(Contract, contract.supersedes_id)
        if old is not None and old.status is ContractStatus.ACTIVE:
            old.status = ContractStatus.SUPERSEDED
    uow.session.flush()
