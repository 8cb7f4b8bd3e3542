"""Each user's setting for approval e-mails: on unless they turn it off.

Approvers are e-mailed when an approval reaches them and submitters when their request is
decided (the outbox sends them); My day shows the same whatever the setting.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table copy): SQLite takes one with a constant default.
    op.add_column(
        "users",
        sa.Column("approval_emails", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_column("users", "approval_emails")
