"""The details a document needs before it goes to a customer: territory, invoice contact, address.

Finance's complaint is that wrong invoice contacts and addresses cost follow-up work after the
fact. So nothing is sent (a PO, a contract) until the territory of use is set, the account
has an invoice contact with a well-formed e-mail address, and a complete billing address whose
postal code fits its country. Every problem is named at once, so one pass fixes them all.
"""

from __future__ import annotations

import re

from acctmgr.errors import InvalidInput
from acctmgr.models import Account, Contact
from acctmgr.services.kernel import territories
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[A-Za-z]{2,}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
COUNTRY_RULE = "the billing country is a two-letter code such as US, DE or FR"
# Postal codes of the countries we sell to most; others need only be present.
POSTAL_CODES: dict[str, tuple[re.Pattern[str], str]] = {
    "US": (re.compile(r"^\d{5}(-\d{4})?$"), "a US ZIP code such as 94105"),
    "GB": (
        re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.IGNORECASE),
        "a UK postcode such as SW1A 1AA",
    ),
    "DE": (re.compile(r"^\d{5}$"), "a German postcode of five digits"),
    "FR": (re.compile(r"^\d{5}$"), "a French postcode of five digits"),
    "ES": (re.compile(r"^\d{5}$"), "a Spanish postcode of five digits"),
    "IT": (re.compile(r"^\d{5}$"), "an Italian postcode of five digits"),
    "NL": (re.compile(r"^\d{4} ?[A-Z]{2}$", re.IGNORECASE), "a Dutch postcode such as 1012 AB"),
    "BR": (re.compile(r"^\d{5}-?\d{3}$"), "a Brazilian CEP such as 01310-100"),
    "PL": (re.compile(r"^\d{2}-\d{3}$"), "a Polish postcode such as 00-950"),
}


def problems(uow: UnitOfWork, account: Account, territory: str) -> list[tuple[str, str]]:
    """Each missing or malformed detail as (field, what is wrong), in the order to fix them."""
    found: list[tuple[str, str]] = []
    if not territory.strip():
        found.append(("territory", "the territory of use is missing"))
    elif not territories.is_territory(territory):
        found.append(("territory", "the territory of use is not one from the list"))
    contact = (
        uow.session.get(Contact, account.invoice_contact_id) if account.invoice_contact_id else None
    )
    if contact is None:
        found.append(("invoice_contact", "the account has no invoice contact"))
    elif not contact.email.strip():
        found.append(("invoice_contact", f"the invoice contact {contact.name} has no e-mail"))
    elif not EMAIL.match(contact.email.strip()):
        found.append(
            (
                "invoice_contact",
                f"the invoice contact's e-mail {contact.email.strip()!r} is not an address",
            )
        )
    for field, label in (
        ("billing_street", "street"),
        ("billing_city", "city"),
        ("billing_postal_code", "postal code"),
        ("billing_country", "country"),
    ):
        if not getattr(account, field).strip():
            found.append((field, f"the billing {label} is missing"))
    country = account.billing_country.strip().upper()
    if country and not COUNTRY.match(country):
        found.append(
            ("billing_country", f"the billing country {country!r} is not a two-letter code")
        )
    wrong_postal_code = postal_code_problem(country, account.billing_postal_code)
    if wrong_postal_code:
        found.append(("billing_postal_code", wrong_postal_code))
    return found


def postal_code_problem(country: str, postal_code: str) -> str | None:
    """What is wrong with a postal code for its country, or None when it fits (or the country
    is one whose codes we do not know)."""
    postal = postal_code.strip()
    known = POSTAL_CODES.get(country.strip().upper())
    if postal and known and not known[0].match(postal):
        return f"the billing postal code {postal!r} is not {known[1]}"
    return None


@use_case("accounts.sending_problems", write=False)
def sending_problems(uow: UnitOfWork, account_id: int, territory: str) -> list[tuple[str, str]]:
    """What would stop a document for this account going out, for a screen to show early."""
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    return problems(uow, account, territory)


def check_before_sending(uow: UnitOfWork, account: Account, territory: str, what: str) -> None:
    """Raise InvalidInput naming every problem that stops ``what`` from being sent."""
    found = problems(uow, account, territory)
    if found:
        listed = "; ".join(problem for _, problem in found)
        raise InvalidInput(f"Before the {what} can be sent: {listed}.", field=found[0][0])
