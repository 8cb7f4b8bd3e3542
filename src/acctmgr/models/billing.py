"""Money after the order: invoices and credit notes with their lines and tax, payments, the
reminders of overdue invoices, the gap-free number sequences, and the billing policy."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from acctmgr.domain.billing import (
    InvoiceKind,
    InvoiceStatus,
    PaymentSource,
    RenewalPricing,
    TaxCategory,
)
from acctmgr.domain.records import RecordType
from acctmgr.models.base import Base, IdMixin, Timestamps, Versioned, enum_type

TAX_RATE = Numeric(5, 2)  # percent: 19.00
PERCENT = Numeric(7, 4)
# The one row the billing policy holds.
THE_POLICY = 1


class Invoice(IdMixin, Versioned, Timestamps, Base):
    """An invoice or a credit note; a draft has no number until it is approved."""

    __tablename__ = "invoices"
    RECORD: ClassVar[RecordType] = RecordType.INVOICE
    __table_args__ = (
        # The review queue and the worker's passes: invoices by state and date.
        Index("ix_invoices_status_issued_on", "status", "issued_on"),
        Index("ix_invoices_status_due_on", "status", "due_on"),
        Index("ix_invoices_contract_period", "contract_id", "period_start"),
    )

    # Gap-free per kind and year (INV-2026-000001, CN-2026-000001), given at approval.
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    kind: Mapped[InvoiceKind] = mapped_column(enum_type(InvoiceKind), default=InvoiceKind.INVOICE)
    # A credit note's invoice.
    credits_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    status: Mapped[InvoiceStatus] = mapped_column(enum_type(InvoiceStatus), index=True)
    # The period it bills (in advance); an invoice of one-off and service lines has its order's
    # start as both.
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    issued_on: Mapped[date]
    due_on: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(16), default="en_US")
    net_minor: Mapped[int] = mapped_column(Integer, default=0)
    tax_minor: Mapped[int] = mapped_column(Integer, default=0)
    total_minor: Mapped[int] = mapped_column(Integer, default=0)  # net + tax: what is asked
    paid_minor: Mapped[int] = mapped_column(Integer, default=0)
    credited_minor: Mapped[int] = mapped_column(Integer, default=0)
    # Why a person must look at it before it is approved ("" when it may approve itself).
    review_reason: Mapped[str] = mapped_column(Text, default="")
    # The customer's reference (Peppol's buyer reference), copied from the account.
    buyer_reference: Mapped[str] = mapped_column(String(64), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")  # a cancellation's or credit's reason
    # The dunning level reached: 0 none, then one per reminder sent.
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)

    lines: Mapped[list[InvoiceLine]] = relationship(
        cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )


class InvoiceLine(IdMixin, Base):
    """One line: a subscription's period, a one-off or service order line, or a month's overage.

    What a line bills is unique in the database, so no run, re-run or second worker can bill it
    twice: a subscription and period, an order line, an overage line.
    """

    __tablename__ = "invoice_lines"
    RECORD: ClassVar[RecordType] = RecordType.INVOICE_LINE
    __table_args__ = (
        Index(
            "uq_invoice_lines_subscription_period", "subscription_id", "period_start", unique=True
        ),
        Index("uq_invoice_lines_order_line_id", "order_line_id", unique=True),
        Index("uq_invoice_lines_overage_line_id", "overage_line_id", unique=True),
    )

    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=1)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(Integer)
    net_minor: Mapped[int] = mapped_column(Integer)
    sku_version_id: Mapped[int | None] = mapped_column(ForeignKey("sku_versions.id"))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id"))
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    # A one-off or service line billed at order (services before delivery, seed 003).
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"))
    overage_line_id: Mapped[int | None] = mapped_column(ForeignKey("overage_lines.id"))
    # On a credit note: the invoice line it credits.
    credited_line_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_lines.id"))
    tax_category: Mapped[TaxCategory] = mapped_column(
        enum_type(TaxCategory), default=TaxCategory.STANDARD
    )
    tax_rate: Mapped[Decimal] = mapped_column(TAX_RATE, default=Decimal(0))
    tax_minor: Mapped[int] = mapped_column(Integer, default=0)


class Payment(IdMixin, Timestamps, Base):
    """Money received against an invoice, typed by Finance or imported from the ERP."""

    __tablename__ = "payments"
    RECORD: ClassVar[RecordType] = RecordType.PAYMENT

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    paid_on: Mapped[date]
    source: Mapped[PaymentSource] = mapped_column(enum_type(PaymentSource))
    reference: Mapped[str] = mapped_column(String(120), default="")  # the bank's or ERP's
    # An imported payment's key (``erp:INV-2026-000001:<reference>``): importing the same file
    # twice records it once.
    import_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class InvoiceReminder(IdMixin, Timestamps, Base):
    """A dunning reminder sent for an overdue invoice: one per invoice and level, ever."""

    __tablename__ = "invoice_reminders"
    RECORD: ClassVar[RecordType] = RecordType.INVOICE_REMINDER
    __table_args__ = (
        Index("uq_invoice_reminders_invoice_level", "invoice_id", "level", unique=True),
    )

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    level: Mapped[int] = mapped_column(Integer)
    sent_on: Mapped[date]
    email_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_emails.id"))


class NumberSequence(Base):
    """The last number given in a gap-free sequence (``invoice:2026``).

    Approving takes the row's lock (an UPDATE) in its own transaction, so two approvals never
    share a number, and a rolled-back approval gives its number back: there are no gaps.
    """

    __tablename__ = "number_sequences"
    RECORD: ClassVar[RecordType] = RecordType.NUMBER_SEQUENCE

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class BillingPolicy(IdMixin, Versioned, Timestamps, Base):
    """How the company bills and renews; one row, edited by an admin."""

    __tablename__ = "billing_policy"
    RECORD: ClassVar[RecordType] = RecordType.BILLING_POLICY
    __table_args__ = (CheckConstraint(f"id = {THE_POLICY}", name="one_row"),)

    # Drafted this many days before the period it bills starts, so review has time.
    invoice_lead_days: Mapped[int] = mapped_column(Integer, default=14)
    # Reminders this many days after the due date, one per level ("7,21,35").
    dunning_days: Mapped[str] = mapped_column(String(80), default="7,21,35")
    # Peppol BIS Billing 3.0 (UBL 2.1) beside the PDF, for accounts with a Peppol id.
    e_invoices: Mapped[bool] = mapped_column(Boolean, default=False)
    # A fixed term's renewal offer is drafted this many days before its notice deadline.
    renewal_offer_days: Mapped[int] = mapped_column(Integer, default=30)
    renewal_pricing: Mapped[RenewalPricing] = mapped_column(
        enum_type(RenewalPricing), default=RenewalPricing.SAME_PRICES
    )
    renewal_uplift_pct: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
