"""Who works in acctmgr: segments, users, their roles, SSH keys and approval delegates."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.models.base import Base, IdMixin, Timestamps, Versioned, enum_type


class Segment(IdMixin, Versioned, Base):
    """A market segment; users see and act on their segment's records."""

    __tablename__ = "segments"

    RECORD: ClassVar[RecordType] = RecordType.SEGMENT

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))


class User(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "users"
    RECORD: ClassVar[RecordType] = RecordType.USER

    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Whether approvals reaching them, and decisions on what they submitted, are e-mailed too.
    approval_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())

    segment: Mapped[Segment | None] = relationship()
    roles: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="user"
    )


class UserRole(Base):
    __tablename__ = "user_roles"
    RECORD: ClassVar[RecordType] = RecordType.USER_ROLE

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")


class SshKey(IdMixin, Timestamps, Base):
    """A public key that logs its owner in to `acctmgr serve-ssh`."""

    __tablename__ = "ssh_keys"

    RECORD: ClassVar[RecordType] = RecordType.SSH_KEY

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(128), unique=True)
    public_key: Mapped[str] = mapped_column(Text)
    comment: Mapped[str] = mapped_column(String(200), default="")


class Delegation(IdMixin, Versioned, Timestamps, Base):
    """While a user is away, a delegate approves in their place between two dates."""

    __tablename__ = "delegations"

    RECORD: ClassVar[RecordType] = RecordType.DELEGATION
    __table_args__ = (UniqueConstraint("user_id", "delegate_id", "starts_on"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
