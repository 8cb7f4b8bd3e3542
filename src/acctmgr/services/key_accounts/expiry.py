"""Offers past their validity expire, and their Key Account Manager is told.

Odoo never expires an old quotation, so customers accept prices that no longer hold. The worker
marks every draft or sent offer whose validity has passed as expired, closes its follow-up
reminders, and e-mails its KAM. Each offer is claimed with a guarded UPDATE (only while it is
still open), so two workers running at once expire it, and e-mail about it, once.
"""

from __future__ import annotations

from sqlalchemy import select, update

from acctmgr.domain.records import RecordType
from acctmgr.domain.sales import OfferStatus, QuoteStatus
from acctmgr.models import Account, Offer, Quote, User
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.key_accounts.sending import close_reminders
from acctmgr.services.mail import outbox

EXPIRING = (OfferStatus.DRAFT, OfferStatus.PRESENTED, OfferStatus.SENT)


@use_case("key_accounts.expire_offers", needs_actor=False)
def expire_offers(uow: UnitOfWork) -> int:
    """Expire the open offers whose validity ended before today; returns how many."""
    today = uow.now.date()
    due = uow.session.scalars(
        select(Offer.id).where(Offer.status.in_(EXPIRING), Offer.valid_until < today)
    ).all()
    expired = 0
    for offer_id in due:
        claimed = uow.session.execute(
            update(Offer)
            .where(Offer.id == offer_id, Offer.status.in_(EXPIRING))
            .values(status=OfferStatus.EXPIRED, version=Offer.version + 1, updated_at=uow.now)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            continue  # another worker expired it first
        offer = uow.session.get(Offer, offer_id, populate_existing=True)
        assert offer is not None
        expired += 1
        # An offer that expired while waiting for its approvals no longer needs them.
        quote = uow.session.scalars(select(Quote).where(Quote.offer_id == offer.id)).one()
        request = approval_requests.open_request(uow, RecordType.QUOTE, quote.id)
        if request is not None:
            approval_requests.recall_request(uow, request)
        # Done with, as a declined offer's: never the opportunity's quote, never edited.
        quote.status = QuoteStatus.SUPERSEDED
        close_reminders(uow, offer, "Cancelled: the offer expired")
        audit.record(uow, RecordType.OFFER, offer.id, "expired", {"valid_until": offer.valid_until})
        _tell_owner(uow, offer)
    return expired


def _tell_owner(uow: UnitOfWork, offer: Offer) -> None:
    owner = uow.session.get(User, offer.owner_id)
    account = uow.session.get(Account, offer.account_id)
    if owner is None or account is None or not owner.email:
        return
    outbox.queue_email(
        uow,
        to=[owner.email],
        subject=f"Offer expired: {offer.title} for {account.name}",
        body_text=(
            f'Your offer "{offer.title}" to {account.name} was valid until '
            f"{offer.valid_until:%d %b %Y} and has expired; it can no longer be accepted.\n\n"
            "Clone it in acctmgr to make a new one with today's prices."
        ),
        record=(RecordType.OFFER, offer.id),
    )
