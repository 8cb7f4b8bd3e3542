"""Designing offers: an opportunity on a key account, and its alternative offers.

An opportunity holds one or more alternative offers, each a quote of its own with a validity
date and an offer template; one of them is primary at a time (as Salesforce's primary quote),
held by a unique index. An offer starts from a catalogue package, the account's current
package, another offer or an earlier quote of the account, or empty; its lines are then
changed in the quote editor under the catalogue's rules. Saving the offer's package for the
account, and the prices agreed with it, live with the quotes (``sales``).
"""

from __future__ import annotations

import enum
from datetime import date

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select, update

from acctmgr.domain.contracts import RenewalType
from acctmgr.domain.sales import OfferStatus, OpportunityKind, OpportunityStage
from acctmgr.errors import InvalidInput, NotFound
from acctmgr.models import Account, AccountPackage, Offer, Opportunity, Package, Quote, Role
from acctmgr.services.documents import rendering
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.permissions import require_role, require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.terms import check_notice_within_term
from acctmgr.services.kernel.text_fields import FreeText, SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.key_accounts.offer_views import (
    OfferView,
    offer_record,
    offer_view,
    require_owner,
)
from acctmgr.services.sales import offer_quotes, quotes
from acctmgr.services.sales.quotes import NoticeDays, TermMonths

OFFER_KINDS = (OpportunityKind.NEW_BUSINESS, OpportunityKind.UPSELL, OpportunityKind.RENEWAL)
MAX_COVER = 2000  # characters: a cover text is a few lines above the attached offer


class StartFrom(enum.StrEnum):
    """Where a new offer's lines come from."""

    EMPTY = "empty"
    PACKAGE = "package"  # a catalogue package (or one saved for the account)
    CURRENT = "current"  # what the account holds now
    OFFER = "offer"  # another offer of the account
    QUOTE = "quote"  # an earlier quote of the account


class OpportunityIn(BaseModel):
    account_id: int
    name: SingleLine = Field(max_length=200)
    kind: OpportunityKind = OpportunityKind.UPSELL
    expected_close_on: date | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("give the opportunity a name the customer would recognise")
        return value.strip()


class OfferTermsIn(BaseModel):
    """What an offer says beside its lines."""

    title: SingleLine = Field(max_length=200)
    valid_until: date
    renewal_type: RenewalType = RenewalType.STANDING_ORDER
    template: SingleLine = Field(default="offer.html.j2", max_length=80)

    @field_validator("title")
    @classmethod
    def _titled(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("give the offer a title the customer will read")
        return value.strip()


class NewOfferIn(OfferTermsIn):
    starts_on: date
    term_months: TermMonths = 12
    notice_days: NoticeDays = 60
    start_from: StartFrom = StartFrom.EMPTY
    source_id: int | None = None  # the package, offer or quote it starts from


class NewOfferResult(ReadModel):
    offer: OfferView
    left_out: list[str]  # SKUs of the starting point no longer sold, so not on the offer


class CoverIn(BaseModel):
    cover_text: FreeText = Field(default="", max_length=MAX_COVER)


@use_case("key_accounts.open_opportunity")
def open_opportunity(uow: UnitOfWork, data: OpportunityIn) -> int:
    """A Key Account Manager's opportunity on an account of their segment; returns its id."""
    return opened(uow, data).id


def opened(uow: UnitOfWork, data: OpportunityIn) -> Opportunity:
    """The new opportunity, as ``open_opportunity`` makes it (for the callers in this area)."""
    require_role(uow.user, Role.KEY_ACCOUNT_MANAGER, to="open an offer opportunity")
    account = uow.get(Account, data.account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    if data.kind not in OFFER_KINDS:
        raise InvalidInput("A rate reduction is asked for with a retention case.", field="kind")
    if data.expected_close_on is not None and data.expected_close_on < uow.now.date():
        raise InvalidInput("The expected close cannot be in the past.", field="expected_close_on")
    return uow.add(
        Opportunity(
            account_id=account.id,
            owner_id=uow.user.id,
            name=data.name,
            kind=data.kind,
            stage=OpportunityStage.QUALIFYING,
            currency=account.currency,
            expected_close_on=data.expected_close_on,
        )
    )


@use_case("key_accounts.new_offer")
def new_offer(
    uow: UnitOfWork, opportunity: int | OpportunityIn, data: NewOfferIn
) -> NewOfferResult:
    """A draft offer on the opportunity (an id, or a new one opened in the same transaction),
    its quote started from ``data.start_from``.

    Only the opportunity's owner, on an open opportunity; the validity and the start cannot be
    in the past; the notice must be shorter than the term; the template is an offer template.
    The first offer of an opportunity is its primary one.
    """
    _check_terms(uow, data)
    if data.starts_on < uow.now.date():
        raise InvalidInput("An offer cannot start in the past.", field="starts_on")
    check_notice_within_term(data.term_months, data.notice_days)
    if isinstance(opportunity, OpportunityIn):
        opportunity = opened(uow, opportunity).id
    found = _open_opportunity(uow, opportunity)
    account = uow.get(Account, found.account_id, "account")
    offer, quote = draft_offer(uow, found, account, data)
    left_out = _start_lines(uow, quote, account, data)
    quotes.total(quote)
    if found.stage is OpportunityStage.QUALIFYING:
        found.stage = OpportunityStage.PROPOSAL
    uow.session.flush()
    return NewOfferResult(offer=offer_view(uow, offer.id), left_out=left_out)


def draft_offer(
    uow: UnitOfWork, opportunity: Opportunity, account: Account, data: NewOfferIn
) -> tuple[Offer, Quote]:
    """A draft offer on the (locked) opportunity with its numbered quote, without lines; the
    opportunity's first offer is its primary one."""
    first = not uow.session.scalar(
        select(Offer.id).where(Offer.opportunity_id == opportunity.id).limit(1)
    )
    offer = uow.add(
        Offer(
            account_id=account.id,
            opportunity_id=opportunity.id,
            owner_id=uow.user.id,
            title=data.title,
            status=OfferStatus.DRAFT,
            valid_until=data.valid_until,
            template=data.template,
            renewal_type=data.renewal_type,
            is_primary=first,
        )
    )
    quote = offer_quotes.draft_quote(
        uow,
        account,
        opportunity_id=opportunity.id,
        offer_id=offer.id,
        starts_on=data.starts_on,
        term_months=data.term_months,
        notice_days=data.notice_days,
    )
    return offer, quote


@use_case("key_accounts.update_offer")
def update_offer(
    uow: UnitOfWork, offer_id: int, expected_version: int, data: OfferTermsIn
) -> OfferView:
    """Change a draft offer's title, validity, renewal type or template (its owner only)."""
    offer = _draft_offer(uow, offer_id, expected_version)
    _check_terms(uow, data)
    offer.title = data.title
    offer.valid_until = data.valid_until
    offer.renewal_type = data.renewal_type
    offer.template = data.template
    uow.session.flush()
    return offer_view(uow, offer.id)


@use_case("key_accounts.keep_cover_text")
def keep_cover_text(
    uow: UnitOfWork, offer_id: int, expected_version: int, data: CoverIn
) -> OfferView:
    """Keep the short text the offer's e-mail opens with."""
    offer, _, _ = offer_record(uow, offer_id)
    require_owner(uow, offer)
    uow.expect_version(offer, expected_version, "offer")
    offer.cover_text = data.cover_text.strip()
    uow.session.flush()
    return offer_view(uow, offer.id)


@use_case("key_accounts.make_primary")
def make_primary(uow: UnitOfWork, offer_id: int, expected_version: int) -> OfferView:
    """Make this offer the opportunity's primary one; the one that was primary no longer is.

    The database holds one primary offer per opportunity, so two sessions doing this at once
    cannot leave two (the second gets a conflict).
    """
    offer, _, _ = offer_record(uow, offer_id)
    require_owner(uow, offer)
    # The opportunity's row, locked, orders two sessions choosing its primary offer.
    uow.session.get(Opportunity, offer.opportunity_id, with_for_update=True)
    uow.session.refresh(offer)
    uow.expect_version(offer, expected_version, "offer")
    if offer.status in (OfferStatus.DECLINED, OfferStatus.EXPIRED):
        raise InvalidInput(f"This offer was {offer.status.value}; it cannot be the primary one.")
    uow.session.execute(
        update(Offer)
        .where(Offer.opportunity_id == offer.opportunity_id, Offer.id != offer.id, Offer.is_primary)
        .values(is_primary=False, version=Offer.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    offer.is_primary = True
    uow.session.flush()
    audit.record(uow, offer.RECORD, offer.id, "made_primary", {})
    return offer_view(uow, offer.id)


# The templates an offer may be written with (as Odoo's quotation templates), in words.
OFFER_TEMPLATES = {
    "offer.html.j2": "Offer: one page of lines and the total",
    "offer_proposal.html.j2": "Proposal: the cover text, the terms, then the lines",
}


def offer_templates() -> list[str]:
    """The shipped offer templates (an admin may edit each; see ``documents.templates``)."""
    shipped = set(rendering.shipped_names())
    return [name for name in OFFER_TEMPLATES if name in shipped]


def _check_terms(uow: UnitOfWork, data: OfferTermsIn) -> None:
    if data.valid_until < uow.now.date():
        raise InvalidInput("An offer's validity cannot end in the past.", field="valid_until")
    if data.template not in offer_templates():
        raise InvalidInput(
            f"Choose one of the offer templates: {', '.join(offer_templates())}.",
            field="template",
        )


def _open_opportunity(uow: UnitOfWork, opportunity_id: int) -> Opportunity:
    # Locked: offers added to one opportunity at once are numbered and made primary in turn.
    opportunity = uow.session.get(Opportunity, opportunity_id, with_for_update=True)
    if opportunity is None:
        raise NotFound(f"There is no opportunity with number {opportunity_id}.")
    account = uow.get(Account, opportunity.account_id, "account")
    require_segment(uow.user, account.segment_id, what="opportunity")
    if opportunity.owner_id != uow.user.id:
        raise InvalidInput("Only the opportunity's owner can add offers to it.")
    if opportunity.stage is OpportunityStage.CLOSED:
        raise InvalidInput("This opportunity is closed.")
    if opportunity.kind not in OFFER_KINDS:
        raise InvalidInput("A rate reduction's quote is built in its retention case.")
    return opportunity


def _draft_offer(uow: UnitOfWork, offer_id: int, expected_version: int) -> Offer:
    offer, _, _ = offer_record(uow, offer_id)
    require_owner(uow, offer)
    uow.expect_version(offer, expected_version, "offer")
    if offer.status is not OfferStatus.DRAFT:
        raise InvalidInput(
            f"This offer was {offer.status.value} and can no longer change; clone it instead."
        )
    return offer


def _start_lines(uow: UnitOfWork, quote: Quote, account: Account, data: NewOfferIn) -> list[str]:
    """The new quote's first lines, from where the offer starts; the SKUs left out."""
    source = data.start_from
    if source is StartFrom.EMPTY:
        return []
    if source is StartFrom.CURRENT:
        return offer_quotes.from_holdings(uow, quote)
    if data.source_id is None:
        raise InvalidInput(f"Choose the {source.value} the offer starts from.", field="source_id")
    if source is StartFrom.PACKAGE:
        package = uow.get(Package, data.source_id, "package")
        owner = uow.session.scalar(
            select(AccountPackage.account_id).where(AccountPackage.package_id == package.id)
        )
        if owner is not None and owner != account.id:
            raise InvalidInput("That package belongs to another account.", field="source_id")
        if package.retired_at is not None:
            raise InvalidInput(f"The package {package.code} is retired.", field="source_id")
        return offer_quotes.from_package(uow, quote, package)
    if source is StartFrom.OFFER:
        other = uow.get(Offer, data.source_id, "offer")
        earlier = uow.session.scalars(select(Quote).where(Quote.offer_id == other.id)).one()
    else:
        earlier = uow.get(Quote, data.source_id, "quote")
    if earlier.account_id != account.id:
        raise InvalidInput(f"That {source.value} belongs to another account.", field="source_id")
    return offer_quotes.copy_lines(uow, earlier, quote)
