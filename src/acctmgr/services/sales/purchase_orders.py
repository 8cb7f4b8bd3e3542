"""The purchase order: a quote as the customer receives it, the same layout in every country.

Every line shows its list price, the discount and the sold price; included items show 0 and
"included"; workshops and audits show the date by which they are to be used; usage lines show
the page views included and the price above each threshold; a service's statement of work is
printed under it; the territory of use is printed by its name. Money and dates follow the
account's locale. What it prints of the account and the lines, and how it goes out, it shares
with the contract (``documents.customer_documents``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from acctmgr.domain.records import RecordType
from acctmgr.models import Account, Contact, Quote
from acctmgr.services.documents import customer_documents
from acctmgr.services.documents.rendering import Issued
from acctmgr.services.kernel import territories
from acctmgr.services.kernel.unit_of_work import UnitOfWork

VALID_FOR = timedelta(days=30)  # how long a PO without its own date may be signed


def po_variables(uow: UnitOfWork, quote: Quote, contact_name: str = "") -> dict[str, Any]:
    """Everything the PO and its e-mail print."""
    account = uow.get(Account, quote.account_id, "account")
    return {
        **customer_documents.quote_variables(uow, quote, account, contact_name=contact_name),
        "quote": {
            "number": quote.number,
            "starts_on": quote.starts_on,
            "valid_until": quote.valid_until or uow.now.date() + VALID_FOR,
            "term_months": quote.term_months,
            "notice_days": quote.notice_days,
            "payment_terms_days": quote.payment_terms_days,
            "territory": territories.name_of(quote.territory, account.locale),
        },
    }


def issue_po(uow: UnitOfWork, quote: Quote, contact: Contact) -> Issued:
    """Render the PO (PDF, kept with its HTML) and queue its e-mail with the PDF attached, in
    the caller's transaction."""
    account = uow.get(Account, quote.account_id, "account")
    return customer_documents.send_document(
        uow,
        kind="po",
        template="po.html.j2",
        email_template="po_email.txt.j2",
        variables=po_variables(uow, quote, contact.name),
        locale=account.locale,
        record=(RecordType.QUOTE, quote.id, quote.version),
        filename=f"PO-{quote.number}",
        title=f"Purchase order {quote.number}",
        to=contact,
        subject=f"Purchase order {quote.number} for {account.name}",
    )
