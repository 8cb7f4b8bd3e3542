"""Use cases: the rules and transactions of acctmgr, with no user interface in them.

Each public function takes a ``Context`` first (database, clock, who is acting) and plain
pydantic inputs, runs as one transaction, and returns pydantic read models. Screens call these;
they never see a Session or an ORM object.

Importing this package is light (only ``Context``); the transaction machinery and the models
load with the first use case module, so launch can paint My day before they have.
"""

from typing import TYPE_CHECKING, Any

from acctmgr.services.context import Actor, Context

if TYPE_CHECKING:
    from acctmgr.services.unit_of_work import UnitOfWork, use_case

__all__ = ["Actor", "Context", "UnitOfWork", "use_case"]


def __getattr__(name: str) -> Any:
    if name in ("UnitOfWork", "use_case"):
        from acctmgr.services import unit_of_work

        return getattr(unit_of_work, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
