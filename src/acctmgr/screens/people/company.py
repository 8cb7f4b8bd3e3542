"""The company's identity, for admins: the name, address, numbers and e-mail on every document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from acctmgr.screens.base import call_service
from acctmgr.screens.catalogue.forms import RecordFormScreen
from acctmgr.services.company import identity as company
from acctmgr.services.company.identity import Identity, IdentityIn
from acctmgr.services.kernel.context import Context
from acctmgr.widgets.form import FormField

if TYPE_CHECKING:
    from acctmgr.app import AcctmgrApp

FIELDS = [
    FormField("name", "Company name", placeholder="as registered, e.g. Northwind GmbH"),
    FormField("address", "Address", placeholder="street, postal code and city, country"),
    FormField("registration_number", "Registration no.", placeholder="e.g. HRB 123456"),
    FormField("vat_number", "VAT no.", placeholder="e.g. DE123456789"),
    FormField("email", "Contact e-mail", placeholder="replies to our e-mails go here"),
]
INTRO = (
    "Every purchase order, contract, offer and invoice prints this, and every e-mail comes "
    "from the company's name. It is kept in the database, so every workstation and SSH host "
    "prints the same."
)


async def edit_company_identity(app: AcctmgrApp) -> None:
    """Open the identity form on what is stored now; notify once it is saved."""
    current = await call_service(app, app.context, company.identity)
    if current is None:
        return

    def save(context: Context, data: IdentityIn) -> Identity:
        return company.update_identity(context, data, current.version)

    values = current.printed() if current.is_set else {}
    form = RecordFormScreen("Company identity", INTRO, FIELDS, IdentityIn, save, values)

    def saved(identity: Identity | None) -> None:
        if identity is not None:
            app.notify(f"Saved: documents and e-mails now come from {identity.name}.")

    await app.push_screen(form, saved)
