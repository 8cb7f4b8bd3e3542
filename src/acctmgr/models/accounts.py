"""Customers: accounts in their National/Regional hierarchy, and the people at them."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from acctmgr.domain.accounts import AccountKind, AccountStatus
from acctmgr.domain.records import RecordType
from acctmgr.models.base import Base, IdMixin, Timestamps, Versioned, enum_type
from acctmgr.services.kernel.text import natural_name

# Sort keys compare character by character on both backends, whatever PostgreSQL's locale.
SORT_KEY = Text().with_variant(Text(collation="C"), "postgresql")


class Account(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "accounts"
    RECORD: ClassVar[RecordType] = RecordType.ACCOUNT
    __table_args__ = (
        Index("ix_accounts_segment_name", "segment_id", "name"),
        # The accounts list of a user of one segment, in its order.
        Index("ix_accounts_segment_sort_name", "segment_id", "sort_name", "id"),
    )

    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[AccountKind] = mapped_column(enum_type(AccountKind), default=AccountKind.CUSTOMER)
    status: Mapped[AccountStatus] = mapped_column(
        enum_type(AccountStatus), default=AccountStatus.ACTIVE
    )
    # The identifier in the iSeries ERP; imports match on it, so it is unique when present.
    iseries_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    key_account_manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # How often a key account expects its manager's call or visit, in days (seed 001: "personal
    # consulting on a regular basis"); None for an account with no cadence.
    contact_cadence_days: Mapped[int | None] = mapped_column(Integer)
    territory: Mapped[str] = mapped_column(String(120), default="")
    locale: Mapped[str] = mapped_column(String(16), default="en_US")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    invoice_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", use_alter=True, ondelete="SET NULL")
    )
    billing_street: Mapped[str] = mapped_column(String(200), default="")
    billing_city: Mapped[str] = mapped_column(String(120), default="", index=True)
    billing_postal_code: Mapped[str] = mapped_column(String(20), default="")
    billing_region: Mapped[str] = mapped_column(String(120), default="")
    billing_country: Mapped[str] = mapped_column(String(2), default="")
    # What an invoice names the buyer by: its VAT number, its Peppol participant id
    # ("0088:4012345678901", scheme and id; e-invoices go only to accounts that have one) and
    # the reference its accounts payable asks for on every invoice.
    vat_number: Mapped[str] = mapped_column(String(32), default="")
    peppol_id: Mapped[str] = mapped_column(String(80), default="")
    buyer_reference: Mapped[str] = mapped_column(String(64), default="")
    # Name, iSeries number, city, contacts' names and e-mails, folded (kernel.text.folded):
    # one column the list searches.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The name as the list orders it (kernel.text.natural_name), set with every name.
    sort_name: Mapped[str] = mapped_column(SORT_KEY, default="")

    parent: Mapped[Account | None] = relationship(remote_side="Account.id")
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="account", foreign_keys="Contact.account_id", order_by="Contact.name"
    )

    @validates("name")
    def _sort_by_name(self, _key: str, name: str) -> str:
        self.sort_name = natural_name(name)
        return name


class Contact(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "contacts"
    RECORD: ClassVar[RecordType] = RecordType.CONTACT

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    account: Mapped[Account] = relationship(back_populates="contacts", foreign_keys=[account_id])
