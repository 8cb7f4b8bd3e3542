"""The audit trail: every change and decision, with who, when, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from acctmgr.domain.records import RecordType
from acctmgr.models.base import Base, IdMixin, RecordTypeColumn


class AuditEvent(IdMixin, Base):
    __tablename__ = "audit_events"
    RECORD: ClassVar[RecordType] = RecordType.AUDIT_EVENT
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id", "at"),)

    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The use case that made the change ("accounts.update"); the operation is in `change`.
    action: Mapped[str] = mapped_column(String(80))
    change: Mapped[str] = mapped_column(String(16))  # insert, update, delete, decision
    entity_type: Mapped[RecordType] = mapped_column(RecordTypeColumn())
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
