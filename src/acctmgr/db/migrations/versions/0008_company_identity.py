"""The company's identity, kept in the database: every document and e-mail prints it.

Documents were signed "Our company", a constant in the code. The name, address, registration
and VAT numbers and contact e-mail now live in one row an admin edits, so every workstation and
SSH host sending documents from this database prints the same. No row means not set yet.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("registration_number", sa.String(length=64), nullable=False),
        sa.Column("vat_number", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_company_identity_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_identity")),
    )


def downgrade() -> None:
    op.drop_table("company_identity")
