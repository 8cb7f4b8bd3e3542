"""The IM/SSM handoff for National and Regional Accounts, and the iSeries imports behind it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from acctmgr.domain.onboarding import DiscrepancyStatus, OnboardingAction, OnboardingStep
from acctmgr.domain.records import RecordType
from acctmgr.models.base import Base, IdMixin, Timestamps, Versioned, enum_type


class OnboardingRequest(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "onboarding_requests"
    RECORD: ClassVar[RecordType] = RecordType.ONBOARDING_REQUEST

    number: Mapped[str] = mapped_column(String(20), unique=True)
    parent_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    action: Mapped[OnboardingAction] = mapped_column(enum_type(OnboardingAction))
    step: Mapped[OnboardingStep] = mapped_column(enum_type(OnboardingStep), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    implementation_manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sales_support_manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    data_ready_at: Mapped[datetime | None] = mapped_column(default=None)
    inventory_loading_at: Mapped[datetime | None] = mapped_column(default=None)
    inventory_notes: Mapped[str] = mapped_column(Text, default="")
    handed_over_at: Mapped[datetime | None] = mapped_column(default=None)

    accounts: Mapped[list[OnboardingAccount]] = relationship(cascade="all, delete-orphan")
    checklist: Mapped[list[HandoverItem]] = relationship(
        cascade="all, delete-orphan", order_by="HandoverItem.position"
    )


class OnboardingAccount(IdMixin, Base):
    """An account the request adds or removes, named by its iSeries number."""

    __tablename__ = "onboarding_accounts"

    RECORD: ClassVar[RecordType] = RecordType.ONBOARDING_ACCOUNT

    request_id: Mapped[int] = mapped_column(
        ForeignKey("onboarding_requests.id", ondelete="CASCADE"), index=True
    )
    iseries_number: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    applied_at: Mapped[datetime | None] = mapped_column(default=None)


class BillingDiscrepancy(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "billing_discrepancies"
    RECORD: ClassVar[RecordType] = RecordType.BILLING_DISCREPANCY

    request_id: Mapped[int | None] = mapped_column(ForeignKey("onboarding_requests.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[DiscrepancyStatus] = mapped_column(enum_type(DiscrepancyStatus))
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class HandoverItem(IdMixin, Base):
    """One line of the SSM's transition checklist."""

    __tablename__ = "handover_items"

    RECORD: ClassVar[RecordType] = RecordType.HANDOVER_ITEM

    request_id: Mapped[int] = mapped_column(
        ForeignKey("onboarding_requests.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(300))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(default=None)


class ImportRun(IdMixin, Timestamps, Base):
    """One run of the iSeries import: what it would change (dry run) or changed."""

    __tablename__ = "import_runs"

    RECORD: ClassVar[RecordType] = RecordType.IMPORT_RUN

    source_name: Mapped[str] = mapped_column(String(300))
    source_sha256: Mapped[str] = mapped_column(String(64))
    dry_run: Mapped[bool]
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("onboarding_requests.id"))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
