"""An index for renewals coming up: active contracts in end-date order.

Without it SQLite chose the (unselective) status index and sorted every active contract:
~65 ms for a Segment Leader's My day on 100,000 accounts; with it, ~4 ms.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:55:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_contracts_status_ends_on", "contracts", ["status", "ends_on"])


def downgrade() -> None:
    op.drop_index("ix_contracts_status_ends_on", table_name="contracts")
