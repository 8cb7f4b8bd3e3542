"""Storage: the engine and session factory, and the migrations that shape the database.

Importing this package is light: ``Database`` (SQLAlchemy) loads when first asked for, so that
``acctmgr.db.reader`` can answer launch's first reads without it.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from acctmgr.db.engine import Database, normalise_url

__all__ = ["HEAD_REVISION", "Database", "normalise_url"]

# The newest migration, the schema this version of acctmgr expects; a test checks it against the
# scripts, so a new migration updates it. Launch compares it with the database before reading.
HEAD_REVISION = "0015"


def __getattr__(name: str) -> Any:
    if name in ("Database", "normalise_url"):
        from acctmgr.db import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
