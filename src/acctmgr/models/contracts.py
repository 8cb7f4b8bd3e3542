"""After the signature: contracts, orders, subscriptions, entitlements, usage and invoices."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from acctmgr.domain.contracts import (
    ContractStatus,
    InvoiceStatus,
    OrderStatus,
    RenewalType,
    SignatureMethod,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.domain.records import RecordType
from acctmgr.models.base import Base, IdMixin, Timestamps, Versioned, enum_type


class Contract(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "contracts"
    RECORD: ClassVar[RecordType] = RecordType.CONTRACT
    __table_args__ = (
        # Renewals coming up: active contracts in end-date order (My day, renewal reports).
        Index("ix_contracts_status_ends_on", "status", "ends_on"),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    # use_alter: contracts, quotes, opportunities and cases refer to each other in a cycle.
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id", use_alter=True))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    status: Mapped[ContractStatus] = mapped_column(enum_type(ContractStatus), index=True)
    renewal_type: Mapped[RenewalType] = mapped_column(enum_type(RenewalType))
    starts_on: Mapped[date]
    ends_on: Mapped[date] = mapped_column(index=True)
    term_months: Mapped[int] = mapped_column(Integer, default=12)
    notice_days: Mapped[int] = mapped_column(Integer, default=60)
    currency: Mapped[str] = mapped_column(String(3))
    annual_value_minor: Mapped[int] = mapped_column(Integer, default=0)
    territory: Mapped[str] = mapped_column(String(120), default="")
    page_view_threshold: Mapped[int | None] = mapped_column(Integer)
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    signer_title: Mapped[str] = mapped_column(String(120), default="")
    signed_on: Mapped[date | None]
    signature_method: Mapped[SignatureMethod | None] = mapped_column(enum_type(SignatureMethod))
    # Our side's signature, which Customer Services records before finalising.
    our_signer_name: Mapped[str] = mapped_column(String(200), default="")
    our_signer_title: Mapped[str] = mapped_column(String(120), default="")
    our_signed_on: Mapped[date | None]
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finalised_at: Mapped[datetime | None] = mapped_column(default=None)


class Order(IdMixin, Versioned, Timestamps, Base):
    """Part of a contract to deliver at one location from one date (split, future-dated)."""

    __tablename__ = "orders"

    RECORD: ClassVar[RecordType] = RecordType.ORDER

    number: Mapped[str] = mapped_column(String(20), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date]
    status: Mapped[OrderStatus] = mapped_column(enum_type(OrderStatus))
    erp_exported_at: Mapped[datetime | None] = mapped_column(default=None)

    lines: Mapped[list[OrderLine]] = relationship(cascade="all, delete-orphan")


class OrderLine(IdMixin, Base):
    __tablename__ = "order_lines"
    RECORD: ClassVar[RecordType] = RecordType.ORDER_LINE

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    quote_line_id: Mapped[int | None] = mapped_column(ForeignKey("quote_lines.id"))
    sku_version_id: Mapped[int | None] = mapped_column(ForeignKey("sku_versions.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int] = mapped_column(Integer)
    net_minor: Mapped[int] = mapped_column(Integer)


class Subscription(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "subscriptions"
    RECORD: ClassVar[RecordType] = RecordType.SUBSCRIPTION

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    sku_version_id: Mapped[int] = mapped_column(ForeignKey("sku_versions.id"))
    kind: Mapped[SubscriptionKind] = mapped_column(enum_type(SubscriptionKind))
    status: Mapped[SubscriptionStatus] = mapped_column(enum_type(SubscriptionStatus))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    list_price_minor: Mapped[int] = mapped_column(Integer, default=0)
    net_price_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]


class Entitlement(IdMixin, Versioned, Timestamps, Base):
    """What a customer may still consume: workshops and audits with their deadline."""

    __tablename__ = "entitlements"

    RECORD: ClassVar[RecordType] = RecordType.ENTITLEMENT

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    sku_version_id: Mapped[int] = mapped_column(ForeignKey("sku_versions.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    consumed: Mapped[int] = mapped_column(Integer, default=0)
    starts_on: Mapped[date]
    consume_by: Mapped[date | None] = mapped_column(index=True)


class UsageRecord(IdMixin, Base):
    """Page views (or other usage) in one month, measured against the contract's threshold."""

    __tablename__ = "usage_records"

    RECORD: ClassVar[RecordType] = RecordType.USAGE_RECORD
    __table_args__ = (UniqueConstraint("account_id", "metric", "month"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    metric: Mapped[str] = mapped_column(String(40), default="page_views")
    month: Mapped[date]  # first day of the month
    quantity: Mapped[int] = mapped_column(Integer)


class Invoice(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "invoices"
    RECORD: ClassVar[RecordType] = RecordType.INVOICE

    number: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    status: Mapped[InvoiceStatus] = mapped_column(enum_type(InvoiceStatus), index=True)
    issued_on: Mapped[date]
    due_on: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(Integer, default=0)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    lines: Mapped[list[InvoiceLine]] = relationship(cascade="all, delete-orphan")


class InvoiceLine(IdMixin, Base):
    __tablename__ = "invoice_lines"
    RECORD: ClassVar[RecordType] = RecordType.INVOICE_LINE

    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(Integer)
    net_minor: Mapped[int] = mapped_column(Integer)
