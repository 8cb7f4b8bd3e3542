"""The forms that create and edit an account and its contacts, pick its invoice contact and
edit its billing address.

Each is a ``FormDialog`` whose save calls the use case with the version the screen was showing:
the service checks everything again, and its refusal (someone else's save among them) stays in
the dialog as a sentence, with what was typed.
"""

from __future__ import annotations

from typing import Any

from acctmgr.domain.accounts import AccountKind
from acctmgr.domain.roles import ALL_SEGMENT_ROLES
from acctmgr.screens.dialog import FormDialog
from acctmgr.services.accounts import billing_address
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn, AccountView, ContactIn, ContactView
from acctmgr.services.people import users
from acctmgr.widgets.form import FormField

KINDS = (
    ("Customer", AccountKind.CUSTOMER.value),
    ("National Account", AccountKind.NATIONAL.value),
    ("Regional Account", AccountKind.REGIONAL.value),
)
CONTACT_FIELDS = [
    FormField("name", "Name"),
    FormField("title", "Title", placeholder="e.g. Head of Finance"),
    FormField("email", "E-mail", placeholder="name@example.com"),
    FormField("phone", "Phone"),
    FormField("is_primary", "Primary contact", "check", placeholder="the main person to talk to"),
]
ADDRESS_FIELDS = [
    FormField("billing_street", "Street"),
    FormField("billing_city", "City"),
    FormField("billing_postal_code", "Postal code"),
    FormField("billing_region", "Region", placeholder="state or province, if any"),
    FormField("billing_country", "Country", placeholder="two letters, e.g. US, DE, FR"),
]


async def open_new_account(host: Any) -> None:
    """The new account form; once created, the account opens."""
    made = await account_form(host, None)
    if made is not None:
        host.notify(f"Account created: {made.name}.")
        host.acctmgr.open_account(made.id)


async def account_form(host: Any, account: AccountView | None) -> AccountView | None:
    """Create an account (``account`` None) or edit one; the saved account, or None."""
    me = await host.call(users.me)
    segments = await host.call(users.list_segments) or []
    people = await host.call(users.list_users) or []
    if me is None:
        return None
    # Only the segments the service would accept: the user's own, or all for roles that serve
    # every segment.
    if not me.roles & ALL_SEGMENT_ROLES:
        segments = [segment for segment in segments if segment.id == me.segment_id]
    codes = {segment.id: segment.code for segment in segments}
    logins = {person.id: person.login for person in people}
    fields = [
        FormField("name", "Name"),
        FormField(
            "segment_code",
            "Segment",
            "choice",
            choices=[(segment.name, segment.code) for segment in segments],
        ),
        FormField("kind", "Kind", "choice", choices=KINDS),
        FormField("iseries_number", "iSeries number", placeholder="letters and digits, if any"),
        FormField(
            "owner_login",
            "Owner",
            "choice",
            placeholder="nobody",
            choices=[(person.name, person.login) for person in people if person.active],
        ),
        FormField("territory", "Territory of use"),
        FormField("locale", "Locale", placeholder="e.g. en_US, de_DE, pt_BR"),
        FormField("currency", "Currency", placeholder="e.g. USD, EUR"),
    ]
    values = {
        "kind": AccountKind.CUSTOMER.value,
        "locale": "en_US",
        "currency": "USD",
        "segment_code": codes.get(me.segment_id or 0, ""),
        "owner_login": me.login,
    }
    if account is not None:
        values = {
            "name": account.name,
            "segment_code": codes.get(account.segment_id, ""),
            "kind": account.kind.value,
            "iseries_number": account.iseries_number or "",
            "owner_login": logins.get(account.owner_id or 0, ""),
            "territory": account.territory,
            "locale": account.locale,
            "currency": account.currency,
        }

    async def save(typed: dict[str, str]) -> AccountView:
        data = AccountIn(
            name=typed["name"],
            segment_code=typed["segment_code"],
            kind=AccountKind(typed["kind"] or AccountKind.CUSTOMER.value),
            iseries_number=typed["iseries_number"] or None,
            owner_login=typed["owner_login"] or None,
            territory=typed["territory"],
            locale=typed["locale"].strip(),
            currency=typed["currency"].strip().upper(),
            # What this form does not show stays as it is.
            **_kept(account),
        )
        if account is None:
            made: AccountView = await host.run_service(account_service.create_account, data)
            return made
        saved: AccountView = await host.run_service(
            account_service.update_account, account.id, data, account.version
        )
        return saved

    result: AccountView | None = await host.app.push_screen_wait(
        FormDialog(
            f"Account: {account.name}" if account else "New account",
            fields,
            save,
            values=values,
            save_label="Save the account" if account else "Create the account",
        )
    )
    return result


def _kept(account: AccountView | None) -> dict[str, Any]:
    if account is None:
        return {}
    return {
        "parent_id": account.parent_id,
        "billing_street": account.billing_street,
        "billing_city": account.billing_city,
        "billing_postal_code": account.billing_postal_code,
        "billing_region": account.billing_region,
        "billing_country": account.billing_country,
    }


async def contact_form(
    host: Any, account: AccountView, contact: ContactView | None
) -> ContactView | None:
    """Add a contact to the account (``contact`` None) or edit one; the saved contact."""

    async def save(typed: dict[str, str]) -> ContactView:
        data = ContactIn(
            name=typed["name"],
            title=typed["title"],
            email=typed["email"],
            phone=typed["phone"],
            is_primary=bool(typed["is_primary"]),
        )
        if contact is None:
            added: ContactView = await host.run_service(
                account_service.add_contact, account.id, data
            )
            return added
        saved: ContactView = await host.run_service(
            account_service.update_contact, contact.id, data, contact.version
        )
        return saved

    values = {}
    if contact is not None:
        values = {
            "name": contact.name,
            "title": contact.title,
            "email": contact.email,
            "phone": contact.phone,
            "is_primary": "yes" if contact.is_primary else "",
        }
    result: ContactView | None = await host.app.push_screen_wait(
        FormDialog(
            f"Contact: {contact.name}" if contact else f"New contact at {account.name}",
            CONTACT_FIELDS,
            save,
            values=values,
            save_label="Save the contact" if contact else "Add the contact",
        )
    )
    return result


async def invoice_contact_form(host: Any, account: AccountView) -> AccountView | None:
    """Pick who receives the account's invoices, among its contacts with an e-mail."""
    choices = [
        (f"{contact.name} <{contact.email}>", str(contact.id))
        for contact in account.contacts
        if contact.email
    ]
    if not choices:
        host.notify(
            "No contact of this account has an e-mail address: add one (c) or give one an "
            "e-mail (Enter on the Contacts tab) first.",
            severity="warning",
            timeout=8,
        )
        return None

    async def save(typed: dict[str, str]) -> AccountView:
        contact_id = int(typed["contact"]) if typed["contact"] else None
        saved: AccountView = await host.run_service(
            account_service.set_invoice_contact, account.id, contact_id, account.version
        )
        return saved

    result: AccountView | None = await host.app.push_screen_wait(
        FormDialog(
            f"Invoice contact of {account.name}",
            [
                FormField(
                    "contact", "Invoices go to", "choice", placeholder="nobody", choices=choices
                )
            ],
            save,
            intro="Nothing is sent as a PO or contract until the account has an invoice "
            "contact with an e-mail address.",
            values={"contact": str(account.invoice_contact_id or "")},
        )
    )
    return result


async def billing_address_form(host: Any, account: AccountView) -> AccountView | None:
    """Edit the account's billing address; the saved account."""

    async def save(typed: dict[str, str]) -> AccountView:
        data = billing_address.BillingAddressIn.model_validate(typed)
        saved: AccountView = await host.run_service(
            billing_address.update_billing_address, account.id, data, account.version
        )
        return saved

    result: AccountView | None = await host.app.push_screen_wait(
        FormDialog(
            f"Billing address of {account.name}",
            ADDRESS_FIELDS,
            save,
            intro="Invoices, POs and contracts go to this address; the postal code is "
            "checked against the country.",
            values={field.name: getattr(account, field.name) for field in ADDRESS_FIELDS},
        )
    )
    return result
