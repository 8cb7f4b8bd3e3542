"""What else leaves with a sent invoice: its e-invoice and its ERP export.

``sending`` calls ``sent`` in the transaction that sends the invoice, so all of it commits
with the sending or none of it does.
"""

from __future__ import annotations

from acctmgr.models import Invoice
from acctmgr.services.kernel.unit_of_work import UnitOfWork


def sent(uow: UnitOfWork, invoice: Invoice) -> list[int]:
    """Queue the invoice's ERP export (once per revision) and make its e-invoice where the
    policy and the account ask for one; returns the documents to attach to its e-mail."""
    # Filled in by the e-invoice work (ubl, invoice_export) before this lands.
    del uow, invoice
    return []
