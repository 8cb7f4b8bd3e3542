"""Fulfilment: orders in revisions, the lines a split put in each, subscriptions and
entitlements tied to their order lines, uses of an entitlement, overage for review, and the
ERP export.

No use case ever wrote an order, so ``orders`` and ``order_lines`` are made again in their new
shape (revisions, who activated, each line's prices, own start, trial, end and deadline). The columns
added to existing tables are plain ADD COLUMNs; on SQLite a reference or a CHECK can only be
written inline there, which Alembic does not do, so those are written by hand.

Every entitlement without a deadline gets one from its contract (its end date), or a year
after its start when it has none; the migration logs each it set and audits it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 19:00:00
"""

import json
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

import acctmgr.models.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

# Tables whose order_id refers to orders, which is made again.
REFERS_TO_ORDERS = ("subscriptions", "invoices")


def _sqlite() -> bool:
    return bool(op.get_bind().dialect.name == "sqlite")


def _when() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", acctmgr.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", acctmgr.models.base.UTCDateTime(timezone=True), nullable=True),
    ]


def _status(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _instant() -> acctmgr.models.base.UTCDateTime:
    return acctmgr.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    _orders_again()
    _add_reference("subscriptions", "order_line_id", "order_lines")
    _add_reference("subscriptions", "replaces_id", "subscriptions")
    if _sqlite():
        op.execute(
            "ALTER TABLE subscriptions ADD COLUMN ended_reason VARCHAR(32) "
            "CONSTRAINT ck_subscriptions_subscriptionend "
            "CHECK (ended_reason IN ('term', 'replaced', 'converted', 'trial_ended'))"
        )
    else:
        op.add_column(
            "subscriptions",
            sa.Column(
                "ended_reason",
                _status("subscriptionend", "term", "replaced", "converted", "trial_ended"),
                nullable=True,
            ),
        )
    op.create_index(
        "ix_subscriptions_account_starts_on", "subscriptions", ["account_id", "starts_on"]
    )
    op.create_index("ix_subscriptions_status_starts_on", "subscriptions", ["status", "starts_on"])
    op.create_index(
        "uq_subscriptions_order_line_kind", "subscriptions", ["order_line_id", "kind"], unique=True
    )

    _add_reference("entitlements", "order_line_id", "order_lines")
    op.add_column("entitlements", sa.Column("warned_at", _instant(), nullable=True))
    op.add_column("entitlements", sa.Column("expired_at", _instant(), nullable=True))
    op.create_index("uq_entitlements_order_line_id", "entitlements", ["order_line_id"], unique=True)

    op.create_table(
        "entitlement_uses",
        sa.Column("entitlement_id", sa.Integer(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entitlement_id"],
            ["entitlements.id"],
            name=op.f("fk_entitlement_uses_entitlement_id_entitlements"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_entitlement_uses_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlement_uses")),
    )
    op.create_index(
        op.f("ix_entitlement_uses_entitlement_id"), "entitlement_uses", ["entitlement_id"]
    )
    op.create_table(
        "overage_lines",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("sku_version_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("included", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status", _status("overagestatus", "to_review", "approved", "waived"), nullable=False
        ),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", _instant(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        *_when(),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_overage_lines_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_overage_lines_reviewed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["sku_version_id"],
            ["sku_versions.id"],
            name=op.f("fk_overage_lines_sku_version_id_sku_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_overage_lines_subscription_id_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overage_lines")),
        sa.UniqueConstraint(
            "account_id", "metric", "month", name=op.f("uq_overage_lines_account_id_metric_month")
        ),
    )
    op.create_index("ix_overage_lines_status", "overage_lines", ["status", "month"])
    op.create_table(
        "erp_exports",
        sa.Column("document_type", acctmgr.models.base.RecordTypeColumn(length=40), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("replaces_key", sa.String(length=80), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "status", _status("exportstatus", "queued", "writing", "written"), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("lease_until", _instant(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("written_at", _instant(), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        *_when(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_exports")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_erp_exports_idempotency_key")),
    )
    op.create_index("ix_erp_exports_status", "erp_exports", ["status", "created_at"])
    _deadlines_from_contracts()


def _add_reference(table: str, column: str, referred: str) -> None:
    name = f"fk_{table}_{column}_{referred}"
    if _sqlite():
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
            f"CONSTRAINT {name} REFERENCES {referred} (id)"
        )
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, referred, [column], ["id"])


def _orders_again() -> None:
    if not _sqlite():  # SQLite refers to a table by name, so its references hold through this
        for table in REFERS_TO_ORDERS:
            op.drop_constraint(f"fk_{table}_order_id_orders", table, type_="foreignkey")
    op.drop_table("order_lines")
    op.drop_table("orders")
    op.create_table(
        "orders",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            _status("orderstatus", "draft", "activated", "superseded", "cancelled"),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("activated_by_id", sa.Integer(), nullable=True),
        sa.Column("activated_at", _instant(), nullable=True),
        *_when(),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_orders_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_orders_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["orders.id"], name=op.f("fk_orders_supersedes_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_orders_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["activated_by_id"], ["users.id"], name=op.f("fk_orders_activated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_orders_supersedes_id")),
    )
    op.create_index(op.f("ix_orders_account_id"), "orders", ["account_id"])
    op.create_index(op.f("ix_orders_contract_id"), "orders", ["contract_id"])
    op.create_index("ix_orders_status_starts_on", "orders", ["status", "starts_on"])
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("quote_line_id", sa.Integer(), nullable=True),
        sa.Column("sku_version_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("list_price_minor", sa.Integer(), nullable=False),
        sa.Column("unit_net_minor", sa.Integer(), nullable=False),
        sa.Column("net_minor", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("trial_ends_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("consume_by", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quote_line_id"],
            ["quote_lines.id"],
            name=op.f("fk_order_lines_quote_line_id_quote_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["sku_version_id"],
            ["sku_versions.id"],
            name=op.f("fk_order_lines_sku_version_id_sku_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
    )
    op.create_index(op.f("ix_order_lines_order_id"), "order_lines", ["order_id"])
    op.create_table(
        "ordered_lines",
        sa.Column("quote_line_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_ordered_lines_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["quote_line_id"],
            ["quote_lines.id"],
            name=op.f("fk_ordered_lines_quote_line_id_quote_lines"),
        ),
        sa.PrimaryKeyConstraint("quote_line_id", name=op.f("pk_ordered_lines")),
    )
    op.create_index(op.f("ix_ordered_lines_order_id"), "ordered_lines", ["order_id"])
    if not _sqlite():
        for table in REFERS_TO_ORDERS:
            op.create_foreign_key(
                f"fk_{table}_order_id_orders", table, "orders", ["order_id"], ["id"]
            )


def _deadlines_from_contracts() -> None:
    """A deadline for every entitlement without one: its contract's end, else a year on."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT e.id, e.starts_on, c.ends_on, c.number FROM entitlements e "
            "LEFT JOIN contracts c ON c.id = e.contract_id "
            "WHERE e.consume_by IS NULL ORDER BY e.id"
        )
    ).all()
    now = datetime.now(UTC)
    for entitlement_id, starts_on, contract_ends_on, number in rows:
        start = starts_on if isinstance(starts_on, date) else date.fromisoformat(starts_on)
        if contract_ends_on is not None:
            deadline = (
                contract_ends_on
                if isinstance(contract_ends_on, date)
                else date.fromisoformat(contract_ends_on)
            )
            source = f"the end of contract {number}"
        else:
            deadline = _a_year_on(start)
            source = "a year after it started (it has no contract)"
        bind.execute(
            sa.text("UPDATE entitlements SET consume_by = :deadline WHERE id = :id"),
            {"deadline": deadline, "id": entitlement_id},
        )
        bind.execute(
            sa.text(
                "INSERT INTO audit_events (at, actor_id, action, change, entity_type, "
                "entity_id, before, after) VALUES (:at, NULL, 'migration.0014', 'update', "
                "'entitlement', :id, :before, :after)"
            ),
            {
                "at": now,
                "id": entitlement_id,
                "before": json.dumps({"consume_by": None}),
                "after": json.dumps({"consume_by": deadline.isoformat(), "from": source}),
            },
        )
        log.info(
            "Entitlement %s had no deadline: consume by %s, %s.", entitlement_id, deadline, source
        )
    if rows:
        log.info("Set a deadline on %s entitlements that had none.", len(rows))


def _a_year_on(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def downgrade() -> None:
    op.drop_table("erp_exports")
    op.drop_table("overage_lines")
    op.drop_table("entitlement_uses")
    op.drop_index("uq_entitlements_order_line_id", table_name="entitlements")
    op.drop_index("uq_subscriptions_order_line_kind", table_name="subscriptions")
    op.drop_index("ix_subscriptions_status_starts_on", table_name="subscriptions")
    op.drop_index("ix_subscriptions_account_starts_on", table_name="subscriptions")
    if not _sqlite():
        op.drop_constraint(
            "fk_entitlements_order_line_id_order_lines", "entitlements", type_="foreignkey"
        )
        for column, referred in (
            ("order_line_id", "order_lines"),
            ("replaces_id", "subscriptions"),
        ):
            op.drop_constraint(
                f"fk_subscriptions_{column}_{referred}", "subscriptions", type_="foreignkey"
            )
    for table, column in (
        ("entitlements", "expired_at"),
        ("entitlements", "warned_at"),
        ("entitlements", "order_line_id"),
        ("subscriptions", "ended_reason"),
        ("subscriptions", "replaces_id"),
        ("subscriptions", "order_line_id"),
    ):
        op.drop_column(table, column)  # plain DROP COLUMN, as the columns were added
    op.drop_table("ordered_lines")
    # The orders tables stay in their new shape: no use case of 0013 wrote to them.
