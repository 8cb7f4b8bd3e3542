"""Alembic environment: always run programmatically by ``acctmgr.db.migrate`` with a connection."""

from __future__ import annotations

from alembic import context

from acctmgr.db.migrate import include_in_comparison
from acctmgr.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_in_comparison,
)
with context.begin_transaction():
    context.run_migrations()
