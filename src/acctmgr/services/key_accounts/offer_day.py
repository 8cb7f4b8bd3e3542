"""My day's offers, for their Key Account Manager: what each open offer waits on from them.

A draft to finish and submit, an approved one to present and send, a sent one waiting for the
customer's answer; each dated by when it stops being valid, so those expiring first come
first and an offer about to expire is marked. Offers waiting on approvers are in the
approvers' own section, and the follow-up reminders sending sets are in "Due".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from acctmgr.db.reader import Reader, as_date
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, Urgency

# Stored values of OfferStatus and QuoteStatus (a test holds them to the enums).
OFFER_DRAFT = "draft"
OFFER_SENT = "sent"
QUOTE_PENDING = "pending_approval"
QUOTE_APPROVED = "approved"
EXPIRING_SOON = timedelta(days=7)


def offers(reader: Reader, actor: Actor, now: datetime) -> list[MyDayItem] | None:
    """The actor's open offers (draft or sent), soonest to expire first; None for a user who
    is not a Key Account Manager."""
    if not actor.has(Role.KEY_ACCOUNT_MANAGER):
        return None
    rows = reader.rows(
        """
        SELECT o.id, o.title, o.status, o.valid_until, o.account_id, o.version, acc.name,
               q.status
        FROM offers o
        JOIN accounts acc ON acc.id = o.account_id
        JOIN quotes q ON q.offer_id = o.id
        WHERE o.owner_id = :user AND o.status IN (:draft, :sent) AND q.status != :pending
        ORDER BY o.valid_until, o.id
        LIMIT :limit
        """,
        user=actor.id,
        draft=OFFER_DRAFT,
        sent=OFFER_SENT,
        pending=QUOTE_PENDING,
        limit=LIST_LIMIT,
    )
    today = now.date()
    items = []
    for offer_id, title, status, valid_until, account_id, version, account, quote in rows:
        valid = as_date(valid_until) if valid_until is not None else None
        items.append(
            MyDayItem(
                key=f"offer-{offer_id}",
                title=f"{title} · {account}",
                detail=_detail(status, quote, valid, today),
                when=valid,
                urgency=_urgency(valid, today),
                account_id=account_id,
                record_type=RecordType.OFFER,
                record_id=offer_id,
                version=version,
            )
        )
    return items


def _detail(status: str, quote: str, valid: date | None, today: date) -> str:
    if status == OFFER_SENT:
        what = "sent: record the customer's answer"
    elif quote == QUOTE_APPROVED:
        what = "approved: present and send it"
    else:
        what = "draft: finish and submit it"
    if valid is not None and valid - today <= EXPIRING_SOON:
        what += f"; expires {valid:%d %b}"
    return what


def _urgency(valid: date | None, today: date) -> Urgency:
    if valid is None or valid - today > EXPIRING_SOON:
        return Urgency.SOON
    return Urgency.TODAY if valid <= today else Urgency.SOON


OFFERS = Section("offers", "My offers", offers, False)
