"""Approving an invoice: it is checked, takes its gap-free number and waits to be sent.

The invoice run approves a recurring invoice that equals the previous period's by itself; a
person approves the rest from the review queue (``review``). Both come here, so the rule is
written once.
"""

from __future__ import annotations

from acctmgr.domain.billing import InvoiceStatus
from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import Invoice
from acctmgr.services.billing.checks import check_invoice
from acctmgr.services.billing.numbering import next_number
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.unit_of_work import UnitOfWork


def approve(uow: UnitOfWork, invoice: Invoice, *, by_id: int | None) -> None:
    """Check a draft and approve it with its number; ``by_id`` None for the run's own approval.

    Raises InvalidInput when it is no longer a draft or a check fails, before any number is
    taken (a number taken and rolled back is given again: see ``numbering``).
    """
    if invoice.status is not InvoiceStatus.DRAFT:
        shown = invoice.number or "This invoice"
        raise InvalidInput(f"{shown} is {invoice.status.value} already; only a draft is approved.")
    check_invoice(uow, invoice, "approved")
    invoice.number = next_number(uow, invoice.kind, uow.now.date())
    invoice.status = InvoiceStatus.APPROVED
    invoice.approved_at = uow.now
    invoice.reviewed_by_id = by_id
    uow.session.flush()
    audit.record(
        uow,
        RecordType.INVOICE,
        invoice.id,
        "approved",
        {"number": invoice.number, "by": "the invoice run" if by_id is None else by_id},
    )
