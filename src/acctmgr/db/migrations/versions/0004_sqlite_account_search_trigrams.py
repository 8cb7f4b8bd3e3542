"""A trigram full-text index for the accounts search on SQLite.

``LIKE '%text%'`` cannot use an index, so on SQLite a text that few accounts contain scanned all
100,000 entries of the covering index (~20-30 ms). An FTS5 table with the trigram tokenizer
finds the accounts holding every three-letter piece of the text in well under a millisecond;
the search still applies the LIKE to those candidates, so what matches is unchanged.

It is an external-content table over ``accounts.search_text`` (the text is not stored twice)
with ``detail=none`` (no positions: a third of the size, and the LIKE checks the order anyway),
kept in step by triggers. PostgreSQL keeps its trigram GIN index from 0002 and gets nothing here.
The FTS5 table and its shadow tables are not in the models' metadata;
``acctmgr.db.migrate.BACKEND_ONLY_TABLES`` names them for the schema comparison.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE accounts_search USING fts5(search_text, content='accounts', "
        "content_rowid='id', tokenize='trigram', detail=none, columnsize=0)"
    )
    op.execute(
        "CREATE TRIGGER accounts_search_insert AFTER INSERT ON accounts BEGIN "
        "INSERT INTO accounts_search (rowid, search_text) VALUES (new.id, new.search_text); "
        "END"
    )
    op.execute(
        "CREATE TRIGGER accounts_search_delete AFTER DELETE ON accounts BEGIN "
        "INSERT INTO accounts_search (accounts_search, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "END"
    )
    op.execute(
        "CREATE TRIGGER accounts_search_update AFTER UPDATE OF search_text ON accounts BEGIN "
        "INSERT INTO accounts_search (accounts_search, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO accounts_search (rowid, search_text) VALUES (new.id, new.search_text); "
        "END"
    )
    op.execute("INSERT INTO accounts_search (accounts_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("accounts_search_insert", "accounts_search_delete", "accounts_search_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS accounts_search")
