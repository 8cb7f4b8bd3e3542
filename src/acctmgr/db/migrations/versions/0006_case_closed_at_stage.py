"""Where a retention case was closed when it closed lost or withdrawn.

A case closed withdrawn at its third step showed every one of its eleven steps as done; the
stage it stood at is kept now, so the step indicator shows the steps done before it, where it
stopped and how, and the steps it never reached. Cases closed before this revision keep NULL
(the stage they stood at was not recorded) and show as they did.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both backends: a batch copy of the table would drop it, which SQLite
# refuses while other tables' foreign keys point at it.
def upgrade() -> None:
    op.add_column("retention_cases", sa.Column("closed_at_stage", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("retention_cases", "closed_at_stage")
