"""An offer from sending to the customers' mailboxes: one e-mail to each chosen contact with
the cover text, the offer's PDF attached, and the PDF says what is offered and until when."""

from __future__ import annotations

import io

import pypdf

from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts import sending
from acctmgr.services.mail.delivery import deliver_due
from tests import key_account_support as support
from tests.mail_support import Mailbox, mailbox, smtp_settings

__all__ = ["mailbox"]  # the fixture, imported so pytest finds it


def test_the_offer_arrives_as_a_pdf_with_its_cover_text(
    admin: Context, mailbox: tuple[Mailbox, int]
) -> None:
    server, port = mailbox
    acct = support.key_account(admin)
    kam = admin.as_user("kam")
    offer = support.new_offer(kam, acct, "Analytics for every store")
    offer = sending.submit_offer(kam, offer.id, offer.version)
    sending.send_offer(
        kam,
        offer.id,
        offer.version,
        sending.SendOfferIn(
            contact_ids=[acct.signer_id],
            cover_text="Thank you for the call this morning: here is what we discussed.",
        ),
    )
    # The approvers' e-mails go too; the offer's is the one to the customer.
    deliver_due(admin, smtp_settings(port), worker="w1")
    [message] = [m for m in server.messages() if m["To"] == "kim@nova.example"]
    assert message["Subject"] == "Our offer for Nova GmbH: Analytics for every store"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert text.startswith("Dear Kim Signer,")
    assert "Thank you for the call this morning: here is what we discussed." in text
    assert 'our offer "Analytics for every store" for Nova GmbH, valid until' in text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = pypdf.PdfReader(io.BytesIO(attachment.get_content()))
    printed = " ".join(pdf.pages[0].extract_text().split())  # cells wrap: compare words
    # Nova GmbH reads money and dates the German way (de_DE), in US dollars.
    for expected in (
        "Analytics for every store",
        "Nova GmbH",
        "23. Dezember 2026",  # valid for 30 days from 23 November 2026
        "1.000,00 $",  # the platform's list price
        "10 %",  # the discount offered
        "Territory of use: Deutschland",
    ):
        assert expected in printed, (expected, printed)
