"""The documents a customer receives from a quote: what they print, and how they go out.

The purchase order and the contract print the same things the same way: our company, the
account with its billing address and invoice contact, each line as it was sold (list price,
discount and sold price, "included" items, the date a service is to be used by, the page views
included and the price above each threshold, the statement of work) and the totals. They go out
the same way too: rendered as a PDF kept with its HTML, and queued in the outbox with an e-mail
whose text comes from a template and whose HTML twin from ``email.html.j2``, the PDF attached,
all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.models import Account, Contact, Quote, QuoteLine, SkuKind, SkuVersion
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.company.identity import Identity, current_identity, require_identity
from acctmgr.services.documents import rendering
from acctmgr.services.kernel.unit_of_work import UnitOfWork
from acctmgr.services.mail import outbox

# What a document sent to a customer is called in a sentence, by its kind.
DOCUMENT_NAMES = {"po": "purchase order", "contract": "contract", "offer": "offer"}


def quote_variables(
    uow: UnitOfWork, quote: Quote, account: Account, *, contact_name: str
) -> dict[str, Any]:
    """What every document made from ``quote`` prints, whatever else its own kind adds: our
    company (its name as ``company``, all of its identity as ``company_details``), the account,
    the lines as sold with their totals, who it is for and who sends it."""
    lines = _line_variables(uow, quote.lines, quote.currency)
    return {
        **company_variables(current_identity(uow)),
        "account": _account_variables(uow, account),
        "currency": quote.currency,
        "lines": lines,
        "totals": totals(lines),
        "contact_name": contact_name,
        "sender": uow.user.name,
    }


def company_variables(identity: Identity) -> dict[str, Any]:
    """Our company as every template reads it: ``company`` is the name (as templates made
    before there was more to print expect), ``company_details`` the whole identity."""
    return {"company": identity.name, "company_details": identity.printed()}


def printed_line(
    description: str,
    *,
    quantity: int,
    list_price_minor: int,
    discount_pct: Decimal,
    net_minor: int,
    included: bool = False,
    consume_by: date | None = None,
    included_volume: int | None = None,
    overage: Iterable[tuple[int, int]] = (),
    statement_of_work: str = "",
) -> dict[str, Any]:
    """One line as the templates read it; ``overage`` is (from volume, unit price) a tier."""
    return {
        "description": description,
        "quantity": quantity,
        "list_price_minor": list_price_minor,
        "discount_pct": discount_pct,
        "net_minor": net_minor,
        "included": included,
        "consume_by": consume_by,
        "included_volume": included_volume,
        "overage": [
            {"from_volume": from_volume, "unit_price_minor": unit_price_minor}
            for from_volume, unit_price_minor in overage
        ],
        "statement_of_work": statement_of_work,
    }


def totals(lines: list[dict[str, Any]]) -> dict[str, int]:
    """The totals of printed lines: at list price, as sold, and the discount between them."""
    listed = sum(line["list_price_minor"] * line["quantity"] for line in lines)
    net = sum(line["net_minor"] for line in lines)
    return {"list_minor": listed, "net_minor": net, "discount_minor": listed - net}


def send_document(
    uow: UnitOfWork,
    *,
    kind: str,
    template: str,
    email_template: str,
    variables: dict[str, Any],
    locale: str,
    record: tuple[RecordType, int, int],
    filename: str,
    title: str,
    to: Contact | Sequence[Contact],
    subject: str,
) -> rendering.Issued:
    """Render ``template`` as a PDF kept with its HTML (``rendering.issue``), and queue its
    e-mail to the contact with the PDF attached; ``record`` is (type, id, version).

    Raises InvalidInput while the company's identity is unset (it would be signed "Our
    company"), or when a template cannot be filled in or its PDF cannot be laid out.
    """
    require_identity(uow, DOCUMENT_NAMES.get(kind, "document"))
    issued = rendering.issue(
        uow,
        kind=kind,
        template=template,
        variables=variables,
        locale=locale,
        record=record,
        filename=filename,
        title=title,
    )
    text = rendering.render(uow, email_template, variables, locale=locale).text
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    html = rendering.render(uow, "email.html.j2", {"paragraphs": paragraphs}, locale=locale).text
    record_type, record_id, _ = record
    outbox.queue_email(
        uow,
        to=[to.email] if isinstance(to, Contact) else [contact.email for contact in to],
        subject=subject,
        body_text=text,
        body_html=html,
        record=(record_type, record_id),
        attachments=[issued.pdf.id],
    )
    return issued


def _line_variables(uow: UnitOfWork, lines: list[QuoteLine], currency: str) -> list[dict[str, Any]]:
    """What a document prints of each line, read from the SKU version the line was sold with."""
    ids = [line.sku_version_id for line in lines if line.sku_version_id is not None]
    versions = {
        version.id: version
        for version in uow.session.scalars(select(SkuVersion).where(SkuVersion.id.in_(ids)))
    }
    printed = []
    for line in lines:
        version = versions.get(line.sku_version_id or 0)
        usage = version if version is not None and version.kind is SkuKind.USAGE else None
        tiers = catalogue.overage_tiers(usage, currency) if usage else []
        printed.append(
            printed_line(
                line.description,
                quantity=line.quantity,
                list_price_minor=line.list_price_minor,
                discount_pct=line.discount_pct,
                net_minor=line.net_minor,
                included=version is not None and version.kind is SkuKind.INCLUDED,
                consume_by=line.consume_by,
                included_volume=usage.included_volume if usage else None,
                overage=[(tier.from_volume, tier.unit_price_minor) for tier in tiers],
                statement_of_work=line.statement_of_work,
            )
        )
    return printed


def _account_variables(uow: UnitOfWork, account: Account) -> dict[str, Any]:
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
