"""The company's identity: the name, address, registration and VAT numbers and contact e-mail
that every document and e-mail carries.

It is kept in the database (one row), so every workstation and SSH host sending from it prints
the same. Until an admin sets it, documents are made with ``UNSET`` (a previewed template, an
internal copy), but none goes to a customer: ``require_identity`` refuses the PO and the contract
rather than sign them "Our company", and an admin's My day asks for it (``company.my_day``).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy.exc import IntegrityError

from acctmgr.errors import Conflict, InvalidInput
from acctmgr.models import CompanyIdentity, Role
from acctmgr.models.company import THE_COMPANY
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import STALE_MESSAGE, UnitOfWork, use_case

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UNSET_NAME = "Our company"
# Where an admin sets it: the command palette's entry, and Enter on the line in My day.
WHERE_TO_SET = "Edit company identity"


class IdentityIn(BaseModel):
    """The identity as an admin types it; everything but the name may be left empty."""

    name: SingleLine = Field(max_length=200)
    address: SingleLine = Field(default="", max_length=500)
    registration_number: SingleLine = Field(default="", max_length=64)
    vat_number: SingleLine = Field(default="", max_length=64)
    email: SingleLine = Field(default="", max_length=254)

    @field_validator("name", "address", "registration_number", "vat_number", "email")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value:
            raise ValueError("the company needs a name")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not EMAIL_PATTERN.match(value):
            raise ValueError("an e-mail address looks like name@example.com")
        return value


class Identity(ReadModel):
    """The identity as documents print it; ``version`` 0 means an admin has not set it yet."""

    name: str
    address: str = ""
    registration_number: str = ""
    vat_number: str = ""
    email: str = ""
    version: int = 0

    @property
    def is_set(self) -> bool:
        return self.version > 0

    def printed(self) -> dict[str, Any]:
        """What a template reads as ``company_details``."""
        return self.model_dump(exclude={"version"})


UNSET = Identity(name=UNSET_NAME)


def current_identity(uow: UnitOfWork) -> Identity:
    """The identity as stored in this transaction, or ``UNSET`` when no admin has set it."""
    row = uow.session.get(CompanyIdentity, THE_COMPANY)
    return Identity.model_validate(row) if row is not None else UNSET


def require_identity(uow: UnitOfWork, what: str) -> Identity:
    """The identity a document about to go to a customer prints; InvalidInput while no admin
    has set it, so that ``what`` (a purchase order, a contract) is never signed "Our company"."""
    found = current_identity(uow)
    if not found.is_set:
        raise InvalidInput(
            f'The {what} cannot go to the customer signed "{UNSET_NAME}": an admin must first '
            f"set the company's name and address with {WHERE_TO_SET}."
        )
    return found


@use_case("company.identity", write=False)
def identity(uow: UnitOfWork) -> Identity:
    """The company's identity, as the next document will print it (anyone signed in may read
    what every customer reads)."""
    return current_identity(uow)


@use_case("company.update_identity")
def update_identity(uow: UnitOfWork, data: IdentityIn, expected_version: int) -> Identity:
    """Set the company's identity; the next document and e-mail carry it.

    Only an Admin can (PermissionDenied). ``expected_version`` is the version read before
    editing (0 when it was not set yet); Conflict when someone saved it since.
    """
    require_role(uow.user, Role.ADMIN, to="change the company's identity")
    row = uow.session.get(CompanyIdentity, THE_COMPANY)
    if row is None:
        uow.expect_version(UNSET, expected_version, "company identity")
        try:
            row = uow.add(CompanyIdentity(id=THE_COMPANY, **data.model_dump()))
        except IntegrityError:  # another admin set it first, a moment ago (PostgreSQL)
            raise Conflict(STALE_MESSAGE.format(what="company identity")) from None
    else:
        uow.expect_version(row, expected_version, "company identity")
        for name, value in data.model_dump().items():
            setattr(row, name, value)
        uow.session.flush()
    return Identity.model_validate(row)
