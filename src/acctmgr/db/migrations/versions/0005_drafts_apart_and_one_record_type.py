"""Drafts kept apart from their records, and one spelling of each record type in the audit trail.

A draft was a column of its retention case, so keeping one raised the case's version and the
user's next save of the case looked stale. Drafts now have their own table, keyed by record,
step and user; the drafts waiting on cases are moved there.

The audit trail named a record by its table (``retention_cases``) in the events a change wrote
and by its kind (``retention_case``) in the decisions use cases wrote, and documents and e-mails
named theirs by table; every event and reference now carries the kind
(``acctmgr.domain.records.RecordType``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Table name -> record type, as of this revision (RecordType may grow; this may not change).
RECORD_TYPES = {
    "accounts": "account",
    "activities": "activity",
    "approval_decisions": "approval_decision",
    "approval_group_members": "approval_group_member",
    "approval_groups": "approval_group",
    "approval_requests": "approval_request",
    "approval_rules": "approval_rule",
    "approvals": "approval",
    "billing_discrepancies": "billing_discrepancy",
    "contacts": "contact",
    "contracts": "contract",
    "delegations": "delegation",
    "document_templates": "document_template",
    "documents": "document",
    "email_attachments": "email_attachment",
    "entitlements": "entitlement",
    "handover_items": "handover_item",
    "import_runs": "import_run",
    "invoice_lines": "invoice_line",
    "invoices": "invoice",
    "offers": "offer",
    "onboarding_accounts": "onboarding_account",
    "onboarding_requests": "onboarding_request",
    "opportunities": "opportunity",
    "order_lines": "order_line",
    "orders": "order",
    "outbox_emails": "outbox_email",
    "package_items": "package_item",
    "packages": "package",
    "placeholder_requests": "placeholder_request",
    "quote_lines": "quote_line",
    "quotes": "quote",
    "retention_cases": "retention_case",
    "segments": "segment",
    "sku_prices": "sku_price",
    "sku_versions": "sku_version",
    "skus": "sku",
    "ssh_keys": "ssh_key",
    "subscriptions": "subscription",
    "usage_records": "usage_record",
    "usage_tiers": "usage_tier",
    "user_roles": "user_role",
    "users": "user",
}


# A case's stored step -> the wizard stage a draft is now kept under.
STAGE_OF_STEP = {
    "opened": "open",
    "in_queue": "routing",
    "usage_review": "usage",
    "opportunity": "opportunity",
    "placeholder": "placeholder",
    "customer_goals": "goals",
    "quote": "quote",
    "review": "review",
    "approval": "approval",
    "signature": "signature",
}


def upgrade() -> None:
    drafts = op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_drafts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint(
            "record_type",
            "record_id",
            "step",
            "user_id",
            name=op.f("uq_drafts_record_type_record_id_step_user_id"),
        ),
    )
    _move_case_drafts(drafts)
    # Not batch mode: rebuilding the table would drop it, which SQLite refuses while other
    # rows refer to its cases. SQLite drops a plain column in place (3.35 and later).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE retention_cases DROP COLUMN draft")
    else:
        op.drop_column("retention_cases", "draft")
    # The audit trail, and the references that named a record by its table.
    for table_name, column in (
        ("audit_events", "entity_type"),
        ("documents", "record_type"),
        ("outbox_emails", "record_type"),
        ("activities", "record_type"),
        ("approval_requests", "record_type"),
        ("approval_rules", "record_type"),
    ):
        referring = sa.table(table_name, sa.column(column, sa.String))
        for table, record_type in RECORD_TYPES.items():
            op.execute(
                referring.update().where(referring.c[column] == table).values({column: record_type})
            )


def _move_case_drafts(drafts: sa.Table) -> None:
    cases = sa.table(
        "retention_cases",
        sa.column("id", sa.Integer),
        sa.column("step", sa.String),
        sa.column("draft", sa.JSON),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    rows = []
    for case_id, step, draft, updated_at, created_at in bind.execute(
        sa.select(cases.c.id, cases.c.step, cases.c.draft, cases.c.updated_at, cases.c.created_at)
    ):
        # Only a draft of the step the case is at could still be resumed.
        if not draft or not draft.get("values") or draft.get("step") != step:
            continue
        if step not in STAGE_OF_STEP:
            continue
        rows.append(
            {
                "record_type": "retention_case",
                "record_id": case_id,
                "step": STAGE_OF_STEP[step],
                "user_id": draft["user_id"],
                "fields": {str(k): str(v) for k, v in draft["values"].items()},
                "created_at": updated_at or created_at,
            }
        )
    if rows:
        op.bulk_insert(drafts, rows)


def downgrade() -> None:
    # Documents and e-mails named their record by its table before; the audit trail keeps the
    # one spelling (which events had the other cannot be told again), and drafts are dropped.
    for table_name in ("documents", "outbox_emails"):
        referring = sa.table(table_name, sa.column("record_type", sa.String))
        for table, record_type in RECORD_TYPES.items():
            op.execute(
                referring.update()
                .where(referring.c.record_type == record_type)
                .values(record_type=table)
            )
    op.add_column(
        "retention_cases", sa.Column("draft", sa.JSON(), nullable=False, server_default="{}")
    )
    op.drop_table("drafts")
