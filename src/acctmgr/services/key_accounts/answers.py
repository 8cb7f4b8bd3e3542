"""The customer's answer to an offer: accepted, making the contract, or declined.

Accepting records who accepted, when, how, and the SHA-256 of the offer document they saw; in
the same transaction the opportunity's other offers are declined ("another offer was
accepted"), the opportunity closes won, and the contract is made from the accepted quote,
rendered and e-mailed to the customer's signer, and Customer Services are told (e-mail, and
My day) to collect the signatures. Two sessions accepting two offers of one opportunity at once
are taken one after the other on the opportunity's row: the second is refused with a sentence.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy import select, update

from acctmgr.domain.contracts import ContractStatus
from acctmgr.domain.records import RecordType
from acctmgr.domain.sales import (
    ANOTHER_ACCEPTED,
    DECLINE_REASONS,
    AcceptanceMethod,
    CloseOutcome,
    OfferStatus,
)
from acctmgr.errors import InvalidInput
from acctmgr.models import (
    Account,
    Contact,
    Contract,
    Document,
    Offer,
    OfferAcceptance,
    Opportunity,
    Quote,
    QuoteStatus,
    Role,
    User,
    UserRole,
)
from acctmgr.services.accounts import billing_details
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.contracts import contract_documents
from acctmgr.services.contracts.from_quote import contract_from_quote
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.key_accounts.offer_views import (
    OfferView,
    offer_record,
    offer_view,
    require_owner,
)
from acctmgr.services.key_accounts.sending import close_reminders
from acctmgr.services.mail import outbox
from acctmgr.services.sales import opportunities

OPEN = (OfferStatus.DRAFT, OfferStatus.PRESENTED, OfferStatus.SENT)


class AcceptIn(BaseModel):
    contact_id: int  # who at the customer accepted
    accepted_on: date
    method: AcceptanceMethod
    signer_id: int  # who signs the contract for the customer (receives it)


class DeclineIn(BaseModel):
    reason: SingleLine


@use_case("key_accounts.accept_offer")
def accept_offer(
    uow: UnitOfWork, offer_id: int, expected_version: int, data: AcceptIn
) -> OfferView:
    """Record the customer's acceptance and make the contract (see the module's docstring).

    Refused: an offer not sent (the customer saw no document), expired, declined, or beaten by
    another accepted offer of its opportunity; a date in the future or before it was sent; a
    signer without an e-mail address; billing details the contract cannot go out with.
    """
    offer, quote, account = offer_record(uow, offer_id)
    require_owner(uow, offer)
    # The opportunity's row, locked, orders concurrent acceptances of its offers.
    opportunity = uow.session.get(Opportunity, offer.opportunity_id, with_for_update=True)
    assert opportunity is not None
    uow.session.refresh(offer)
    accepted = uow.session.scalar(
        select(Offer).where(
            Offer.opportunity_id == opportunity.id, Offer.status == OfferStatus.ACCEPTED
        )
    )
    if accepted is not None:
        raise InvalidInput(
            f'The customer already accepted the offer "{accepted.title}" of this opportunity.'
        )
    uow.expect_version(offer, expected_version, "offer")
    _check_acceptable(uow, offer, data)
    seen = _document_seen(uow, offer)
    signer = _contact(uow, account, data.signer_id, "signer_id")
    if not signer.email:
        raise InvalidInput(
            f"{signer.name} has no e-mail address to send the contract to.", field="signer_id"
        )
    accepted_by = _contact(uow, account, data.contact_id, "contact_id")
    billing_details.check_before_sending(uow, account, quote.territory, "contract")
    for other in _other_open_offers(uow, offer):
        _decline(uow, other, ANOTHER_ACCEPTED)
    # Every other quote of the opportunity is done with (declined or expired offers' too),
    # so the accepted one is the opportunity's quote when it closes.
    for quote_of_other in uow.session.scalars(
        select(Quote).where(
            Quote.opportunity_id == opportunity.id,
            Quote.id != quote.id,
            Quote.status != QuoteStatus.SUPERSEDED,
        )
    ):
        quote_of_other.status = QuoteStatus.SUPERSEDED
    uow.session.flush()
    # Closed won while the quote is still as approved (the rule ``opportunities.close`` holds);
    # the other offers' quotes are superseded, so this one is the opportunity's quote.
    opportunities.close(uow, opportunity, CloseOutcome.WON, f'Offer "{offer.title}" accepted')
    # The accepted offer is the opportunity's primary one from now on (as Salesforce syncs
    # the accepted quote); the one primary before is no longer.
    uow.session.execute(
        update(Offer)
        .where(Offer.opportunity_id == opportunity.id, Offer.id != offer.id, Offer.is_primary)
        .values(is_primary=False, version=Offer.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    offer.is_primary = True
    offer.status = OfferStatus.ACCEPTED
    offer.answered_at = uow.now
    quote.status = QuoteStatus.ACCEPTED
    uow.session.flush()
    close_reminders(uow, offer, "Done: the customer accepted the offer")
    uow.add(
        OfferAcceptance(
            offer_id=offer.id,
            contact_id=accepted_by.id,
            accepted_on=data.accepted_on,
            method=data.method,
            document_id=seen.id,
            document_sha256=seen.sha256,
            quote_version=quote.version,
            net_total_minor=quote.net_total_minor,
            recorded_by_id=uow.user.id,
        )
    )
    contract = _contract(uow, offer, quote)
    contract_documents.issue_contract(uow, contract, quote, signer)
    _tell_customer_services(uow, contract, account)
    audit.record(
        uow,
        RecordType.OFFER,
        offer.id,
        "accepted",
        {
            "by": accepted_by.name,
            "method": data.method.value,
            "sha256": seen.sha256,
            "contract": contract.number,
        },
    )
    return offer_view(uow, offer.id)


@use_case("key_accounts.decline_offer")
def decline_offer(
    uow: UnitOfWork, offer_id: int, expected_version: int, data: DeclineIn
) -> OfferView:
    """The customer turned the offer down, for one of the reasons in ``DECLINE_REASONS``."""
    offer, _, _ = offer_record(uow, offer_id)
    require_owner(uow, offer)
    uow.expect_version(offer, expected_version, "offer")
    if offer.status not in OPEN:
        raise InvalidInput(f"This offer was already {offer.status.value}.")
    reasons = [reason for reason in DECLINE_REASONS if reason != ANOTHER_ACCEPTED]
    if data.reason not in reasons:
        raise InvalidInput("Choose why the customer declined from the list.", field="reason")
    _decline(uow, offer, data.reason)
    uow.session.flush()
    return offer_view(uow, offer.id)


def _decline(uow: UnitOfWork, offer: Offer, reason: str) -> None:
    offer.status = OfferStatus.DECLINED
    offer.answered_at = uow.now
    offer.decline_reason = reason
    quote = uow.session.scalars(select(Quote).where(Quote.offer_id == offer.id)).one()
    request = approval_requests.open_request(uow, RecordType.QUOTE, quote.id)
    if request is not None:
        approval_requests.recall_request(uow, request)
    # Done with: never sent again, never edited, never the opportunity's quote.
    quote.status = QuoteStatus.SUPERSEDED
    close_reminders(uow, offer, f"Cancelled: the offer was declined ({reason})")
    audit.record(uow, RecordType.OFFER, offer.id, "declined", {"reason": reason})


def _check_acceptable(uow: UnitOfWork, offer: Offer, data: AcceptIn) -> None:
    today = uow.now.date()
    if offer.status is OfferStatus.EXPIRED or (offer.valid_until and offer.valid_until < today):
        raise InvalidInput("This offer has expired; make a new one (clone it) to accept.")
    if offer.status is OfferStatus.DECLINED:
        raise InvalidInput(f"This offer was declined ({offer.decline_reason}).")
    if offer.status is not OfferStatus.SENT or offer.sent_at is None:
        raise InvalidInput("Send the offer first: the customer accepts what they were sent.")
    if data.accepted_on > today:
        raise InvalidInput("The acceptance date cannot be in the future.", field="accepted_on")
    if data.accepted_on < offer.sent_at.date():
        raise InvalidInput(
            "The acceptance date cannot be before the offer was sent.", field="accepted_on"
        )


def _document_seen(uow: UnitOfWork, offer: Offer) -> Document:
    """The offer's PDF as last sent: what the customer saw."""
    document = uow.session.scalar(
        select(Document)
        .where(
            Document.record_type == RecordType.OFFER,
            Document.record_id == offer.id,
            Document.media_type == "application/pdf",
        )
        .order_by(Document.id.desc())
        .limit(1)
    )
    if document is None:
        raise InvalidInput("Send the offer first: the customer accepts what they were sent.")
    return document


def _contact(uow: UnitOfWork, account: Account, contact_id: int, field: str) -> Contact:
    contact = uow.session.get(Contact, contact_id)
    if contact is None or contact.account_id != account.id:
        raise InvalidInput("Choose a contact of this account.", field=field)
    return contact


def _other_open_offers(uow: UnitOfWork, offer: Offer) -> list[Offer]:
    return list(
        uow.session.scalars(
            select(Offer).where(
                Offer.opportunity_id == offer.opportunity_id,
                Offer.id != offer.id,
                Offer.status.in_(OPEN),
            )
        )
    )


def _contract(uow: UnitOfWork, offer: Offer, quote: Quote) -> Contract:
    """The contract, as accepted (the quote's start, term, notice, value and territory, the
    renewal the offer promised), out for signature from the start."""
    return contract_from_quote(
        uow,
        quote,
        status=ContractStatus.SENT_FOR_SIGNATURE,
        renewal_type=offer.renewal_type,
        supersedes_id=offer.renews_contract_id,
        territory=quote.territory,
    )


def _tell_customer_services(uow: UnitOfWork, contract: Contract, account: Account) -> None:
    """E-mail every active Customer Services user (they serve every segment)."""
    people = uow.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.CUSTOMER_SERVICES, User.active, User.email != "")
        .order_by(User.id)
    ).all()
    if not people:
        return
    outbox.queue_email(
        uow,
        to=[person.email for person in people],
        subject=f"Contract {contract.number} for {account.name}: collect the signatures",
        body_text=(
            f"{uow.user.name} recorded the customer's acceptance of an offer to {account.name}.\n\n"
            f"Contract {contract.number} went to the customer's signer for signature. Check its "
            "data, record both signatures, attach the signed document and finalise it in "
            "acctmgr (My day: Contracts to finalise)."
        ),
        record=(RecordType.CONTRACT, contract.id),
    )
