"""Smart approval rules, escalation targets, and carried-over approvals.

A rule can be smart (an approval it was given carries over to the next request while the facts
its condition reads are unchanged), and can name someone the approval escalates to once its SLA
has passed. Each approval keeps the one it carried over from, and when it escalates.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import acctmgr.models.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The roles as they were when this migration was written: a migration never follows later code.
ROLES = (
    "ae",
    "cms",
    "segment_leader",
    "kam",
    "customer_services",
    "customer_success",
    "presales",
    "finance",
    "im",
    "ssm",
    "nam",
    "ram",
    "admin",
    "trainer",
)


def upgrade() -> None:
    # Plain ADD COLUMNs, with no foreign key: SQLite adds (and drops) them in place, where a
    # key would copy the table, which the approvals referring to it forbid while keys are on.
    op.add_column(
        "approval_rules",
        sa.Column("smart", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("approval_rules", sa.Column("escalate_to_user_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite takes a CHECK only inline in ADD COLUMN, which Alembic does not write.
        allowed = ", ".join(f"'{role}'" for role in ROLES)
        op.execute(
            "ALTER TABLE approval_rules ADD COLUMN escalate_to_role VARCHAR(32) "
            f"CONSTRAINT ck_approval_rules_escalation_role CHECK (escalate_to_role IN ({allowed}))"
        )
    else:
        op.add_column(
            "approval_rules",
            sa.Column(
                "escalate_to_role",
                sa.Enum(
                    *ROLES,
                    name="escalation_role",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=True,
            ),
        )
    op.add_column("approval_rules", sa.Column("escalate_hours", sa.Integer(), nullable=True))
    for name in ("escalation_due_at", "escalation_sent_at"):
        op.add_column(
            "approvals",
            sa.Column(name, acctmgr.models.base.UTCDateTime(timezone=True), nullable=True),
        )
    op.add_column("approvals", sa.Column("carried_from_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    for name in ("carried_from_id", "escalation_sent_at", "escalation_due_at"):
        op.drop_column("approvals", name)
    for name in ("escalate_hours", "escalate_to_role", "escalate_to_user_id", "smart"):
        op.drop_column("approval_rules", name)
