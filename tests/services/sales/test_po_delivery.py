"""A PO from sending to the customer's mailbox: the e-mail that arrives carries the PDF, and the
PDF says what the PO must say."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import pytest

from acctmgr.errors import InvalidInput
from acctmgr.models import Document, OutboxEmail
from acctmgr.services.accounts import records as account_service
from acctmgr.services.kernel.context import Context
from acctmgr.services.mail.delivery import deliver_due
from acctmgr.services.sales import quote_builder
from acctmgr.services.sales.quote_builder import CatalogueLineIn, NewQuoteIn
from tests.mail_support import Mailbox, mailbox, smtp_settings
from tests.quote_support import STARTS, Catalogue, catalogue, new_customer, staff

__all__ = ["mailbox"]  # the fixture, imported so pytest finds it


@pytest.fixture
def shop(admin: Context) -> Catalogue:
    staff(admin)
    return catalogue(admin)


def approved_quote(admin: Context, shop: Catalogue, account_id: int) -> tuple[int, int]:
    """A new customer's quote (starter pack, a platform at 10% off, page views), approved."""
    ae = admin.as_user("ae")
    quote = quote_builder.new_quote(ae, NewQuoteIn(account_id=account_id, starts_on=STARTS))
    for sku, discount in ((shop.platform, "10"), (shop.pageviews, "0")):
        quote = quote_builder.add_catalogue_line(
            ae, quote.id, quote.version, CatalogueLineIn(sku_id=sku, discount_pct=Decimal(discount))
        )
    submitted = quote_builder.submit_quote(ae, quote.id, quote.version)
    assert submitted.approvers == []  # nothing outside the rules: approved at once
    return quote.id, submitted.quote.version


def contact_of(admin: Context, account_id: int) -> int:
    return account_service.get_account(admin, account_id).contacts[0].id


def test_the_po_arrives_as_a_pdf_saying_what_was_sold(
    admin: Context, shop: Catalogue, mailbox: tuple[Mailbox, int]
) -> None:
    """The PO reaches the invoice contact as a PDF saying what was sold, at what price."""
    server, port = mailbox
    account_id = new_customer(admin)
    quote_id, version = approved_quote(admin, shop, account_id)
    quote_builder.send_po(admin.as_user("ae"), quote_id, version, contact_of(admin, account_id))

    assert deliver_due(admin, smtp_settings(port), worker="w1").sent == 1
    [message] = server.messages()
    assert message["To"] == "ines@nova.example"
    assert message["Subject"].startswith("Purchase order Q-")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = pypdf.PdfReader(io.BytesIO(attachment.get_content()))
    text = " ".join(pdf.pages[0].extract_text().split())  # cells wrap: compare words
    # Nova GmbH writes money and dates the German way (de_DE), in US dollars.
    for expected in (
        "Territory of use: Deutschland",  # DE, named as the account's locale does
        "1.000,00 $",  # the platform's list price
        "10 %",  # its discount
        "900,00 $",  # what it sells for
        "included",  # the training seats of the starter pack
        "31. Dezember 2027",  # the onboarding workshop's deadline, 12 months from 1 Jan 2027
        "1.000.000 page views included",
        "above 1.000.000: 0,02 $ each",
    ):
        assert expected in text, (expected, text)
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert "Ines Invoice" in html.get_content()


def test_a_po_is_not_sent_while_billing_details_are_missing(
    admin: Context, shop: Catalogue
) -> None:
    """No PO is sent while billing details are missing: each is named, nothing is stored."""
    account_id = new_customer(admin, complete=False)
    contact = account_service.add_contact(
        admin, account_id, account_service.ContactIn(name="Bo Buyer", email="bo@nova.example")
    )
    quote_id, version = approved_quote(admin, shop, account_id)
    with pytest.raises(InvalidInput) as refused:
        quote_builder.send_po(admin.as_user("ae"), quote_id, version, contact.id)
    assert str(refused.value).startswith(
        "Before the PO can be sent: the account has no invoice contact; the billing street is "
        "missing"
    )
    with admin.database.read_session() as session:
        assert session.query(Document).count() == 0
        assert session.query(OutboxEmail).count() == 0
