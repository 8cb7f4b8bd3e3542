"""The wiring of acctmgr's services, in one visible place: ``bootstrap()``.

It registers, in this order:

- the record kinds the approvals engine approves (quotes today; offers and invoices next);
- the handlers that follow what happens to a record: when a quote is decided, or edited, the
  retention case it answers moves with it; when an approval opens or a request is decided,
  the people concerned are e-mailed;
- the audit listeners, which stamp and audit every flush of a use case.

Nothing registers itself when imported, and no module imports another late to dodge a cycle:
the approvals engine knows no record type, quotes know nothing of retention (which builds on
them), and the unit of work knows nothing of the audit. Only this module knows them all.

``startup.connect`` calls it, and every program opens its database there: the terminal UI,
each CLI sub-command, the worker, and the tests' app builder. The tests' conftest calls it for
the databases the tests make themselves. Forgetting it cannot pass unnoticed: until it has run,
every use case raises RuntimeError (see ``kernel.unit_of_work.run_use_case``) rather than save
a change without its audit. Calling it again, from any thread, changes nothing.
"""

from __future__ import annotations

import threading

from acctmgr.services.approvals import notices, record_kinds
from acctmgr.services.kernel import audit, unit_of_work
from acctmgr.services.mail import approval_mail
from acctmgr.services.retention import quote_approval as retention_quote_approval
from acctmgr.services.sales import quote_approval

_lock = threading.Lock()


def bootstrap() -> None:
    """Register the record kinds, the handlers that follow decisions and edits, and the audit
    listeners; then let use cases run. Idempotent."""
    with _lock:
        record_kinds.register(quote_approval.QuoteKind())
        quote_approval.follow_decisions(retention_quote_approval.follow_quote_decision)
        quote_approval.follow_edits(retention_quote_approval.follow_quote_edit)
        notices.on_opened(approval_mail.approvals_opened)
        notices.on_reminded(approval_mail.approval_due_soon)
        notices.on_decided(approval_mail.request_decided)
        notices.on_escalated(approval_mail.approval_escalated)
        audit.listen()
        unit_of_work.wiring_done()
