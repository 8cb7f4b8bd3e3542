"""The company's identity: set by an admin only, audited, and on every document and e-mail."""

from __future__ import annotations

import io

import pypdf
import pytest
from pydantic import ValidationError
from sqlalchemy import select

from acctmgr.errors import Conflict, PermissionDenied
from acctmgr.models import AuditEvent, CompanyIdentity
from acctmgr.services.company import identity as company
from acctmgr.services.company.identity import IdentityIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.mail.delivery import deliver_due
from acctmgr.services.sales import quote_builder
from tests.mail_support import Mailbox, mailbox, smtp_settings
from tests.quote_support import Catalogue, new_customer
from tests.services.sales.test_po_delivery import approved_quote, contact_of, shop

__all__ = ["mailbox", "shop"]  # fixtures, imported so pytest finds them

NORTHWIND = IdentityIn(
    name="Northwind Analytics GmbH",
    address="Leopoldstraße 12, 80802 München, DE",
    registration_number="HRB 123456",
    vat_number="DE123456789",
    email="orders@northwind.example",
)


def test_only_an_admin_sets_the_identity_and_it_is_audited(unset: Context) -> None:
    """Unset, it reads as the default name at version 0; an AE is refused; the admin's save is
    stored in the one row and audited; a save from the copy read before is stale."""
    admin = unset
    with admin.database.read_session() as session:
        # The staffed database's identity was set, and its audit kept, before it was unset.
        before = list(session.scalars(select(AuditEvent.action))).count("company.update_identity")
    assert company.identity(admin.as_user("ae")) == company.UNSET
    with pytest.raises(PermissionDenied, match="Only an Admin"):
        company.update_identity(admin.as_user("ae"), NORTHWIND, 0)
    saved = company.update_identity(admin, NORTHWIND, 0)
    assert saved.version == 1
    again = company.update_identity(admin, NORTHWIND.model_copy(update={"vat_number": ""}), 1)
    assert again.version == 2
    with pytest.raises(Conflict):
        company.update_identity(admin, NORTHWIND, 1)
    with admin.database.read_session() as session:
        [row] = session.scalars(select(CompanyIdentity)).all()
        assert (row.name, row.vat_number, row.email) == (NORTHWIND.name, "", NORTHWIND.email)
        actions = list(session.scalars(select(AuditEvent.action)))
    assert actions.count("company.update_identity") == before + 2


def test_the_identity_needs_a_name_and_a_real_e_mail_address() -> None:
    """A blank name or an e-mail address that is not one is refused, each with its sentence."""
    with pytest.raises(ValidationError, match="needs a name"):
        IdentityIn(name="   ")
    with pytest.raises(ValidationError, match="looks like"):
        IdentityIn(name="Northwind", email="orders")


def test_the_po_and_its_e_mail_carry_the_stored_identity(
    unset: Context, shop: Catalogue, mailbox: tuple[Mailbox, int]
) -> None:
    """A PO sent after the admin set the identity prints its name, address and numbers, and
    its e-mail comes from the company's name, with replies to its contact address."""
    admin = unset
    company.update_identity(admin, NORTHWIND, 0)
    server, port = mailbox
    account_id = new_customer(admin)
    quote_id, version = approved_quote(admin, shop, account_id)
    quote_builder.send_po(admin.as_user("ae"), quote_id, version, contact_of(admin, account_id))
    assert deliver_due(admin, smtp_settings(port), worker="w1").sent == 1
    [message] = server.messages()
    assert message["From"].startswith("Northwind Analytics GmbH <")
    assert message["Reply-To"] == "orders@northwind.example"
    body = message.get_body(("plain",))
    assert body is not None
    assert "Northwind Analytics GmbH" in body.get_content()
    [attachment] = list(message.iter_attachments())
    pdf = pypdf.PdfReader(io.BytesIO(attachment.get_content()))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    for expected in ("From Northwind Analytics GmbH to", "VAT no. DE123456789", "HRB 123456"):
        assert expected in text
    assert "Our company" not in text
