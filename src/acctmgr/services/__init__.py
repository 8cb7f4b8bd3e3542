"""Use cases: the rules and transactions of acctmgr, with no user interface in them.

Each public function takes a ``Context`` first (database, clock, who is acting) and plain
pydantic inputs, runs as one transaction, and returns pydantic read models. Screens call these;
they never see a Session or an ORM object.
"""

# Importing the audit module registers the flush listeners that audit every change.
from acctmgr.services import audit as audit
from acctmgr.services.context import Actor, Context, UnitOfWork, use_case

__all__ = ["Actor", "Context", "UnitOfWork", "audit", "use_case"]
