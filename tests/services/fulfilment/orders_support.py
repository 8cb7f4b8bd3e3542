"""What the order tests share: a contract with two locations and a later line, the rows an
order writes, counted, and the orders made from a split preview as the user confirms them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from acctmgr.models import Entitlement, ErpExport, Order, OrderedLine, OrderLine, Subscription
from acctmgr.services.fulfilment import split
from acctmgr.services.fulfilment.orders import OrdersIn
from acctmgr.services.fulfilment.split import SplitBy
from acctmgr.services.kernel.context import Context
from tests.fulfilment_support import Finalised, finalised_contract, hire

BERLIN, MUNICH = "Berlin", "Munich"
LATER_START = date(2027, 3, 1)
FULFILMENT_TABLES = (Order, OrderLine, OrderedLine, Subscription, Entitlement, ErpExport)


def two_locations(admin: Context, folder: Path, *, staff: bool = True, **kwargs: Any) -> Finalised:
    """Platform and the tailored report in Berlin from the contract's start (1 Jan 2027), the
    workshop in Munich from 1 Mar 2027; Customer Services ("cs") and a KAM are hired first
    unless not ``staff``."""
    if staff:
        hire(admin)
    return finalised_contract(
        admin,
        folder,
        locations=(BERLIN, MUNICH, BERLIN),
        line_starts=(None, LATER_START, None),
        **kwargs,
    )


def counts(admin: Context) -> dict[str, int]:
    """How many rows each fulfilment table holds: what a refusal must leave as it was."""
    with admin.database.read_session() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in FULFILMENT_TABLES
        }


def confirmed(
    cs: Context, contract_id: int, split_by: SplitBy = SplitBy.NONE, later: tuple[int, ...] = ()
) -> OrdersIn:
    """The preview's proposal, confirmed as it stands."""
    return OrdersIn.as_previewed(split.split_preview(cs, contract_id, split_by, later))
