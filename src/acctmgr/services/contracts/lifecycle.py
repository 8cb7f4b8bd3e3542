"""Contracts over time: a signed contract takes effect on its date and supersedes the old one.

When it does, each service it sold (workshops, audits) becomes an entitlement the customer may
consume until the deadline printed on the PO, so Customer Success can see what is left to use.
"""

from __future__ import annotations

from sqlalchemy import select

from acctmgr.models import (
    Contract,
    ContractStatus,
    Entitlement,
    QuoteLine,
    SkuKind,
    SkuVersion,
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
    _entitle(uow, contract)
    if contract.supersedes_id is not None:
        old = uow.session.get(Contract, contract.supersedes_id)
        if old is not None and old.status is ContractStatus.ACTIVE:
            old.status = ContractStatus.SUPERSEDED
    uow.session.flush()


def _entitle(uow: UnitOfWork, contract: Contract) -> None:
    """An entitlement for each service line of the quote the contract carries out."""
    if contract.quote_id is None:
        return
    services = uow.session.scalars(
        select(QuoteLine)
        .join(SkuVersion, SkuVersion.id == QuoteLine.sku_version_id)
        .where(QuoteLine.quote_id == contract.quote_id, SkuVersion.kind == SkuKind.SERVICE)
        .order_by(QuoteLine.position)
    ).all()
    for line in services:
        assert line.sku_version_id is not None
        uow.add(
            Entitlement(
                account_id=contract.account_id,
                contract_id=contract.id,
                sku_version_id=line.sku_version_id,
                quantity=line.quantity,
                starts_on=contract.starts_on,
                consume_by=line.consume_by,
            )
        )
