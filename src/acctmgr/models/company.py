"""Who we are on every document and e-mail: the company's name, address and numbers."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from acctmgr.domain.records import RecordType
from acctmgr.models.base import Base, IdMixin, Timestamps, Versioned

# The one row the table holds: every workstation and SSH host reads the same identity.
THE_COMPANY = 1


class CompanyIdentity(IdMixin, Versioned, Timestamps, Base):
    """The company acctmgr works for, as its customers read it; one row, edited by an admin."""

    __tablename__ = "company_identity"
    RECORD: ClassVar[RecordType] = RecordType.COMPANY_IDENTITY
    __table_args__ = (CheckConstraint(f"id = {THE_COMPANY}", name="one_row"),)

    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    registration_number: Mapped[str] = mapped_column(String(64), default="")
    vat_number: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    # What an e-invoice needs of the seller: the country of its address, its Peppol
    # participant id ("0088:..."), and the account customers pay into.
    country: Mapped[str] = mapped_column(String(2), default="")
    peppol_id: Mapped[str] = mapped_column(String(80), default="")
    iban: Mapped[str] = mapped_column(String(34), default="")
