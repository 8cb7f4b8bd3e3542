"""An offer goes to the customer: approved first where its rules demand it, then e-mailed.

The approvals are the quote's, under the same rules as any quote (a 30% discount needs on an
offer what it needs anywhere); a quote no rule applies to is approved at once. Once approved
the offer is presented on the phone or at a meeting and e-mailed after it, rendered from its
template to a PDF kept with the account's documents, to the contacts the KAM chooses, with a
short cover text. Sending sets the KAM a follow-up reminder (3 working days unless changed);
the reminders of an offer close by themselves once it is accepted, declined or expires.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from acctmgr.domain.activities import ActivityKind
from acctmgr.domain.records import RecordType
from acctmgr.domain.sales import OfferStatus, OpportunityStage
from acctmgr.errors import InvalidInput
from acctmgr.models import Account, Activity, Contact, Offer, Opportunity, Quote, QuoteStatus
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.documents import customer_documents
from acctmgr.services.kernel import audit, territories
from acctmgr.services.kernel.calendar import calendar_for
from acctmgr.services.kernel.text_fields import FreeText
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.key_accounts.offer_views import (
    OfferView,
    offer_record,
    offer_view,
    require_owner,
)
from acctmgr.services.key_accounts.offers import MAX_COVER
from acctmgr.services.sales import quote_facts

FOLLOW_UP_DAYS = 3  # working days after sending, unless the KAM says otherwise
MAX_FOLLOW_UP_DAYS = 60


class SendOfferIn(BaseModel):
    contact_ids: list[int]
    cover_text: FreeText = Field(default="", max_length=MAX_COVER)
    follow_up_days: int = FOLLOW_UP_DAYS


@use_case("key_accounts.submit_offer")
def submit_offer(uow: UnitOfWork, offer_id: int, expected_version: int) -> OfferView:
    """Ask for the approvals the offer's quote needs; approved at once when no rule applies.

    Refused for an offer that is not a draft, whose validity has passed, without lines or
    without a territory of use, or with SKUs the catalogue will not combine.
    """
    offer, quote, _ = offer_record(uow, offer_id)
    require_owner(uow, offer)
    uow.expect_version(offer, expected_version, "offer")
    if offer.status is not OfferStatus.DRAFT:
        raise InvalidInput(
            f"This offer was {offer.status.value}; what the customer has cannot change now."
        )
    _check_sendable(uow, offer, quote)
    if quote.status is QuoteStatus.PENDING_APPROVAL:
        raise InvalidInput("This offer is already waiting for its approvals.")
    quote_facts.check_combinations(uow, quote.lines)
    approval_requests.submit(uow, RecordType.QUOTE, quote.id)
    uow.session.flush()
    audit.record(uow, RecordType.OFFER, offer.id, "submitted", {"quote": quote.number})
    return offer_view(uow, offer.id)


@use_case("key_accounts.send_offer")
def send_offer(
    uow: UnitOfWork, offer_id: int, expected_version: int, data: SendOfferIn
) -> OfferView:
    """E-mail the approved offer, as a PDF from its template, to the chosen contacts.

    It must be approved as it stands, still valid, and each contact must have an e-mail
    address. The PDF and its e-mail are written in this transaction; the offer is sent, the
    opportunity is at proposal or later, and the KAM has a follow-up reminder. Sending again
    (a corrected contact) sends the same offer again and moves the reminder.
    """
    offer, quote, account = offer_record(uow, offer_id)
    require_owner(uow, offer)
    uow.expect_version(offer, expected_version, "offer")
    if offer.status not in (OfferStatus.DRAFT, OfferStatus.SENT):
        raise InvalidInput(f"This offer was {offer.status.value}; it cannot be sent.")
    _check_sendable(uow, offer, quote)
    if quote.status is not QuoteStatus.APPROVED or not approval_requests.is_approved(
        uow, RecordType.QUOTE, quote.id, quote.version
    ):
        raise InvalidInput("Get the offer's approvals first: submit it with Ctrl+S.")
    if not 1 <= data.follow_up_days <= MAX_FOLLOW_UP_DAYS:
        raise InvalidInput(
            f"A follow-up is 1 to {MAX_FOLLOW_UP_DAYS} working days after sending.",
            field="follow_up_days",
        )
    contacts = _recipients(uow, account, data.contact_ids)
    offer.cover_text = data.cover_text.strip()
    offer.status = OfferStatus.SENT
    offer.sent_at = uow.now
    uow.session.flush()
    customer_documents.send_document(
        uow,
        kind="offer",
        template=offer.template,
        email_template="offer_email.txt.j2",
        variables=_variables(uow, offer, quote, account, contacts),
        locale=account.locale,
        record=(RecordType.OFFER, offer.id, offer.version),
        filename=f"Offer-{quote.number}",
        title=offer.title,
        to=contacts,
        subject=f"Our offer for {account.name}: {offer.title}",
    )
    opportunity = uow.get(Opportunity, offer.opportunity_id or 0, "opportunity")
    if opportunity.stage is OpportunityStage.QUALIFYING:
        opportunity.stage = OpportunityStage.PROPOSAL
    close_reminders(uow, offer, "Replaced: the offer was sent again")
    _remind(uow, offer, account, contacts[0], data.follow_up_days)
    audit.record(uow, RecordType.OFFER, offer.id, "sent", {"to": [c.email for c in contacts]})
    return offer_view(uow, offer.id)


def close_reminders(uow: UnitOfWork, offer: Offer, outcome: str) -> int:
    """Close the offer's open follow-up reminders with ``outcome``; returns how many."""
    open_ones = uow.session.scalars(
        select(Activity).where(
            Activity.record_type == RecordType.OFFER,
            Activity.record_id == offer.id,
            Activity.kind == ActivityKind.REMINDER,
            Activity.done_at.is_(None),
        )
    ).all()
    for reminder in open_ones:
        reminder.done_at = uow.now
        reminder.outcome = outcome[:200]
    uow.session.flush()
    return len(open_ones)


def _check_sendable(uow: UnitOfWork, offer: Offer, quote: Quote) -> None:
    opportunity = uow.get(Opportunity, offer.opportunity_id or 0, "opportunity")
    if opportunity.stage is OpportunityStage.CLOSED:
        raise InvalidInput(f"The opportunity {opportunity.name} is closed.")
    today = uow.now.date()
    if offer.valid_until is None or offer.valid_until < today:
        raise InvalidInput(
            "The offer's validity has passed; give it a new date first.", field="valid_until"
        )
    if not quote.lines:
        raise InvalidInput("An offer needs at least one line.")
    if not territories.is_territory(quote.territory):
        raise InvalidInput(
            "Set the territory of use: where the customer may use what it buys.",
            field="territory",
        )


def _recipients(uow: UnitOfWork, account: Account, contact_ids: list[int]) -> list[Contact]:
    if not contact_ids:
        raise InvalidInput("Choose who at the customer receives the offer.", field="contacts")
    contacts = []
    for contact_id in dict.fromkeys(contact_ids):
        contact = uow.session.get(Contact, contact_id)
        if contact is None or contact.account_id != account.id:
            raise InvalidInput("That contact is not at this account.", field="contacts")
        if not contact.email:
            raise InvalidInput(
                f"{contact.name} has no e-mail address; add one or choose someone else.",
                field="contacts",
            )
        contacts.append(contact)
    return contacts


def _variables(
    uow: UnitOfWork, offer: Offer, quote: Quote, account: Account, contacts: list[Contact]
) -> dict[str, Any]:
    names = [contact.name for contact in contacts]
    greeting = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return {
        **customer_documents.quote_variables(uow, quote, account, contact_name=greeting),
        "offer": {
            "title": offer.title,
            "valid_until": offer.valid_until,
            "renewal": offer.renewal_type.value,
        },
        "quote": {
            "number": quote.number,
            "territory": territories.name_of(quote.territory, account.locale),
            "starts_on": quote.starts_on,
            "term_months": quote.term_months,
            "notice_days": quote.notice_days,
        },
        "cover_text": offer.cover_text,
    }


def _remind(uow: UnitOfWork, offer: Offer, account: Account, contact: Contact, days: int) -> None:
    calendar = calendar_for(account.billing_country or None)
    # At the opening of the working day ``days`` working days after today.
    day = calendar.add_working_days(uow.now.date(), days)
    due = calendar.next_opening(datetime.combine(day, time.min, tzinfo=calendar.zone))
    uow.add(
        Activity(
            kind=ActivityKind.REMINDER,
            subject=f'Follow up the offer "{offer.title}" with {contact.name}'[:200],
            account_id=account.id,
            contact_id=contact.id,
            record_type=RecordType.OFFER,
            record_id=offer.id,
            created_by_id=uow.user.id,
            assigned_to_id=offer.owner_id,
            due_at=due,
        )
    )
