"""The billing address of an account, edited on its own: what Finance and Customer Services fix
when a PO or a contract is refused for it (``billing_details`` names what is missing)."""

from __future__ import annotations

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from acctmgr.models import Account, Role
from acctmgr.services.accounts.billing_details import COUNTRY, COUNTRY_RULE, postal_code_problem
from acctmgr.services.accounts.records import (
    EDITORS,
    AccountView,
    account_view,
    contact_names,
    search_text_of,
)
from acctmgr.services.kernel.permissions import require_role, require_segment
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case


class BillingAddressIn(BaseModel):
    """An account's billing address as typed; a part may be left empty until it is known."""

    billing_street: SingleLine = Field(default="", max_length=200)
    billing_city: SingleLine = Field(default="", max_length=120)
    billing_region: SingleLine = Field(default="", max_length=120)
    # Before the postal code, which is checked against it.
    billing_country: SingleLine = ""
    billing_postal_code: SingleLine = Field(default="", max_length=20)

    @field_validator("*", mode="after")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()

    @field_validator("billing_country")
    @classmethod
    def _country(cls, value: str) -> str:
        value = value.upper()
        if value and not COUNTRY.match(value):
            raise ValueError(COUNTRY_RULE)
        return value

    @field_validator("billing_postal_code")
    @classmethod
    def _fits_the_country(cls, value: str, info: ValidationInfo) -> str:
        problem = postal_code_problem(info.data.get("billing_country", ""), value)
        if problem:
            raise ValueError(problem)
        return value


@use_case("accounts.update_billing_address")
def update_billing_address(
    uow: UnitOfWork, account_id: int, data: BillingAddressIn, expected_version: int
) -> AccountView:
    """Save the account's billing address (Finance may too). A postal code must fit its
    country; an account changed since it was loaded is a Conflict."""
    require_role(uow.user, *EDITORS, Role.FINANCE, to="edit the billing address")
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    uow.expect_version(account, expected_version, "account")
    names = contact_names(uow, account.id)  # before the first change: see records._apply
    for key, value in data.model_dump().items():
        setattr(account, key, value)
    account.search_text = search_text_of(account, names)
    uow.session.flush()
    return account_view(uow, account)
