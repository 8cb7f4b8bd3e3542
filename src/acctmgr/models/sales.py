"""The selling records: retention cases, opportunities, placeholder requests, quotes, offers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from acctmgr.domain.contracts import RenewalType
from acctmgr.domain.records import RecordType
from acctmgr.domain.sales import (
    AcceptanceMethod,
    CloseOutcome,
    OfferStatus,
    OpportunityKind,
    OpportunityStage,
    PlaceholderStatus,
    QuoteStatus,
    RetentionStep,
)
from acctmgr.models.base import Base, IdMixin, Timestamps, Versioned, enum_type

PERCENT = Numeric(7, 4)


class RetentionCase(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "retention_cases"
    RECORD: ClassVar[RecordType] = RecordType.RETENTION_CASE

    number: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    step: Mapped[RetentionStep] = mapped_column(enum_type(RetentionStep), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_reduction_minor: Mapped[int | None] = mapped_column(Integer)
    requested_reduction_pct: Mapped[Decimal | None] = mapped_column(PERCENT)
    customer_informed_of_terms: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_deadline: Mapped[date | None]
    earliest_effective_date: Mapped[date | None]
    outcome: Mapped[CloseOutcome | None] = mapped_column(enum_type(CloseOutcome))
    close_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    # The wizard stage (services.retention.stages.Stage) it stood at when closed lost or
    # withdrawn; None for a case won, open, or closed before migration 0006.
    closed_at_stage: Mapped[str | None] = mapped_column(String(32), default=None)


class Opportunity(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "opportunities"
    RECORD: ClassVar[RecordType] = RecordType.OPPORTUNITY

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    retention_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("retention_cases.id"), index=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OpportunityKind] = mapped_column(enum_type(OpportunityKind))
    stage: Mapped[OpportunityStage] = mapped_column(enum_type(OpportunityStage))
    amount_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    expected_close_on: Mapped[date | None]
    outcome: Mapped[CloseOutcome | None] = mapped_column(enum_type(CloseOutcome))
    close_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class PlaceholderRequest(IdMixin, Versioned, Timestamps, Base):
    """The intent for a new contract, raised inside an opportunity before the quote exists."""

    __tablename__ = "placeholder_requests"

    RECORD: ClassVar[RecordType] = RecordType.PLACEHOLDER_REQUEST

    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[PlaceholderStatus] = mapped_column(enum_type(PlaceholderStatus))
    estimated_reduction_minor: Mapped[int] = mapped_column(Integer)
    confirmed_reduction_minor: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")


class Quote(IdMixin, Versioned, Timestamps, Base):
    """A priced proposal; as sent to the customer it is the purchase order (PO)."""

    __tablename__ = "quotes"

    RECORD: ClassVar[RecordType] = RecordType.QUOTE

    number: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[QuoteStatus] = mapped_column(enum_type(QuoteStatus), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    territory: Mapped[str] = mapped_column(String(120), default="")
    valid_until: Mapped[date | None]
    starts_on: Mapped[date | None]
    term_months: Mapped[int] = mapped_column(Integer, default=12)
    # As contracts: the notice period, which a contract made from the quote keeps.
    notice_days: Mapped[int] = mapped_column(Integer, default=60)
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)  # to pay an invoice
    list_total_minor: Mapped[int] = mapped_column(Integer, default=0)
    net_total_minor: Mapped[int] = mapped_column(Integer, default=0)
    approver_comment: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list[QuoteLine]] = relationship(
        cascade="all, delete-orphan", order_by="QuoteLine.position", back_populates="quote"
    )


class QuoteLine(IdMixin, Base):
    __tablename__ = "quote_lines"
    RECORD: ClassVar[RecordType] = RecordType.QUOTE_LINE

    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # None marks an item outside the catalogue: an exception that needs Customer Success.
    sku_version_id: Mapped[int | None] = mapped_column(ForeignKey("sku_versions.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int] = mapped_column(Integer)
    list_price_minor: Mapped[int] = mapped_column(Integer)
    discount_pct: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    net_minor: Mapped[int] = mapped_column(Integer)
    statement_of_work: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date | None]
    consume_by: Mapped[date | None]

    quote: Mapped[Quote] = relationship(back_populates="lines")


class Offer(IdMixin, Versioned, Timestamps, Base):
    """One of the offerings a Key Account Manager presents; it carries its own quote
    (``Quote.offer_id``). An opportunity may hold several alternatives, one of them primary."""

    __tablename__ = "offers"

    RECORD: ClassVar[RecordType] = RecordType.OFFER
    __table_args__ = (
        # One primary offer per opportunity at a time, held by the database (as Salesforce's
        # primary quote): two sessions marking two offers primary cannot both win.
        Index(
            "uq_offers_one_primary",
            "opportunity_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[OfferStatus] = mapped_column(enum_type(OfferStatus))
    valid_until: Mapped[date | None]
    renews_contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    template: Mapped[str] = mapped_column(String(80), default="offer.html.j2")
    cover_text: Mapped[str] = mapped_column(Text, default="")  # the e-mail's short cover text
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)  # accepted or declined
    decline_reason: Mapped[str] = mapped_column(String(200), default="")
    renewal_type: Mapped[RenewalType] = mapped_column(
        enum_type(RenewalType), default=RenewalType.STANDING_ORDER
    )


class OfferAcceptance(IdMixin, Timestamps, Base):
    """The customer's yes to one offer: who, when, how, and the document they saw."""

    __tablename__ = "offer_acceptances"

    RECORD: ClassVar[RecordType] = RecordType.OFFER_ACCEPTANCE

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    accepted_on: Mapped[date]
    method: Mapped[AcceptanceMethod] = mapped_column(enum_type(AcceptanceMethod))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    # The SHA-256 of that document as stored, kept beside it so the acceptance states what
    # the customer saw even if the documents are ever moved.
    document_sha256: Mapped[str] = mapped_column(String(64))
    # The offer's quote as accepted: its version (it is locked from then on) and net total,
    # which the contract's prices are checked against before it is finalised.
    quote_version: Mapped[int] = mapped_column(Integer)
    net_total_minor: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
