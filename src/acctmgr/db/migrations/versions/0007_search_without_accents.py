"""The accounts search without accents or case, over contacts' e-mails, in natural name order.

Every account's search text is made again by the rule the search applies to what is typed
(``acctmgr.services.kernel.text.folded``: "koln" finds "Köln"), now with its contacts' e-mail
addresses beside their names. A new column, ``sort_name``, holds the name as the list orders it
(``natural_name``: "#6" before "#11"); on PostgreSQL it compares by character whatever the
database's locale, as on SQLite. Both are computed by the services' own functions, not a copy
of them, so that what is stored is what the search reads.

SQLite's covering index follows the list order, (sort_name, id); PostgreSQL gets a B-tree on
(sort_name, id) for the same order. Both exist on one backend only
(``acctmgr.db.migrate.BACKEND_ONLY_INDEXES``). On both, (segment_id, sort_name, id) gives the
list of a user of one segment in its order, as (segment_id, name) did. The column is added in place, so the triggers
that keep the FTS5 table of 0004 in step stay; the one for edits is set aside while every text
is written, and the table is rebuilt once after.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:40:00
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import cast

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
SEARCH_TRIGGER = "accounts_search_update"


@dataclass(frozen=True, slots=True)
class _Account:
    """The fields of an account ``search_text_of`` reads."""

    id: int
    name: str
    iseries_number: str | None
    billing_city: str


def upgrade() -> None:
    from acctmgr.models import Account
    from acctmgr.services.accounts.records import search_text_of
    from acctmgr.services.kernel.text import natural_name

    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        op.drop_index("ix_accounts_search", table_name="accounts")
    op.add_column(
        "accounts",
        sa.Column(
            "sort_name",
            sa.Text() if sqlite else sa.Text(collation="C"),
            nullable=False,
            server_default="",
        ),
    )
    # Kept row by row, the FTS5 table took most of the time: it is rebuilt once instead.
    trigger = _drop_search_trigger(bind) if sqlite else None
    _write(
        bind,
        "UPDATE accounts SET search_text = :text, sort_name = :sort WHERE id = :id",
        [
            {
                "id": account.id,
                "text": search_text_of(cast(Account, account), contacts),
                "sort": natural_name(account.name),
            }
            for account, contacts in _accounts_with_contacts(bind, emails=True)
        ],
    )
    if trigger is not None:
        _rebuild_search_trigrams(bind, trigger)
    if sqlite:
        op.create_index(
            "ix_accounts_search",
            "accounts",
            ["sort_name", "id", "segment_id", "parent_id", "search_text"],
        )
    else:
        op.create_index("ix_accounts_sort_name", "accounts", ["sort_name", "id"])
    op.create_index("ix_accounts_segment_sort_name", "accounts", ["segment_id", "sort_name", "id"])


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.drop_index("ix_accounts_segment_sort_name", table_name="accounts")
    op.drop_index(
        "ix_accounts_search" if sqlite else "ix_accounts_sort_name", table_name="accounts"
    )
    op.drop_column("accounts", "sort_name")
    # The search text as it was before: lower-cased, with the contacts' names only.
    rows = []
    for account, contacts in _accounts_with_contacts(bind, emails=False):
        parts = [account.name, account.iseries_number or "", account.billing_city, *contacts]
        rows.append({"id": account.id, "text": " ".join(p for p in parts if p).lower()})
    trigger = _drop_search_trigger(bind) if sqlite else None
    _write(bind, "UPDATE accounts SET search_text = :text WHERE id = :id", rows)
    if trigger is not None:
        _rebuild_search_trigrams(bind, trigger)
    if sqlite:
        op.create_index(
            "ix_accounts_search",
            "accounts",
            ["name", "id", "segment_id", "parent_id", "search_text"],
        )


def _accounts_with_contacts(
    bind: sa.Connection, *, emails: bool
) -> list[tuple[_Account, list[str]]]:
    """Each account with its contacts' names (and e-mail addresses), in the order they were
    added, as ``search_text_of`` takes them."""
    found = bind.execute(
        sa.text("SELECT account_id, name, email FROM contacts ORDER BY account_id, id")
    ).all()
    contacts = {
        key: [part for _, name, email in group for part in (name, email if emails else "") if part]
        for key, group in groupby(found, key=lambda row: int(row[0]))
    }
    accounts = bind.execute(
        sa.text("SELECT id, name, iseries_number, billing_city FROM accounts ORDER BY id")
    ).all()
    return [
        (_Account(key, name, iseries, city), contacts.get(key, []))
        for key, name, iseries, city in accounts
    ]


def _write(bind: sa.Connection, statement: str, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), BATCH):
        bind.execute(sa.text(statement), rows[start : start + BATCH])


def _drop_search_trigger(bind: sa.Connection) -> str:
    """Drop the trigger that keeps the FTS5 table of 0004 in step with each edited search text;
    its SQL, to make it again (``_rebuild_search_trigrams``)."""
    trigger: str = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": SEARCH_TRIGGER},
    ).scalar_one()
    op.execute(f"DROP TRIGGER {SEARCH_TRIGGER}")
    return trigger


def _rebuild_search_trigrams(bind: sa.Connection, trigger: str) -> None:
    """The trigger made again, and the FTS5 table made from every search text at once."""
    bind.exec_driver_sql(trigger)
    op.execute("INSERT INTO accounts_search (accounts_search) VALUES ('rebuild')")
