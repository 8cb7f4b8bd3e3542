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
from acctmgr.domain.roles import Role

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The role is spelled out as of today, as a migration must not follow later code.
    roles = [role.value for role in Role]
    with op.batch_alter_table("approval_rules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("smart", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("escalate_to_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "escalate_to_role",
                sa.Enum(
                    *roles,
                    name="escalation_role",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("escalate_hours", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_approval_rules_escalate_to_user_id_users"),
            "users",
            ["escalate_to_user_id"],
            ["id"],
        )
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        for name in ("escalation_due_at", "escalation_sent_at"):
            batch_op.add_column(
                sa.Column(name, acctmgr.models.base.UTCDateTime(timezone=True), nullable=True)
            )
        batch_op.add_column(sa.Column("carried_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_approvals_carried_from_id_approvals"),
            "approvals",
            ["carried_from_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_approvals_carried_from_id_approvals"), type_="foreignkey"
        )
        for name in ("carried_from_id", "escalation_sent_at", "escalation_due_at"):
            batch_op.drop_column(name)
    with op.batch_alter_table("approval_rules", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_approval_rules_escalate_to_user_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("ck_approval_rules_escalation_role"), type_="check")
        for name in ("escalate_hours", "escalate_to_role", "escalate_to_user_id", "smart"):
            batch_op.drop_column(name)
