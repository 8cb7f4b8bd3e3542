"""Indexes that make the accounts search fast on 100,000 accounts.

SQLite: a covering index in list order (name, id) holding the search text, so a search reads
the narrow index instead of every wide account row. PostgreSQL: a trigram GIN index that answers
``LIKE '%text%'`` directly; it needs the pg_trgm extension, and without it (no privilege to
create it) the search still works, by scanning.

These indexes exist on one backend each, so they are not in the models' metadata;
``acctmgr.db.migrate.BACKEND_ONLY_INDEXES`` names them for the schema comparison.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 10:20:00
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy.exc import DBAPIError

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.create_index(
            "ix_accounts_search",
            "accounts",
            ["name", "id", "segment_id", "parent_id", "search_text"],
        )
        return
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError:
        return
    op.execute(
        "CREATE INDEX ix_accounts_search_trgm ON accounts USING gin (search_text gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_accounts_search", table_name="accounts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_accounts_search_trgm")
