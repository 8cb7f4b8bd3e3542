"""Tasks, reminders and the log of calls, e-mails, meetings and notes on a record."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from acctmgr.domain.activities import ActivityKind
from acctmgr.domain.records import RecordType
from acctmgr.models.base import Base, IdMixin, RecordTypeColumn, Timestamps, Versioned, enum_type


class Activity(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "activities"
    RECORD: ClassVar[RecordType] = RecordType.ACTIVITY
    __table_args__ = (
        # "My day": what is open for me, soonest first.
        Index("ix_activities_open_for_user", "assigned_to_id", "done_at", "due_at"),
        Index("ix_activities_record", "record_type", "record_id"),
        Index("ix_activities_account_time", "account_id", "created_at"),
    )

    kind: Mapped[ActivityKind] = mapped_column(enum_type(ActivityKind))
    subject: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(200), default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    # The record it follows up (e.g. "retention_case", 42).
    record_type: Mapped[RecordType | None] = mapped_column(RecordTypeColumn())
    record_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
