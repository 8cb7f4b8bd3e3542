"""What must hold before an invoice is approved or sent (seed 003: wrong invoice contacts and
addresses cost follow-up work, so nothing goes out until they are right).

Every problem is named at once, so one pass fixes them all: the account's invoice contact and
billing address (``accounts.billing_details``), the lines adding up to the totals, each
subscription's period not billed on another invoice, and a reverse-charge line's buyer VAT
number.
"""

from __future__ import annotations

from sqlalchemy import select

from acctmgr.domain.billing import InvoiceStatus, TaxCategory
from acctmgr.errors import InvalidInput
from acctmgr.models import Account, Invoice, InvoiceLine
from acctmgr.services.accounts.billing_details import problems as sending_problems
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.unit_of_work import UnitOfWork


def invoice_problems(uow: UnitOfWork, invoice: Invoice) -> list[str]:
    """Each reason the invoice may not go out, as a phrase; empty when it may."""
    account = uow.get(Account, invoice.account_id, "account")
    # The territory of use is a contract's matter, not an invoice's: only the rest counts.
    found = [
        problem for field, problem in sending_problems(uow, account, "-") if field != "territory"
    ]
    net = sum(line.net_minor for line in invoice.lines)
    tax = sum(line.tax_minor for line in invoice.lines)
    if not invoice.lines:
        found.append("it has no lines")
    if (net, tax, net + tax) != (invoice.net_minor, invoice.tax_minor, invoice.total_minor):
        found.append(
            f"its lines add up to {format_money(net + tax, invoice.currency)}, "
            f"not the {format_money(invoice.total_minor, invoice.currency)} it asks"
        )
    found += _billed_before(uow, invoice)
    reverse_charged = any(line.tax_category is TaxCategory.REVERSE_CHARGE for line in invoice.lines)
    if reverse_charged and not account.vat_number.strip():
        found.append("a reverse-charge line needs the account's VAT number")
    return found


def _billed_before(uow: UnitOfWork, invoice: Invoice) -> list[str]:
    """A subscription period this invoice bills that another (not cancelled) invoice bills too."""
    found = []
    for line in invoice.lines:
        if line.subscription_id is None or line.period_start is None or line.period_end is None:
            continue
        other = uow.session.execute(
            select(Invoice.id, Invoice.number)
            .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
            .where(
                InvoiceLine.subscription_id == line.subscription_id,
                InvoiceLine.period_start <= line.period_end,
                InvoiceLine.period_end >= line.period_start,
                Invoice.id != invoice.id,
                Invoice.kind == invoice.kind,
                Invoice.status != InvoiceStatus.CANCELLED,
            )
            .limit(1)
        ).first()
        if other is not None:
            found.append(
                f"{line.description} from {line.period_start:%d %b %Y} is billed already, "
                f"on {other.number or 'a draft'}"
            )
    return found


def check_invoice(uow: UnitOfWork, invoice: Invoice, doing: str) -> None:
    """Raise InvalidInput naming every problem that stops the invoice being ``doing``
    ("approved", "sent")."""
    found = invoice_problems(uow, invoice)
    if found:
        raise InvalidInput(f"The invoice cannot be {doing}: {'; '.join(found)}.", field="invoice")
