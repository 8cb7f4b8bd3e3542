"""Rendered documents, the templates they come from, and the e-mail outbox."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from acctmgr.domain.documents import EmailStatus
from acctmgr.domain.records import RecordType
from acctmgr.models.base import Base, IdMixin, RecordTypeColumn, Timestamps, Versioned, enum_type


class DocumentTemplate(IdMixin, Timestamps, Base):
    """An admin's edited copy of a shipped template; the highest active version wins."""

    __tablename__ = "document_templates"

    RECORD: ClassVar[RecordType] = RecordType.DOCUMENT_TEMPLATE
    __table_args__ = (UniqueConstraint("name", "version"),)

    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(default=True)


class Document(IdMixin, Timestamps, Base):
    """A document exactly as generated and sent; never changed afterwards."""

    __tablename__ = "documents"

    RECORD: ClassVar[RecordType] = RecordType.DOCUMENT
    __table_args__ = (Index("ix_documents_record", "record_type", "record_id"),)

    kind: Mapped[str] = mapped_column(String(40))  # quote, offer, contract, invoice, email
    record_type: Mapped[RecordType] = mapped_column(RecordTypeColumn())
    record_id: Mapped[int] = mapped_column(Integer)
    record_version: Mapped[int] = mapped_column(Integer)
    template_name: Mapped[str] = mapped_column(String(80))
    template_version: Mapped[int] = mapped_column(Integer)  # 0 = the shipped default
    media_type: Mapped[str] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OutboxEmail(IdMixin, Versioned, Timestamps, Base):
    """An e-mail written in the same transaction as the change it announces.

    Workers claim a message before sending it, so with several workers each message leaves once;
    a resend after a crash keeps the same Message-ID so the receiver can recognise it.
    """

    __tablename__ = "outbox_emails"

    RECORD: ClassVar[RecordType] = RecordType.OUTBOX_EMAIL
    __table_args__ = (Index("ix_outbox_ready", "status", "next_attempt_at"),)

    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    to_addresses: Mapped[str] = mapped_column(Text)
    cc_addresses: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    record_type: Mapped[RecordType | None] = mapped_column(RecordTypeColumn())
    record_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[EmailStatus] = mapped_column(enum_type(EmailStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")

    attachments: Mapped[list[EmailAttachment]] = relationship(cascade="all, delete-orphan")


class EmailAttachment(Base):
    __tablename__ = "email_attachments"
    RECORD: ClassVar[RecordType] = RecordType.EMAIL_ATTACHMENT

    email_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_emails.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
