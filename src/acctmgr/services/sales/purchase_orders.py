"""The purchase order: a quote as the customer receives it, the same layout in every country.

Every line shows its list price, the discount and the sold price; included items show 0 and
"included"; workshops and audits show the date by which they are to be used; usage lines show
the page views included and the price above each threshold; a service's statement of work is
printed under it; the territory of use is printed. Money and dates follow the account's locale.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from acctmgr.models import Account, Contact, Quote, QuoteLine, SkuKind, SkuVersion
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.documents import rendering as documents
from acctmgr.services.kernel.unit_of_work import UnitOfWork
from acctmgr.services.mail import outbox

COMPANY = "Our company"
VALID_FOR = timedelta(days=30)  # how long a PO without its own date may be signed


def line_variables(uow: UnitOfWork, lines: list[QuoteLine], currency: str) -> list[dict[str, Any]]:
    """What a document prints of each line, read from the SKU version the line was sold with."""
    ids = [line.sku_version_id for line in lines if line.sku_version_id is not None]
    versions = {
        version.id: version
        for version in uow.session.scalars(select(SkuVersion).where(SkuVersion.id.in_(ids)))
    }
    found = []
    for line in lines:
        version = versions.get(line.sku_version_id or 0)
        usage = version if version is not None and version.kind is SkuKind.USAGE else None
        found.append(
            {
                "description": line.description,
                "quantity": line.quantity,
                "list_price_minor": line.list_price_minor,
                "discount_pct": line.discount_pct,
                "net_minor": line.net_minor,
                "included": version is not None and version.kind is SkuKind.INCLUDED,
                "consume_by": line.consume_by,
                "included_volume": usage.included_volume if usage else None,
                "overage": [
                    {"from_volume": tier.from_volume, "unit_price_minor": tier.unit_price_minor}
                    for tier in (catalogue.overage_tiers(usage, currency) if usage else [])
                ],
                "statement_of_work": line.statement_of_work,
            }
        )
    return found


def totals(lines: list[dict[str, Any]]) -> dict[str, int]:
    listed = sum(line["list_price_minor"] * line["quantity"] for line in lines)
    net = sum(line["net_minor"] for line in lines)
    return {"list_minor": listed, "net_minor": net, "discount_minor": listed - net}


def account_variables(uow: UnitOfWork, account: Account) -> dict[str, Any]:
    contact = (
        uow.session.get(Contact, account.invoice_contact_id) if account.invoice_contact_id else None
    )
    address = ", ".join(
        part
        for part in (
            account.billing_street,
            f"{account.billing_postal_code} {account.billing_city}".strip(),
            account.billing_region,
            account.billing_country,
        )
        if part
    )
    return {
        "name": account.name,
        "iseries_number": account.iseries_number,
        "address": address,
        "invoice_contact": f"{contact.name} <{contact.email}>" if contact else "",
    }


def po_variables(uow: UnitOfWork, quote: Quote, contact_name: str = "") -> dict[str, Any]:
    """Everything the PO and its e-mail print."""
    account = uow.get(Account, quote.account_id, "account")
    lines = line_variables(uow, quote.lines, quote.currency)
    return {
        "company": COMPANY,
        "account": account_variables(uow, account),
        "currency": quote.currency,
        "quote": {
            "number": quote.number,
            "starts_on": quote.starts_on,
            "valid_until": quote.valid_until or uow.now.date() + VALID_FOR,
            "term_months": quote.term_months,
            "territory": quote.territory,
        },
        "lines": lines,
        "totals": totals(lines),
        "contact_name": contact_name,
        "sender": uow.user.name,
    }


def issue_po(uow: UnitOfWork, quote: Quote, contact: Contact) -> documents.Issued:
    """Render the PO (PDF, kept with its HTML) and queue its e-mail with the PDF attached, in
    the caller's transaction."""
    account = uow.get(Account, quote.account_id, "account")
    variables = po_variables(uow, quote, contact.name)
    issued = documents.issue(
        uow,
        kind="po",
        template="po.html.j2",
        variables=variables,
        locale=account.locale,
        record=("quotes", quote.id, quote.version),
        filename=f"PO-{quote.number}",
        title=f"Purchase order {quote.number}",
    )
    send_with(
        uow,
        to=contact.email,
        subject=f"Purchase order {quote.number} for {account.name}",
        template="po_email.txt.j2",
        variables=variables,
        locale=account.locale,
        record=("quotes", quote.id),
        attachment=issued.pdf.id,
    )
    return issued


def send_with(
    uow: UnitOfWork,
    *,
    to: str,
    subject: str,
    template: str,
    variables: dict[str, Any],
    locale: str,
    record: tuple[str, int],
    attachment: int,
) -> None:
    """Queue an e-mail whose text comes from ``template`` and whose HTML twin from
    ``email.html.j2``, with one document attached."""
    text = documents.render(uow, template, variables, locale=locale).text
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    html = documents.render(uow, "email.html.j2", {"paragraphs": paragraphs}, locale=locale).text
    outbox.queue_email(
        uow,
        to=[to],
        subject=subject,
        body_text=text,
        body_html=html,
        record=record,
        attachments=[attachment],
    )
