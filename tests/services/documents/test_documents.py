"""The PO as the customer receives it: every price, discount, inclusion, deadline, volume and
the territory, written the way the account's locale writes them, kept with its hash and the
versions of the template and the quote it was made from."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal

import pypdf
import pytest
from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import PermissionDenied
from acctmgr.models import Account, Document
from acctmgr.services.accounts import records as accounts
from acctmgr.services.documents import stored_documents
from acctmgr.services.documents import templates as template_service
from acctmgr.services.documents.pdf import pdf_of
from acctmgr.services.documents.readable_text import readable_text
from acctmgr.services.kernel.context import Context
from acctmgr.services.sales import quote_builder as builder
from acctmgr.services.sales.quote_builder import CatalogueLineIn, NewQuoteIn
from tests.quote_support import STARTS, Catalogue, catalogue, new_customer, staff


@dataclass(frozen=True)
class SentPo:
    quote_id: int
    quote_version: int
    account_id: int
    pdf: Document
    html: Document


def pdf_text(document: Document) -> str:
    """The text of a PDF with its line breaks and spacing evened out."""
    pages = pypdf.PdfReader(io.BytesIO(document.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def documents_of(context: Context, quote_id: int) -> list[Document]:
    with context.database.read_session() as session:
        found = session.scalars(
            select(Document)
            .where(Document.record_type == RecordType.QUOTE, Document.record_id == quote_id)
            .order_by(Document.id)
        )
        rows = list(found)
        session.expunge_all()
        return rows


def send_a_po(
    admin: Context, shop: Catalogue, *, locale: str = "de_DE", name: str = "Nova GmbH"
) -> SentPo:
    """A new customer's quote (starter pack: a workshop and included seats) with a subscription
    at 10% off and page views, approved and sent as a PO."""
    ae = admin.as_user("ae")
    account_id = new_customer(admin, name)
    with admin.database.write_session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        account.locale = locale
        session.commit()
    quote = builder.new_quote(
        ae, NewQuoteIn(account_id=account_id, starts_on=STARTS, territory="DACH")
    )
    quote = builder.add_catalogue_line(
        ae,
        quote.id,
        quote.version,
        CatalogueLineIn(sku_id=shop.platform, discount_pct=Decimal("10")),
    )
    quote = builder.add_catalogue_line(
        ae, quote.id, quote.version, CatalogueLineIn(sku_id=shop.pageviews)
    )
    workshop = next(line for line in quote.lines if line.sku_code == "WORKSHOP")
    quote = builder.write_statement_of_work(
        ae, quote.id, quote.version, workshop.id, "Two days on tagging the shop."
    )
    submitted = builder.submit_quote(ae, quote.id, quote.version)
    assert submitted.approvers == []
    contact = accounts.get_account(admin, account_id).contacts[0]
    sent = builder.send_po(ae, quote.id, submitted.quote.version, contact.id)
    found = documents_of(admin, quote.id)
    pdf = next(doc for doc in reversed(found) if doc.media_type == "application/pdf")
    html = next(doc for doc in reversed(found) if doc.media_type == "text/html")
    return SentPo(quote.id, sent.version, account_id, pdf, html)


@pytest.fixture
def shop(admin: Context) -> Catalogue:
    staff(admin)
    return catalogue(admin)


def test_the_german_po_shows_every_term_as_germans_write_it(
    admin: Context, shop: Catalogue
) -> None:
    """A German customer's PO writes every term, money and date the German way."""
    sent = send_a_po(admin, shop, locale="de_DE")
    text = pdf_text(sent.pdf)
    for expected in (
        "Purchase order Q-",
        "1.000,00 $",  # the subscription's list price
        "10 %",  # its discount
        "900,00 $",  # its sold price
        "included",  # the seats of the starter pack
        "31. Dezember 2027",  # the workshop's consumption deadline
        "1.000.000 page views included",
        "above 1.000.000: 0,02 $ each",
        "Territory of use: DACH (Deutschland, Österreich, Schweiz)",
        "Statement of work: Two days on tagging the shop.",
        "1. Januar 2027",
        "Total: 3.900,00 $",
    ):
        assert expected in text


def test_the_american_po_shows_every_term_as_americans_write_it(
    admin: Context, shop: Catalogue
) -> None:
    """An American customer's PO writes every term, money and date the American way."""
    sent = send_a_po(admin, shop, locale="en_US")
    text = pdf_text(sent.pdf)
    for expected in (
        "$1,000.00",
        "10%",
        "$900.00",
        "included",
        "December 31, 2027",
        "1,000,000 page views included",
        "above 1,000,000: $0.02 each",
        "Territory of use: DACH (Austria, Germany, Switzerland)",
        "Total: $3,900.00",
    ):
        assert expected in text


def test_a_document_is_kept_with_its_hash_and_the_versions_it_was_made_from(
    admin: Context, shop: Catalogue
) -> None:
    """A document keeps its hash and the versions it was made from; an edit is the next one's."""
    sent = send_a_po(admin, shop)
    for document in (sent.pdf, sent.html):
        assert document.sha256 == hashlib.sha256(document.content).hexdigest()
        assert document.template_name == "po.html.j2"
        assert document.template_version == 0
        assert document.record_version == sent.quote_version
    assert sent.pdf.filename.endswith(".pdf")
    assert sent.html.filename.endswith(".html")

    body = template_service.get_template(admin, "po.html.j2").body
    template_service.save_template(
        admin, "po.html.j2", 0, body.replace("Purchase order", "Order form")
    )
    again = send_a_po(admin, shop, name="Second GmbH")
    assert again.pdf.template_version == 1
    assert again.html.template_version == 1
    assert "Order form Q-" in pdf_text(again.pdf)


def test_the_account_lists_its_documents_and_shows_a_pdf_as_its_html_text(
    admin: Context, shop: Catalogue
) -> None:
    """The account lists its documents, and a PDF reads as the text of its HTML twin."""
    sent = send_a_po(admin, shop)
    rows = stored_documents.account_documents(admin.as_user("ae"), sent.account_id)
    assert {row.id for row in rows} == {sent.pdf.id, sent.html.id}
    assert [
        row.id for row in stored_documents.record_documents(admin, RecordType.QUOTE, sent.quote_id)
    ]
    view = stored_documents.document_text(admin.as_user("ae"), sent.pdf.id)
    assert view.sha256 == sent.pdf.sha256
    assert view.created_by == "Erin Executive"
    assert "Platform v1 | 1 | 1.000,00 $ | 10 % | 900,00 $" in view.text
    assert "<td>" not in view.text
    assert "<h1>" not in view.text


def test_another_segment_does_not_see_the_documents(admin: Context, shop: Catalogue) -> None:
    """A seller of another segment can neither list nor read the account's documents."""
    sent = send_a_po(admin, shop)
    with pytest.raises(PermissionDenied):
        stored_documents.account_documents(admin.as_user("ae2"), sent.account_id)
    with pytest.raises(PermissionDenied):
        stored_documents.document_text(admin.as_user("ae2"), sent.pdf.id)


def test_readable_text_puts_a_table_row_on_one_line() -> None:
    """Readable text drops the tags and puts each table row on one line, cells between bars."""
    html = (
        "<h1>Title</h1><p>One <b>bold</b>\n word.<br>Next</p>"
        "<table><tr><th>A</th><th>B</th></tr><tr><td>1 &amp; 2</td><td></td></tr></table>"
    )
    assert readable_text(html) == "Title\nOne bold word.\nNext\nA | B\n1 & 2"


def test_a_character_the_font_lacks_is_named_in_the_pdf_not_dropped() -> None:
    """The customer reads what was typed: an emoji prints its name, a flag its country."""
    pdf = pdf_of("<p>Nova 🚀 GmbH 👍🏽 🇩🇪 café → ok</p>", name="po", title="PO")
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert text == "Nova [rocket] GmbH [thumbs up sign] [flag DE] café → ok"
