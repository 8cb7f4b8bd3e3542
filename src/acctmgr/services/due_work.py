"""One pass of the background work that falls due, as ``acctmgr worker`` does it every minute
(and training's clock will when it is moved on).

Each step is its own transaction, safe to run in several workers at once; the order matters
where one step's result is the next one's input.
"""

from __future__ import annotations

from acctmgr.config import LoadedSettings
from acctmgr.services.approvals import deadlines as approval_deadlines
from acctmgr.services.contracts import lifecycle as contracts
from acctmgr.services.fulfilment import erp_export
from acctmgr.services.fulfilment import running as fulfilment
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts import expiry as offer_expiry
from acctmgr.services.key_accounts import peers
from acctmgr.services.mail import delivery as mail_delivery


def do_due_work(context: Context, loaded: LoadedSettings, *, worker: str) -> str:
    """Do what has fallen due; returns the line that says what was done."""
    started = contracts.take_effect(context)
    # After take_effect: a contract in effect today re-prices what it supersedes.
    ran = fulfilment.run_due(context)
    chased = approval_deadlines.follow_up(context)
    expired = offer_expiry.expire_offers(context)
    # Counted again once a day: upsell compares key accounts with these figures.
    peer_rows = peers.refresh_peer_holdings(context)
    mail = mail_delivery.deliver_due(context, loaded.settings, worker=worker)
    erp = erp_export.write_due(context, loaded, worker=worker)
    return (
        f"{context.clock.now():%Y-%m-%d %H:%M} contracts taking effect: {started}; "
        f"approvals reminded: {chased.reminded}, overdue: {chased.overdue}, "
        f"escalated: {chased.escalated}; offers expired: {expired}; "
        f"peer figures: {'up to date' if peer_rows is None else f'{peer_rows} counted'}; "
        f"{ran.line}; "
        f"e-mails sent: {mail.sent}, to retry: {mail.retried}, failed: {mail.failed}; "
        f"ERP exports written: {erp.written}, waiting: {erp.waiting}"
    )
