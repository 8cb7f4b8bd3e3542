"""The catalogue: SKUs whose content is locked per version, their prices, and packages.

A SKU's description and contents never change in place: an admin's edit creates a new
``SkuVersion``, and every quote line, order and contract points at the version it was made with.
An admin may also declare how two SKUs combine on a quote (``SkuRelation``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from acctmgr.domain.billing import TaxCategory
from acctmgr.domain.catalogue import SkuKind, SkuRelationKind, SkuRuleConsequence
from acctmgr.domain.records import RecordType
from acctmgr.models.base import Base, IdMixin, Timestamps, Versioned, enum_type

# The rate a SKU version gets until an admin sets its own (percent).
DEFAULT_TAX_RATE = Decimal("20.00")


class Sku(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "skus"
    RECORD: ClassVar[RecordType] = RecordType.SKU

    code: Mapped[str] = mapped_column(String(40), unique=True)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("sku_versions.id", use_alter=True)
    )

    versions: Mapped[list[SkuVersion]] = relationship(
        back_populates="sku", foreign_keys="SkuVersion.sku_id", order_by="SkuVersion.number"
    )


class SkuVersion(IdMixin, Timestamps, Base):
    __tablename__ = "sku_versions"
    RECORD: ClassVar[RecordType] = RecordType.SKU_VERSION
    __table_args__ = (UniqueConstraint("sku_id", "number"),)

    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    contents: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[SkuKind] = mapped_column(enum_type(SkuKind))
    billing_period_months: Mapped[int | None] = mapped_column(Integer)
    # Services must be consumed within this many months of the contract start.
    consumption_months: Mapped[int | None] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer, default=1)  # e.g. workshops in the SKU
    included_volume: Mapped[int | None] = mapped_column(Integer)  # page views included
    onsite_support: Mapped[bool] = mapped_column(Boolean, default=False)
    # The VAT every invoice line of this version carries (a change of rate is a new version).
    tax_category: Mapped[TaxCategory] = mapped_column(
        enum_type(TaxCategory), default=TaxCategory.STANDARD
    )
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=DEFAULT_TAX_RATE)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    sku: Mapped[Sku] = relationship(back_populates="versions", foreign_keys=[sku_id])
    prices: Mapped[list[SkuPrice]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    usage_tiers: Mapped[list[UsageTier]] = relationship(
        cascade="all, delete-orphan", order_by="UsageTier.from_volume"
    )


class SkuPrice(IdMixin, Base):
    """The list price of a SKU version in one currency (a price book entry)."""

    __tablename__ = "sku_prices"

    RECORD: ClassVar[RecordType] = RecordType.SKU_PRICE
    __table_args__ = (UniqueConstraint("sku_version_id", "currency"),)

    sku_version_id: Mapped[int] = mapped_column(ForeignKey("sku_versions.id", ondelete="CASCADE"))
    currency: Mapped[str] = mapped_column(String(3))
    list_price_minor: Mapped[int] = mapped_column(Integer)


class UsageTier(IdMixin, Base):
    """Overage price per unit for usage above ``from_volume`` (page views past the threshold)."""

    __tablename__ = "usage_tiers"

    RECORD: ClassVar[RecordType] = RecordType.USAGE_TIER
    __table_args__ = (UniqueConstraint("sku_version_id", "currency", "from_volume"),)

    sku_version_id: Mapped[int] = mapped_column(ForeignKey("sku_versions.id", ondelete="CASCADE"))
    currency: Mapped[str] = mapped_column(String(3))
    from_volume: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(Integer)


class Package(IdMixin, Versioned, Timestamps, Base):
    """A bundle of SKUs; the starter pack is added to a new customer's first quote."""

    __tablename__ = "packages"

    RECORD: ClassVar[RecordType] = RecordType.PACKAGE

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_starter_pack: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)

    items: Mapped[list[PackageItem]] = relationship(cascade="all, delete-orphan")


class PackageItem(IdMixin, Base):
    __tablename__ = "package_items"
    RECORD: ClassVar[RecordType] = RecordType.PACKAGE_ITEM
    __table_args__ = (UniqueConstraint("package_id", "sku_id"),)

    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=1)


class SkuRelation(IdMixin, Timestamps, Base):
    """An admin's declaration that a SKU requires, or excludes, another on the same quote, and
    what a quote breaking it gets: refused, or the fact ``sku_rule_broken`` for the rules."""

    __tablename__ = "sku_relations"
    RECORD: ClassVar[RecordType] = RecordType.SKU_RELATION
    __table_args__ = (
        UniqueConstraint("sku_id", "other_sku_id", "kind"),
        CheckConstraint("sku_id <> other_sku_id", name="not_itself"),
    )

    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    other_sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    kind: Mapped[SkuRelationKind] = mapped_column(enum_type(SkuRelationKind))
    consequence: Mapped[SkuRuleConsequence] = mapped_column(enum_type(SkuRuleConsequence))


class AccountPackage(IdMixin, Timestamps, Base):
    """A package saved for one account (a key account's own offering), offered only to it."""

    __tablename__ = "account_packages"
    RECORD: ClassVar[RecordType] = RecordType.ACCOUNT_PACKAGE

    package_id: Mapped[int] = mapped_column(
        ForeignKey("packages.id", ondelete="CASCADE"), unique=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)


class AgreedPrice(IdMixin, Versioned, Timestamps, Base):
    """A price agreed with one account for one SKU, for a time (seed 001: a key account's
    "special deals and discounts"): a discount off the list price, or a price of its own.
    Its offers take it by themselves while it is valid."""

    __tablename__ = "agreed_prices"
    RECORD: ClassVar[RecordType] = RecordType.AGREED_PRICE
    __table_args__ = (
        Index("ix_agreed_prices_account_sku", "account_id", "sku_id", "valid_until"),
        CheckConstraint(
            "(discount_pct IS NULL) <> (price_minor IS NULL)", name="discount_or_price"
        ),
        CheckConstraint("valid_from <= valid_until", name="valid_in_order"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    currency: Mapped[str] = mapped_column(String(3))
    discount_pct: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    price_minor: Mapped[int | None] = mapped_column(Integer)  # a unit price of its own
    valid_from: Mapped[date]
    valid_until: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class PeerHolding(Base):
    """How many accounts of a segment and size hold a SKU, of how many there are: the figures
    upsell suggestions compare one account with, computed by the worker."""

    __tablename__ = "peer_holdings"
    RECORD: ClassVar[RecordType] = RecordType.PEER_HOLDING

    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"), primary_key=True)
    size_band: Mapped[str] = mapped_column(String(16), primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), primary_key=True)
    holders: Mapped[int] = mapped_column(Integer)
    peers: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime]
