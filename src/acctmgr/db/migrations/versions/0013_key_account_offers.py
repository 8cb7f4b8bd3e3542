"""Key accounts' offers: the primary offer, acceptances, our signature, agreed prices, an
account's own packages, a contact cadence, and the peer figures upsell compares with.

An opportunity holds alternative offers, one primary at a time (a partial unique index); an
accepted offer keeps who accepted it, when, how, and the SHA-256 of the document they saw. A
contract keeps our side's signature beside the customer's. A key account may have prices
agreed for a time, packages of its own, and a cadence of contact; the worker counts how many
accounts of each segment and size hold each SKU.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import acctmgr.models.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", acctmgr.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", acctmgr.models.base.UTCDateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copy, which existing rows referring to these tables forbid
    # on SQLite); each with a constant default.
    op.add_column("accounts", sa.Column("contact_cadence_days", sa.Integer(), nullable=True))
    op.add_column(
        "offers", sa.Column("is_primary", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "offers",
        sa.Column("template", sa.String(80), nullable=False, server_default="offer.html.j2"),
    )
    op.add_column("offers", sa.Column("cover_text", sa.Text(), nullable=False, server_default=""))
    for name in ("sent_at", "answered_at"):
        op.add_column(
            "offers",
            sa.Column(name, acctmgr.models.base.UTCDateTime(timezone=True), nullable=True),
        )
    op.add_column(
        "offers", sa.Column("decline_reason", sa.String(200), nullable=False, server_default="")
    )
    # What the contract made from the offer will be: a standing order or a fixed term.
    if op.get_bind().dialect.name == "sqlite":
        # SQLite takes a CHECK only inline in ADD COLUMN, which Alembic does not write.
        op.execute(
            "ALTER TABLE offers ADD COLUMN renewal_type VARCHAR(32) NOT NULL "
            "DEFAULT 'standing_order' CONSTRAINT ck_offers_renewaltype "
            "CHECK (renewal_type IN ('standing_order', 'fixed_term'))"
        )
    else:
        op.add_column(
            "offers",
            sa.Column(
                "renewal_type",
                sa.Enum(
                    "standing_order",
                    "fixed_term",
                    name="renewaltype",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=False,
                server_default="standing_order",
            ),
        )
    op.create_index(
        "uq_offers_one_primary",
        "offers",
        ["opportunity_id"],
        unique=True,
        sqlite_where=sa.text("is_primary"),
        postgresql_where=sa.text("is_primary"),
    )
    op.add_column(
        "contracts",
        sa.Column("our_signer_name", sa.String(200), nullable=False, server_default=""),
    )
    op.add_column(
        "contracts",
        sa.Column("our_signer_title", sa.String(120), nullable=False, server_default=""),
    )
    op.add_column("contracts", sa.Column("our_signed_on", sa.Date(), nullable=True))

    op.create_table(
        "offer_acceptances",
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "signed_pdf",
                "email",
                "phone",
                name="acceptancemethod",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=False),
        sa.Column("quote_version", sa.Integer(), nullable=False),
        sa.Column("net_total_minor", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_offer_acceptances_offer_id_offers")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_offer_acceptances_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_offer_acceptances_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_offer_acceptances_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_acceptances")),
        sa.UniqueConstraint("offer_id", name=op.f("uq_offer_acceptances_offer_id")),
    )
    op.create_table(
        "account_packages",
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_account_packages_package_id_packages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_packages_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_packages")),
        sa.UniqueConstraint("package_id", name=op.f("uq_account_packages_package_id")),
    )
    op.create_index(
        op.f("ix_account_packages_account_id"), "account_packages", ["account_id"], unique=False
    )
    op.create_table(
        "agreed_prices",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("discount_pct", sa.Numeric(7, 4), nullable=True),
        sa.Column("price_minor", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "(discount_pct IS NULL) <> (price_minor IS NULL)",
            name=op.f("ck_agreed_prices_discount_or_price"),
        ),
        sa.CheckConstraint(
            "valid_from <= valid_until", name=op.f("ck_agreed_prices_valid_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_agreed_prices_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_agreed_prices_sku_id_skus")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_agreed_prices_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreed_prices")),
    )
    op.create_index(
        "ix_agreed_prices_account_sku",
        "agreed_prices",
        ["account_id", "sku_id", "valid_until"],
        unique=False,
    )
    op.create_table(
        "peer_holdings",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("size_band", sa.String(16), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("holders", sa.Integer(), nullable=False),
        sa.Column("peers", sa.Integer(), nullable=False),
        sa.Column("computed_at", acctmgr.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_peer_holdings_segment_id_segments")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_peer_holdings_sku_id_skus")),
        sa.PrimaryKeyConstraint("segment_id", "size_band", "sku_id", name=op.f("pk_peer_holdings")),
    )


def downgrade() -> None:
    op.drop_table("peer_holdings")
    op.drop_table("agreed_prices")
    op.drop_table("account_packages")
    op.drop_table("offer_acceptances")
    op.drop_index("uq_offers_one_primary", table_name="offers")
    for table, columns in (
        ("contracts", ("our_signed_on", "our_signer_title", "our_signer_name")),
        (
            "offers",
            (
                "renewal_type",
                "decline_reason",
                "answered_at",
                "sent_at",
                "cover_text",
                "template",
                "is_primary",
            ),
        ),
        ("accounts", ("contact_cadence_days",)),
    ):
        for column in columns:
            op.drop_column(table, column)  # plain DROP COLUMN, as the columns were added
