"""A quote's notice period and payment terms, and the combinations of SKUs an admin declares.

Approval rules test a quote's terms (``payment_terms_days > 60``: terms the business cannot
sustain), so a quote keeps its notice period (60 days, as contracts) and the days the customer
has to pay an invoice (30) beside its term; quotes made before keep those defaults. A SKU may
require another on the same quote or exclude it, and a quote breaking that is refused or gets
a fact the rules test (``sku_relations``).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import acctmgr.models.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copy): SQLite takes them with a constant default.
    op.add_column(
        "quotes", sa.Column("notice_days", sa.Integer(), nullable=False, server_default="60")
    )
    op.add_column(
        "quotes",
        sa.Column("payment_terms_days", sa.Integer(), nullable=False, server_default="30"),
    )
    # A rate-reduction quote already under way keeps its case contract's notice period, which
    # the contract made from it used to copy from that contract.
    op.execute(
        """
        UPDATE quotes SET notice_days = (
            SELECT ct.notice_days FROM opportunities o
            JOIN retention_cases rc ON rc.id = o.retention_case_id
            JOIN contracts ct ON ct.id = rc.contract_id
            WHERE o.id = quotes.opportunity_id
        )
        WHERE EXISTS (
            SELECT 1 FROM opportunities o
            JOIN retention_cases rc ON rc.id = o.retention_case_id
            JOIN contracts ct ON ct.id = rc.contract_id
            WHERE o.id = quotes.opportunity_id
        )
        """
    )
    op.create_table(
        "sku_relations",
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("other_sku_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "requires",
                "excludes",
                name="skurelationkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "consequence",
            sa.Enum(
                "refuse",
                "approval",
                name="skuruleconsequence",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", acctmgr.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", acctmgr.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("sku_id <> other_sku_id", name=op.f("ck_sku_relations_not_itself")),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_sku_relations_sku_id_skus")),
        sa.ForeignKeyConstraint(
            ["other_sku_id"], ["skus.id"], name=op.f("fk_sku_relations_other_sku_id_skus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sku_relations")),
        sa.UniqueConstraint(
            "sku_id",
            "other_sku_id",
            "kind",
            name=op.f("uq_sku_relations_sku_id_other_sku_id_kind"),
        ),
    )
    with op.batch_alter_table("sku_relations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sku_relations_sku_id"), ["sku_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sku_relations_other_sku_id"), ["other_sku_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("sku_relations")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_column("payment_terms_days")
        batch_op.drop_column("notice_days")
