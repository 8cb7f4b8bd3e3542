"""Fulfilment: the orders a contract is carried out in, the uses of an entitlement, usage
above what is included, and what the ERP is told."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from acctmgr.domain.fulfilment import ExportStatus, OrderStatus, OverageStatus
from acctmgr.domain.records import RecordType
from acctmgr.models.base import Base, IdMixin, RecordTypeColumn, Timestamps, Versioned, enum_type


class Order(IdMixin, Versioned, Timestamps, Base):
    """Part of a contract delivered at one location from one date (split, future-dated).

    Once activated it is never edited: a change is a new revision that supersedes it, and only
    one revision can supersede an order (a unique key).
    """

    __tablename__ = "orders"
    RECORD: ClassVar[RecordType] = RecordType.ORDER
    __table_args__ = (Index("ix_orders_status_starts_on", "status", "starts_on"),)

    number: Mapped[str] = mapped_column(String(20), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), unique=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date]
    status: Mapped[OrderStatus] = mapped_column(enum_type(OrderStatus))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    activated_at: Mapped[datetime | None] = mapped_column(default=None)

    lines: Mapped[list[OrderLine]] = relationship(
        cascade="all, delete-orphan", order_by="OrderLine.position"
    )


class OrderLine(IdMixin, Base):
    __tablename__ = "order_lines"
    RECORD: ClassVar[RecordType] = RecordType.ORDER_LINE

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # The quote line it orders; a line added by a revision has none.
    quote_line_id: Mapped[int | None] = mapped_column(ForeignKey("quote_lines.id"))
    sku_version_id: Mapped[int | None] = mapped_column(ForeignKey("sku_versions.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int] = mapped_column(Integer)
    list_price_minor: Mapped[int] = mapped_column(Integer)  # a unit, as on the quote
    unit_net_minor: Mapped[int] = mapped_column(Integer)  # a unit after discount, a year
    # What the line comes to: the quote line's net, or prorated to the contract's end.
    net_minor: Mapped[int] = mapped_column(Integer)
    # The line's own first day, when it has one (its quote line's, or Customer Services'
    # choice when ordering): it runs from the later of this and its order's start.
    starts_on: Mapped[date | None]
    trial_ends_on: Mapped[date | None]  # a subscription that starts as a trial until then
    ends_on: Mapped[date | None]  # co-terminated with the contract
    consume_by: Mapped[date | None]  # a service's deadline


class OrderedLine(Base):
    """Which order a quote line went into: a quote line is ordered once (its primary key), so
    no split can leave it in two orders; a line without a row is still to be ordered."""

    __tablename__ = "ordered_lines"
    RECORD: ClassVar[RecordType] = RecordType.ORDERED_LINE

    quote_line_id: Mapped[int] = mapped_column(ForeignKey("quote_lines.id"), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)


class EntitlementUse(IdMixin, Timestamps, Base):
    """A workshop or audit delivered against an entitlement, recorded by Customer Success."""

    __tablename__ = "entitlement_uses"
    RECORD: ClassVar[RecordType] = RecordType.ENTITLEMENT_USE

    entitlement_id: Mapped[int] = mapped_column(ForeignKey("entitlements.id"), index=True)
    delivered_on: Mapped[date]
    quantity: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class OverageLine(IdMixin, Versioned, Timestamps, Base):
    """Usage above the included volume in one month, priced by the SKU's tiers, reviewed
    before an invoice may bill it."""

    __tablename__ = "overage_lines"
    RECORD: ClassVar[RecordType] = RecordType.OVERAGE_LINE
    __table_args__ = (
        UniqueConstraint("account_id", "metric", "month"),
        Index("ix_overage_lines_status", "status", "month"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id"))
    sku_version_id: Mapped[int] = mapped_column(ForeignKey("sku_versions.id"))
    metric: Mapped[str] = mapped_column(String(40))
    month: Mapped[date]  # first day of the month
    included: Mapped[int] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[OverageStatus] = mapped_column(enum_type(OverageStatus))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    review_note: Mapped[str] = mapped_column(Text, default="")


class ErpExport(IdMixin, Versioned, Timestamps, Base):
    """One document at one revision, for the ERP: queued in the transaction that made it,
    written to the drop folder by one worker (claimed like an outbox e-mail), never twice."""

    __tablename__ = "erp_exports"
    RECORD: ClassVar[RecordType] = RecordType.ERP_EXPORT
    __table_args__ = (Index("ix_erp_exports_status", "status", "created_at"),)

    document_type: Mapped[RecordType] = mapped_column(RecordTypeColumn())
    document_id: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    # "order:SO-000012:1": what the ERP deduplicates on, and unique here.
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    replaces_key: Mapped[str | None] = mapped_column(String(80))
    payload: Mapped[str] = mapped_column(Text)  # JSON, as written
    payload_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[ExportStatus] = mapped_column(enum_type(ExportStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    written_at: Mapped[datetime | None] = mapped_column(default=None)
    file_name: Mapped[str] = mapped_column(String(200), default="")
