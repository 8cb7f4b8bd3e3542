"""After the signature: contracts, subscriptions, entitlements and usage.

Orders, the uses of an entitlement, overage and the ERP export are in ``models.fulfilment``;
invoices, payments and reminders in ``models.billing``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from acctmgr.domain.billing import ContractEnd
from acctmgr.domain.contracts import (
    ContractStatus,
    RenewalType,
    SignatureMethod,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.domain.fulfilment import SubscriptionEnd
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
    # The customer's notice of termination: the day it arrived, and the last day of the term it
    # ends (this term's end when in time; the next one's when late: it renews once, then ends).
    notice_received_on: Mapped[date | None]
    terminates_on: Mapped[date | None]
    # When the worker drafted the fixed term's renewal offer (once; a guarded UPDATE claims it).
    renewal_offered_at: Mapped[datetime | None] = mapped_column(default=None)
    # Why the cycle closed when the validity ended, with no renewal agreed.
    closed_reason: Mapped[ContractEnd | None] = mapped_column(enum_type(ContractEnd))
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class Subscription(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "subscriptions"
    RECORD: ClassVar[RecordType] = RecordType.SUBSCRIPTION
    __table_args__ = (
        # The one subscription of each kind an order line starts: no worker or second
        # activation can start it twice.
        Index("uq_subscriptions_order_line_kind", "order_line_id", "kind", unique=True),
        # What an account is entitled to on a date: its subscriptions by start.
        Index("ix_subscriptions_account_starts_on", "account_id", "starts_on"),
        Index("ix_subscriptions_status_starts_on", "status", "starts_on"),
    )

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
    # The order line it carries out (the rows the demo's history writes have none).
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"))
    # The subscription it took over from: re-priced by a new contract or a revision, or the
    # trial it converted.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id"))
    ended_reason: Mapped[SubscriptionEnd | None] = mapped_column(enum_type(SubscriptionEnd))
    # The last day invoiced: the invoice run's cursor (periods follow ``starts_on`` in the SKU's
    # billing period). What guarantees a period is billed once is the invoice lines' unique key.
    billed_until: Mapped[date | None]


class Entitlement(IdMixin, Versioned, Timestamps, Base):
    """What a customer may still consume: workshops and audits with their deadline."""

    __tablename__ = "entitlements"

    RECORD: ClassVar[RecordType] = RecordType.ENTITLEMENT
    __table_args__ = (Index("uq_entitlements_order_line_id", "order_line_id", unique=True),)

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    sku_version_id: Mapped[int] = mapped_column(ForeignKey("sku_versions.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    consumed: Mapped[int] = mapped_column(Integer, default=0)
    starts_on: Mapped[date]
    consume_by: Mapped[date | None] = mapped_column(index=True)
    # One entitlement per order line (a unique index).
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"))
    # The warning 30 days before consume_by went out (once); what was unused expired (once).
    warned_at: Mapped[datetime | None] = mapped_column(default=None)
    expired_at: Mapped[datetime | None] = mapped_column(default=None)


class UsageRecord(IdMixin, Base):
    """Page views (or other usage) in one month, measured against the contract's threshold."""

    __tablename__ = "usage_records"

    RECORD: ClassVar[RecordType] = RecordType.USAGE_RECORD
    __table_args__ = (UniqueConstraint("account_id", "metric", "month"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    metric: Mapped[str] = mapped_column(String(40), default="page_views")
    month: Mapped[date]  # first day of the month
    quantity: Mapped[int] = mapped_column(Integer)
