"""Accounts and their contacts: create and edit accounts and contacts (version-checked), name
the invoice contact, and keep the text the accounts search reads (finding them is
``account_search``; the billing address alone is ``billing_address``)."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select

from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import Account, AccountKind, AccountStatus, Contact, Role, Segment, User
from acctmgr.services.accounts.billing_details import COUNTRY, COUNTRY_RULE, EMAIL
from acctmgr.services.kernel.permissions import require_role, require_segment, sees_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text import folded
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

EDITORS = (
    Role.ADMIN,
    Role.ACCOUNT_EXECUTIVE,
    Role.KEY_ACCOUNT_MANAGER,
    Role.CONTRACT_MANAGER,
    Role.CUSTOMER_SERVICES,
    Role.IMPLEMENTATION_MANAGER,
)

LOCALE = re.compile(r"^[a-z]{2}(_[A-Z]{2})?$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


class AccountIn(BaseModel):
    """What a person types to create or edit an account."""

    name: SingleLine = Field(max_length=200)
    segment_code: SingleLine = Field(min_length=1)
    kind: AccountKind = AccountKind.CUSTOMER
    iseries_number: SingleLine | None = Field(default=None, max_length=32)
    parent_id: int | None = None
    owner_login: SingleLine | None = None
    territory: SingleLine = Field(default="", max_length=120)
    locale: SingleLine = "en_US"
    currency: SingleLine = "USD"
    billing_street: SingleLine = ""
    billing_city: SingleLine = ""
    billing_postal_code: SingleLine = ""
    billing_region: SingleLine = ""
    billing_country: SingleLine = ""

    @field_validator("name", "territory", "billing_street", "billing_city", mode="after")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("name", mode="after")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value:
            raise ValueError("an account needs a name")
        return value

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if not LOCALE.match(value):
            raise ValueError("a locale is a language and a country, such as en_US or de_DE")
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not CURRENCY.match(value):
            raise ValueError("a currency is a three-letter code in capitals, such as USD or EUR")
        return value

    @field_validator("billing_country")
    @classmethod
    def _country(cls, value: str) -> str:
        if value and not COUNTRY.match(value):
            raise ValueError(COUNTRY_RULE)
        return value

    @field_validator("iseries_number")
    @classmethod
    def _iseries(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if value and not value.isalnum():
            raise ValueError("an iSeries number has letters and digits only")
        return value or None


class ContactIn(BaseModel):
    """What a person types to add or edit a contact."""

    name: SingleLine = Field(max_length=200)
    title: SingleLine = Field(default="", max_length=120)
    email: SingleLine = Field(default="", max_length=254)
    phone: SingleLine = Field(default="", max_length=40)
    is_primary: bool = False

    @field_validator("name", "title", "phone")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()

    @field_validator("name", mode="after")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value:
            raise ValueError("a contact needs a name")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        # The shape an invoice is sent to: a contact saved here can receive one.
        if value and not EMAIL.match(value):
            raise ValueError("an e-mail address looks like name@example.com")
        return value


class ContactView(ReadModel):
    id: int
    account_id: int
    name: str
    title: str
    email: str
    phone: str
    is_primary: bool
    version: int


class AccountView(ReadModel):
    id: int
    name: str
    kind: AccountKind
    status: AccountStatus
    iseries_number: str | None
    parent_id: int | None
    parent_name: str | None
    segment_id: int
    segment_name: str
    owner_id: int | None
    owner_name: str | None
    territory: str
    locale: str
    currency: str
    invoice_contact_id: int | None
    billing_street: str
    billing_city: str
    billing_postal_code: str
    billing_region: str
    billing_country: str
    version: int
    contacts: list[ContactView]


@use_case("accounts.create")
def create_account(uow: UnitOfWork, data: AccountIn) -> AccountView:
    """Create an account in a segment the user works in. iSeries numbers are unique."""
    require_role(uow.user, *EDITORS, to="create accounts")
    account = Account(status=AccountStatus.ACTIVE)
    _apply(uow, account, data)
    uow.add(account)
    uow.session.flush()
    return account_view(uow, account)


@use_case("accounts.update")
def update_account(
    uow: UnitOfWork, account_id: int, data: AccountIn, expected_version: int
) -> AccountView:
    """Save an edited account. Refused with Conflict if it changed since it was loaded."""
    require_role(uow.user, *EDITORS, to="edit accounts")
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    uow.expect_version(account, expected_version, "account")
    _apply(uow, account, data)
    uow.session.flush()
    return account_view(uow, account)


@use_case("accounts.get", write=False)
def get_account(uow: UnitOfWork, account_id: int) -> AccountView:
    """One account with its contacts, if the user may see its segment."""
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    return account_view(uow, account)


@use_case("contacts.add")
def add_contact(uow: UnitOfWork, account_id: int, data: ContactIn) -> ContactView:
    """Add a person at an account."""
    require_role(uow.user, *EDITORS, to="add contacts")
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    contact = uow.add(Contact(account_id=account.id, **data.model_dump()))
    uow.session.flush()
    refresh_search_text(uow, account)
    return ContactView.model_validate(contact)


@use_case("contacts.update")
def update_contact(
    uow: UnitOfWork, contact_id: int, data: ContactIn, expected_version: int
) -> ContactView:
    """Save an edited contact. The account's invoice contact keeps an e-mail address to send
    invoices to; a contact changed since it was loaded is a Conflict."""
    require_role(uow.user, *EDITORS, to="edit contacts")
    contact = uow.get(Contact, contact_id, "contact")
    account = uow.get(Account, contact.account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    uow.expect_version(contact, expected_version, "contact")
    if account.invoice_contact_id == contact.id and not data.email:
        raise InvalidInput(
            f"{contact.name} receives this account's invoices, so the e-mail cannot be empty.",
            field="email",
        )
    for key, value in data.model_dump().items():
        setattr(contact, key, value)
    uow.session.flush()
    refresh_search_text(uow, account)
    return ContactView.model_validate(contact)


@use_case("accounts.set_invoice_contact")
def set_invoice_contact(
    uow: UnitOfWork, account_id: int, contact_id: int | None, expected_version: int
) -> AccountView:
    """Name who receives invoices. The contact must belong to the account and have an e-mail."""
    require_role(uow.user, *EDITORS, Role.FINANCE, to="set the invoice contact")
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    uow.expect_version(account, expected_version, "account")
    if contact_id is not None:
        contact = uow.get(Contact, contact_id, "contact")
        if contact.account_id != account.id:
            raise InvalidInput("The invoice contact must be a contact of this account.")
        if not contact.email:
            raise InvalidInput(f"{contact.name} has no e-mail address to send invoices to.")
    account.invoice_contact_id = contact_id
    uow.session.flush()
    return account_view(uow, account)


def search_text_of(account: Account, contact_names: list[str]) -> str:
    """The text the accounts list searches: name, iSeries number, city and the contacts' names
    and e-mail addresses (``contact_names``), folded as the typed text is (``folded``)."""
    parts = [account.name, account.iseries_number or "", account.billing_city, *contact_names]
    return folded(" ".join(part for part in parts if part))


def refresh_search_text(uow: UnitOfWork, account: Account) -> None:
    text = search_text_of(account, contact_names(uow, account.id))
    if account.search_text != text:
        account.search_text = text
        uow.session.flush()


def contact_names(uow: UnitOfWork, account_id: int) -> list[str]:
    """Each contact's name and e-mail address, in the order they were added, for the
    account's search text."""
    rows = uow.session.execute(
        select(Contact.name, Contact.email)
        .where(Contact.account_id == account_id)
        .order_by(Contact.id)
    )
    return [part for row in rows for part in row if part]


def _apply(uow: UnitOfWork, account: Account, data: AccountIn) -> None:
    segment = uow.session.scalars(
        select(Segment).where(Segment.code == data.segment_code.strip().upper())
    ).one_or_none()
    if segment is None:
        raise InvalidInput(f"There is no segment {data.segment_code}.", field="segment_code")
    if not sees_segment(uow.user, segment.id):
        raise PermissionDenied(
            f"You work in another segment than {segment.name}, so an account cannot be "
            "put there by you.",
            field="segment_code",
        )
    if data.iseries_number:
        clash = uow.session.scalar(
            select(Account.name).where(
                Account.iseries_number == data.iseries_number, Account.id != account.id
            )
        )
        if clash:
            raise InvalidInput(
                f"The iSeries number {data.iseries_number} already belongs to {clash}.",
                field="iseries_number",
            )
    if data.parent_id is not None:
        parent = uow.get(Account, data.parent_id, "parent account")
        if parent.kind == AccountKind.CUSTOMER:
            raise InvalidInput(
                "An account can only sit under a National or Regional Account.", field="parent_id"
            )
        if parent.id == account.id:
            raise InvalidInput("An account cannot be its own parent.", field="parent_id")
    owner_id = None
    if data.owner_login:
        owner_id = uow.session.scalar(select(User.id).where(User.login == data.owner_login))
        if owner_id is None:
            raise InvalidInput(f"There is no user {data.owner_login}.", field="owner_login")
    # Every query runs before the first change: a query after it would autoflush, saving the
    # account twice (two versions, two audit events) in one use case.
    names = contact_names(uow, account.id) if account.id else []
    values = data.model_dump(exclude={"segment_code", "owner_login"})
    for key, value in values.items():
        setattr(account, key, value)
    account.segment_id = segment.id
    account.owner_id = owner_id
    account.search_text = search_text_of(account, names)


def account_view(uow: UnitOfWork, account: Account) -> AccountView:
    """The account with its contacts, as the screens read it."""
    segment = uow.get(Segment, account.segment_id, "segment")
    parent = uow.session.get(Account, account.parent_id) if account.parent_id else None
    owner = uow.session.get(User, account.owner_id) if account.owner_id else None
    contacts = uow.session.scalars(
        select(Contact).where(Contact.account_id == account.id).order_by(Contact.name)
    )
    return AccountView(
        id=account.id,
        name=account.name,
        kind=account.kind,
        status=account.status,
        iseries_number=account.iseries_number,
        parent_id=account.parent_id,
        parent_name=parent.name if parent else None,
        segment_id=segment.id,
        segment_name=segment.name,
        owner_id=account.owner_id,
        owner_name=owner.name if owner else None,
        territory=account.territory,
        locale=account.locale,
        currency=account.currency,
        invoice_contact_id=account.invoice_contact_id,
        billing_street=account.billing_street,
        billing_city=account.billing_city,
        billing_postal_code=account.billing_postal_code,
        billing_region=account.billing_region,
        billing_country=account.billing_country,
        version=account.version,
        contacts=[ContactView.model_validate(contact) for contact in contacts],
    )
