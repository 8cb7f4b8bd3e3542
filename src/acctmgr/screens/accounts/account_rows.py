"""What an account's tabs show of each record: the overview's facts and one row a record."""

from __future__ import annotations

from datetime import date

from acctmgr.domain.contracts import SubscriptionStatus
from acctmgr.services.accounts import account_file
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountView
from acctmgr.services.documents import stored_documents
from acctmgr.widgets.record_table import Row
from acctmgr.widgets.text import day, money, plain


def overview(account: AccountView) -> list[tuple[str, str]]:
    invoice_contact = next(
        (c for c in account.contacts if c.id == account.invoice_contact_id), None
    )
    address = ", ".join(
        part
        for part in (
            account.billing_street,
            account.billing_postal_code,
            account.billing_city,
            account.billing_region,
            account.billing_country,
        )
        if part
    )
    return [
        ("iSeries number", account.iseries_number or "—"),
        ("Under", account.parent_name or "—"),
        ("Segment", account.segment_name),
        ("Owner", account.owner_name or "—"),
        ("Territory", account.territory or "— (missing)"),
        ("Locale / currency", f"{account.locale} / {account.currency}"),
        (
            "Invoice contact",
            person(invoice_contact) if invoice_contact else "— (missing: i picks one)",
        ),
        ("Billing address", address or "— (missing: b edits it)"),
        ("Status", account.status.value),
    ]


def person(contact: account_service.ContactView) -> str:
    return f"{contact.name} <{contact.email}>" if contact.email else contact.name


def contact_row(account: AccountView, contact: account_service.ContactView) -> Row:
    return (
        str(contact.id),
        [
            plain(contact.name),
            plain(contact.title),
            plain(contact.email),
            plain(contact.phone),
            plain("yes" if contact.id == account.invoice_contact_id else ""),
        ],
    )


def contract_row(row: account_file.ContractRow) -> Row:
    return (
        str(row.id),
        [
            plain(row.number),
            plain(row.status.value.replace("_", " ")),
            plain(row.renewal_type.value.replace("_", " ")),
            plain(day(row.starts_on)),
            plain(day(row.ends_on)),
            plain(f"{row.notice_days} d"),
            money(row.annual_value_minor, row.currency),
        ],
    )


def subscription_row(row: account_file.SubscriptionRow) -> Row:
    return (
        str(row.id),
        [
            plain(row.product),
            plain(row.kind.label),
            plain(subscription_status(row.status, row.starts_on)),
            plain(str(row.quantity)),
            money(row.net_price_minor, row.currency),
            plain(day(row.starts_on)),
            plain(day(row.ends_on)),
        ],
    )


def subscription_status(status: SubscriptionStatus, starts_on: date) -> str:
    """A subscription's state as the account's tab and the entitlements screen both word it:
    one waiting for its day runs "from" it."""
    if status is SubscriptionStatus.PENDING:
        return f"from {day(starts_on)}"
    return status.value


def invoice_row(row: account_file.InvoiceRow) -> Row:
    return (
        str(row.id),
        [
            plain(row.number),
            plain(row.status.value),
            plain(day(row.issued_on)),
            plain(day(row.due_on)),
            money(row.total_minor, row.currency),
        ],
    )


def case_row(row: account_file.CaseRow) -> Row:
    return (
        f"{row.record_type}-{row.id}",
        [
            plain(row.title),
            plain(row.stage),
            plain(row.owner or ""),
            plain(day(row.opened)),
            plain(row.outcome.value if row.outcome else ""),
        ],
    )


def document_row(row: stored_documents.DocumentRow) -> Row:
    return (
        str(row.id),
        [
            plain(day(row.created_at)),
            plain(row.kind),
            plain(row.filename),
            plain(f"{row.template_name} v{row.template_version}"),
            plain(row.created_by or ""),
        ],
    )


def timeline_row(row: account_file.TimelineEvent) -> Row:
    # Events have no id of their own; RecordTable.show makes repeated keys unique.
    return (
        f"{row.at.isoformat()}-{row.kind}",
        [plain(day(row.at)), plain(row.text), plain(row.who or "")],
    )
