"""Billing and renewals: invoices with review, tax, credit notes, payments, reminders, gap-free
numbers, the billing policy; a contract's notice of termination and how its cycle closed.

Invoices and their lines take their new shape: a draft has no number until it is approved, the
status ``reviewed`` becomes ``approved``, and a line says what it bills (a subscription and
period, an order line, an overage line), which is unique. No use case ever wrote an invoice;
the demo's rows are kept: each reviewed one is approved, its net is its total (no tax), and a
paid one is paid in full. PostgreSQL alters the tables in place; SQLite cannot change a
column's nullability or a CHECK, so there they are made again and the rows copied across.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 21:30:00
"""

import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

import acctmgr.models.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INVOICE_STATUSES = ("draft", "approved", "sent", "paid", "cancelled")
ONE_DAY = timedelta(days=1)
TAX_CATEGORIES = ("standard", "reduced", "zero", "exempt", "reverse_charge")


def _sqlite() -> bool:
    return bool(op.get_bind().dialect.name == "sqlite")


def _status(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _instant() -> acctmgr.models.base.UTCDateTime:
    return acctmgr.models.base.UTCDateTime(timezone=True)


def _reference(table: str, column: str, referred: str) -> sa.Column[Any]:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey(f"{referred}.id", name=f"fk_{table}_{column}_{referred}"),
        nullable=True,
    )


def _invoice_additions() -> list[sa.Column[Any]]:
    """The columns ``invoices`` gains; those that existing rows need get a server default."""
    return [
        sa.Column(
            "kind",
            _status("invoicekind", "invoice", "credit_note"),
            nullable=False,
            server_default="invoice",
        ),
        _reference("invoices", "credits_id", "invoices"),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("locale", sa.String(16), nullable=False, server_default="en_US"),
        sa.Column("net_minor", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("tax_minor", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("paid_minor", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("credited_minor", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("review_reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("buyer_reference", sa.String(64), nullable=False, server_default=""),
        sa.Column("approved_at", _instant(), nullable=True),
        sa.Column("cancelled_at", _instant(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0"),
    ]


def _line_additions() -> list[sa.Column[Any]]:
    return [
        sa.Column("position", sa.Integer(), nullable=False, server_default="1"),
        _reference("invoice_lines", "sku_version_id", "sku_versions"),
        _reference("invoice_lines", "subscription_id", "subscriptions"),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        _reference("invoice_lines", "order_line_id", "order_lines"),
        _reference("invoice_lines", "overage_line_id", "overage_lines"),
        _reference("invoice_lines", "credited_line_id", "invoice_lines"),
        sa.Column(
            "tax_category",
            _status("taxcategory", *TAX_CATEGORIES),
            nullable=False,
            server_default="standard",
        ),
        sa.Column("tax_rate", sa.Numeric(5, 2), nullable=False, server_default="0"),
        sa.Column("tax_minor", sa.Integer(), nullable=False, server_default="0"),
    ]


def upgrade() -> None:
    if _sqlite():
        _invoices_again_on_sqlite()
    else:
        _invoices_altered_on_postgresql()
    op.execute("UPDATE invoices SET net_minor = total_minor")
    op.execute("UPDATE invoices SET paid_minor = total_minor WHERE status = 'paid'")
    op.execute(
        "UPDATE invoices SET approved_at = sent_at WHERE status IN ('approved', 'sent', 'paid')"
    )
    op.execute(
        "UPDATE invoice_lines SET position = id - "
        "(SELECT MIN(other.id) FROM invoice_lines other "
        "WHERE other.invoice_id = invoice_lines.invoice_id) + 1"
    )
    for name, columns in (
        ("ix_invoices_account_id", ["account_id"]),
        ("ix_invoices_contract_id", ["contract_id"]),
        ("ix_invoices_status", ["status"]),
        ("ix_invoices_credits_id", ["credits_id"]),
        ("ix_invoices_status_issued_on", ["status", "issued_on"]),
        ("ix_invoices_status_due_on", ["status", "due_on"]),
        ("ix_invoices_contract_period", ["contract_id", "period_start"]),
    ):
        if _sqlite() or name not in _POSTGRESQL_KEPT:
            op.create_index(name, "invoices", columns)
    if _sqlite():
        op.create_index("ix_invoice_lines_invoice_id", "invoice_lines", ["invoice_id"])
    op.create_index(
        "uq_invoice_lines_subscription_period",
        "invoice_lines",
        ["subscription_id", "period_start"],
        unique=True,
    )
    op.create_index(
        "uq_invoice_lines_order_line_id", "invoice_lines", ["order_line_id"], unique=True
    )
    op.create_index(
        "uq_invoice_lines_overage_line_id", "invoice_lines", ["overage_line_id"], unique=True
    )
    _new_tables()
    _added_columns()


_POSTGRESQL_KEPT = ("ix_invoices_account_id", "ix_invoices_contract_id", "ix_invoices_status")


def _invoices_altered_on_postgresql() -> None:
    op.alter_column(
        "invoices", "number", type_=sa.String(24), existing_type=sa.String(20), nullable=True
    )
    op.drop_constraint(op.f("ck_invoices_invoicestatus"), "invoices", type_="check")
    op.execute("UPDATE invoices SET status = 'approved' WHERE status = 'reviewed'")
    op.create_check_constraint(
        op.f("ck_invoices_invoicestatus"),
        "invoices",
        sa.column("status").in_(INVOICE_STATUSES),
    )
    for column in _invoice_additions():
        op.add_column("invoices", column)
    for column in _line_additions():
        op.add_column("invoice_lines", column)


def _invoices_again_on_sqlite() -> None:
    """Make both tables again in the new shape, copy the rows, and put them in place."""
    op.create_table(
        "invoices_next",
        sa.Column("number", sa.String(24), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("status", _status("invoicestatus", *INVOICE_STATUSES), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_minor", sa.Integer(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", _instant(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=True),
        *_invoice_additions(),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_invoices_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name="fk_invoices_contract_id_contracts"
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_invoices_order_id_orders"),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name="fk_invoices_reviewed_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invoices"),
        sa.UniqueConstraint("number", name="uq_invoices_number"),
    )
    # A credit note refers to its invoice in the same table: by its final name.
    op.execute(
        "INSERT INTO invoices_next (id, number, account_id, contract_id, order_id, status, "
        "issued_on, due_on, currency, total_minor, reviewed_by_id, sent_at, version, "
        "created_at, updated_at) SELECT id, number, account_id, contract_id, order_id, "
        "CASE status WHEN 'reviewed' THEN 'approved' ELSE status END, issued_on, due_on, "
        "currency, total_minor, reviewed_by_id, sent_at, version, created_at, updated_at "
        "FROM invoices"
    )
    op.create_table(
        "invoice_lines_next",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.Integer(), nullable=False),
        sa.Column("net_minor", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        *_line_additions(),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices_next.id"],
            name="fk_invoice_lines_invoice_id_invoices",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invoice_lines"),
    )
    op.execute(
        "INSERT INTO invoice_lines_next (id, invoice_id, description, quantity, "
        "unit_price_minor, net_minor) SELECT id, invoice_id, description, quantity, "
        "unit_price_minor, net_minor FROM invoice_lines"
    )
    op.drop_table("invoice_lines")
    op.drop_table("invoices")
    # SQLite rewrites the references to a renamed table (invoice_lines_next → invoices).
    op.execute("ALTER TABLE invoices_next RENAME TO invoices")
    op.execute("ALTER TABLE invoice_lines_next RENAME TO invoice_lines")


def _new_tables() -> None:
    op.create_table(
        "payments",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("source", _status("paymentsource", "manual", "erp"), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("import_key", sa.String(length=160), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=True),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_payments_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_payments_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("import_key", name=op.f("uq_payments_import_key")),
    )
    op.create_index(op.f("ix_payments_invoice_id"), "payments", ["invoice_id"])
    op.create_table(
        "invoice_reminders",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=True),
        sa.ForeignKeyConstraint(
            ["email_id"],
            ["outbox_emails.id"],
            name=op.f("fk_invoice_reminders_email_id_outbox_emails"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_reminders_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_reminders")),
    )
    op.create_index(
        "uq_invoice_reminders_invoice_level",
        "invoice_reminders",
        ["invoice_id", "level"],
        unique=True,
    )
    op.create_table(
        "number_sequences",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_number_sequences")),
    )
    op.create_table(
        "billing_policy",
        sa.Column("invoice_lead_days", sa.Integer(), nullable=False),
        sa.Column("dunning_days", sa.String(length=80), nullable=False),
        sa.Column("e_invoices", sa.Boolean(), nullable=False),
        sa.Column("renewal_offer_days", sa.Integer(), nullable=False),
        sa.Column(
            "renewal_pricing",
            _status("renewalpricing", "same_prices", "list_prices", "uplift"),
            nullable=False,
        ),
        sa.Column("renewal_uplift_pct", sa.Numeric(7, 4), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_billing_policy_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_policy")),
    )


def _added_columns() -> None:
    """Plain ADD COLUMNs on tables that keep their rows; a CHECK is inline on SQLite."""
    for table, column, length in (
        ("accounts", "vat_number", 32),
        ("accounts", "peppol_id", 80),
        ("accounts", "buyer_reference", 64),
        ("company_identity", "country", 2),
        ("company_identity", "peppol_id", 80),
        ("company_identity", "iban", 34),
    ):
        op.add_column(
            table, sa.Column(column, sa.String(length), nullable=False, server_default="")
        )
    checks = {
        ("sku_versions", "tax_category"): (
            "taxcategory",
            TAX_CATEGORIES,
            "'standard'",
            "NOT NULL",
        ),
        ("contracts", "closed_reason"): (
            "contractend",
            ("not_renewed", "terminated"),
            "NULL",
            "",
        ),
    }
    for (table, column), (name, values, default, null) in checks.items():
        if _sqlite():
            listed = ", ".join(f"'{value}'" for value in values)
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(32) {null} DEFAULT {default} "
                f"CONSTRAINT ck_{table}_{name} CHECK ({column} IN ({listed}))"
            )
        else:
            op.add_column(
                table,
                sa.Column(
                    column,
                    _status(name, *values),
                    nullable=not null,
                    server_default=None if default == "NULL" else default.strip("'"),
                ),
            )
    op.add_column(
        "sku_versions",
        sa.Column("tax_rate", sa.Numeric(5, 2), nullable=False, server_default="20.00"),
    )
    op.add_column("contracts", sa.Column("notice_received_on", sa.Date(), nullable=True))
    op.add_column("contracts", sa.Column("terminates_on", sa.Date(), nullable=True))
    op.add_column("contracts", sa.Column("renewal_offered_at", _instant(), nullable=True))
    op.add_column("contracts", sa.Column("closed_at", _instant(), nullable=True))
    op.add_column("subscriptions", sa.Column("billed_until", sa.Date(), nullable=True))
    _billed_elsewhere_until_today()


def _billed_elsewhere_until_today() -> None:
    """A subscription already running was billed outside acctmgr: its cursor is put at the end
    of the period running today, so the first invoice run bills the next period, not the past."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT s.id, s.starts_on, COALESCE(v.billing_period_months, 12) "
            "FROM subscriptions s JOIN sku_versions v ON v.id = s.sku_version_id "
            "WHERE s.status = 'active' AND s.kind = 'paid'"
        )
    ).all()
    today = date.today()
    updates = []
    for subscription_id, starts_on, months in rows:
        start = starts_on if isinstance(starts_on, date) else date.fromisoformat(starts_on)
        period = 0
        while _months_on(start, (period + 1) * months) <= today:
            period += 1
        updates.append(
            {"id": subscription_id, "until": _months_on(start, (period + 1) * months) - ONE_DAY}
        )
    if updates:
        bind.execute(
            sa.text("UPDATE subscriptions SET billed_until = :until WHERE id = :id"), updates
        )


def _months_on(first: date, months: int) -> date:
    """As kernel.terms.term_start, written out: a migration does not follow later code."""
    index = first.year * 12 + first.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if first.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, first.day)
    return date(year + (month == 12), month % 12 + 1, 1)


def downgrade() -> None:
    """Back to 0014's shape, for the upgrade tests; invoices and their lines are emptied."""
    for table in ("billing_policy", "number_sequences", "invoice_reminders", "payments"):
        op.drop_table(table)
    for table, column in (
        ("subscriptions", "billed_until"),
        ("contracts", "closed_at"),
        ("contracts", "renewal_offered_at"),
        ("contracts", "terminates_on"),
        ("contracts", "notice_received_on"),
        ("contracts", "closed_reason"),
        ("sku_versions", "tax_rate"),
        ("sku_versions", "tax_category"),
        ("company_identity", "iban"),
        ("company_identity", "peppol_id"),
        ("company_identity", "country"),
        ("accounts", "buyer_reference"),
        ("accounts", "peppol_id"),
        ("accounts", "vat_number"),
    ):
        op.drop_column(table, column)  # plain DROP COLUMN, as the columns were added
    op.drop_table("invoice_lines")
    op.drop_table("invoices")
    op.create_table(
        "invoices",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            _status("invoicestatus", "draft", "reviewed", "sent", "paid", "cancelled"),
            nullable=False,
        ),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_minor", sa.Integer(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", _instant(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_invoices_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_invoices_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_invoices_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_invoices_reviewed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    for name, column in (
        ("ix_invoices_account_id", "account_id"),
        ("ix_invoices_contract_id", "contract_id"),
        ("ix_invoices_status", "status"),
    ):
        op.create_index(name, "invoices", [column])
    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.Integer(), nullable=False),
        sa.Column("net_minor", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
    )
    op.create_index("ix_invoice_lines_invoice_id", "invoice_lines", ["invoice_id"])
