"""Storage: the engine and session factory, and the migrations that shape the database."""

from acctmgr.db.engine import Database, normalise_url

__all__ = ["Database", "normalise_url"]
