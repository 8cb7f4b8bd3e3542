"""Who works in acctmgr: segments, users, their roles, SSH keys and approval delegates."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from acctmgr.models.base import Base, IdMixin, Timestamps, Versioned, enum_type


class Role(enum.StrEnum):
    """The roles of DESIGN.md. A user may hold several; every action checks them."""

    ACCOUNT_EXECUTIVE = "ae"
    CONTRACT_MANAGER = "cms"
    SEGMENT_LEADER = "segment_leader"
    KEY_ACCOUNT_MANAGER = "kam"
    CUSTOMER_SERVICES = "customer_services"
    CUSTOMER_SUCCESS = "customer_success"
    PRESALES = "presales"
    FINANCE = "finance"
    IMPLEMENTATION_MANAGER = "im"
    SALES_SUPPORT_MANAGER = "ssm"
    NATIONAL_ACCOUNT_MANAGER = "nam"
    REGIONAL_ACCOUNT_MANAGER = "ram"
    ADMIN = "admin"
    TRAINER = "trainer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.ACCOUNT_EXECUTIVE: "Account Executive",
    Role.CONTRACT_MANAGER: "Contract Management Specialist",
    Role.SEGMENT_LEADER: "Segment Leader",
    Role.KEY_ACCOUNT_MANAGER: "Key Account Manager",
    Role.CUSTOMER_SERVICES: "Customer Services",
    Role.CUSTOMER_SUCCESS: "Customer Success",
    Role.PRESALES: "Pre-sales",
    Role.FINANCE: "Finance",
    Role.IMPLEMENTATION_MANAGER: "Implementation Manager",
    Role.SALES_SUPPORT_MANAGER: "Sales Support Manager",
    Role.NATIONAL_ACCOUNT_MANAGER: "National Account Manager",
    Role.REGIONAL_ACCOUNT_MANAGER: "Regional Account Manager",
    Role.ADMIN: "Admin",
    Role.TRAINER: "Trainer",
}


class Segment(IdMixin, Versioned, Base):
    """A market segment; users see and act on their segment's records."""

    __tablename__ = "segments"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))


class User(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "users"

    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    segment: Mapped[Segment | None] = relationship()
    roles: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="user"
    )


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")


class SshKey(IdMixin, Timestamps, Base):
    """A public key that logs its owner in to `acctmgr serve-ssh`."""

    __tablename__ = "ssh_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(128), unique=True)
    public_key: Mapped[str] = mapped_column(Text)
    comment: Mapped[str] = mapped_column(String(200), default="")


class Delegation(IdMixin, Versioned, Timestamps, Base):
    """While a user is away, a delegate approves in their place between two dates."""

    __tablename__ = "delegations"
    __table_args__ = (UniqueConstraint("user_id", "delegate_id", "starts_on"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
