"""Drafts: what one user typed at one step of one record and has not submitted yet.

They live apart from their records, so keeping a draft never changes a record's version: a
user's own autosave can never make their next save look stale.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from acctmgr.domain.records import RecordType
from acctmgr.models.base import Base, IdMixin, RecordTypeColumn, Timestamps


class Draft(IdMixin, Timestamps, Base):
    __tablename__ = "drafts"
    RECORD: ClassVar[RecordType] = RecordType.DRAFT
    __table_args__ = (UniqueConstraint("record_type", "record_id", "step", "user_id"),)

    record_type: Mapped[RecordType] = mapped_column(RecordTypeColumn())
    record_id: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
