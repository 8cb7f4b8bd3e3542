"""What the offer wizard shows: an offer with its quote and where it stands, and the offers of
an opportunity side by side."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from acctmgr.domain.contracts import ContractStatus, RenewalType
from acctmgr.domain.records import RecordType
from acctmgr.domain.sales import OfferStatus
from acctmgr.errors import PermissionDenied
from acctmgr.models import (
    Account,
    Contact,
    Contract,
    Offer,
    OfferAcceptance,
    Opportunity,
    Quote,
    User,
)
from acctmgr.services.kernel import drafts
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.kernel.wizards import CURRENT
from acctmgr.services.key_accounts.wizard import OFFER_WIZARD, OfferStage, holder_ids, stage_of
from acctmgr.services.sales.quote_views import QuoteView, quote_view_of


class ContactChoice(ReadModel):
    id: int
    name: str
    title: str
    email: str


class StageState(ReadModel):
    key: str
    label: str
    state: str
    holder: str


class OfferSummary(ReadModel):
    """One offer of an opportunity, as the list of alternatives shows it."""

    id: int
    title: str
    status: OfferStatus
    is_primary: bool
    valid_until: date | None
    quote_number: str
    net_total_minor: int
    currency: str
    stage: OfferStage


class OfferView(ReadModel):
    id: int
    version: int
    title: str
    status: OfferStatus
    is_primary: bool
    valid_until: date | None
    template: str
    renewal_type: RenewalType
    cover_text: str
    sent_at: datetime | None
    answered_at: datetime | None
    decline_reason: str
    account_id: int
    account_name: str
    opportunity_id: int
    opportunity_name: str
    opportunity_version: int
    owner_name: str
    quote: QuoteView
    contacts: list[ContactChoice]
    alternatives: list[OfferSummary]  # every offer of the opportunity, this one included
    accepted_on: date | None
    contract_id: int | None
    contract_number: str | None
    contract_status: ContractStatus | None
    stage: OfferStage
    stages: list[StageState]
    holder: str
    mine: bool  # the signed-in user holds the current stage
    owned: bool  # the signed-in user is the offer's KAM
    draft: dict[str, str]


def offer_record(uow: UnitOfWork, offer_id: int) -> tuple[Offer, Quote, Account]:
    """The offer, its quote and its account, once the user may see the account's segment."""
    offer = uow.get(Offer, offer_id, "offer")
    account = uow.get(Account, offer.account_id, "account")
    require_segment(uow.user, account.segment_id, what="offer")
    quote = uow.session.scalars(select(Quote).where(Quote.offer_id == offer.id)).one()
    return offer, quote, account


def contract_of(uow: UnitOfWork, quote: Quote) -> Contract | None:
    """The contract made from the offer's quote once it was accepted."""
    return uow.session.scalar(
        select(Contract).where(Contract.quote_id == quote.id).order_by(Contract.id.desc()).limit(1)
    )


@use_case("key_accounts.offer", write=False)
def get_offer(uow: UnitOfWork, offer_id: int) -> OfferView:
    """An offer as the wizard shows it (PermissionDenied outside the user's segment)."""
    return offer_view(uow, offer_id)


def offer_view(uow: UnitOfWork, offer_id: int) -> OfferView:
    offer, quote, account = offer_record(uow, offer_id)
    opportunity = uow.get(Opportunity, offer.opportunity_id or 0, "opportunity")
    contract = contract_of(uow, quote)
    stage = stage_of(uow, offer, quote, contract)
    holders = holder_ids(uow, offer, quote, stage)
    names = dict(
        uow.session.execute(
            select(User.id, User.name).where(User.id.in_(holders | {offer.owner_id}))
        ).all()
    )
    holder = _holder_words(offer, stage, holders, names)
    stopped = offer.status in (OfferStatus.DECLINED, OfferStatus.EXPIRED)
    progress = OFFER_WIZARD.progress(
        stage,
        finished=stage is OfferStage.FULFILMENT and not holders,
        stopped=stopped,
        holder=lambda spec: (
            f"{offer.status.value}"
            if stopped and spec.key == stage
            else holder
            if spec.key == stage
            else names.get(offer.owner_id, spec.holder)
            if spec.holder == "Key Account Manager"
            else spec.holder
        ),
    )
    acceptance = uow.session.scalar(
        select(OfferAcceptance).where(OfferAcceptance.offer_id == offer.id)
    )
    contacts = uow.session.scalars(
        select(Contact).where(Contact.account_id == account.id).order_by(Contact.name, Contact.id)
    ).all()
    return OfferView(
        id=offer.id,
        version=offer.version,
        title=offer.title,
        status=offer.status,
        is_primary=offer.is_primary,
        valid_until=offer.valid_until,
        template=offer.template,
        renewal_type=offer.renewal_type,
        cover_text=offer.cover_text,
        sent_at=offer.sent_at,
        answered_at=offer.answered_at,
        decline_reason=offer.decline_reason,
        account_id=account.id,
        account_name=account.name,
        opportunity_id=opportunity.id,
        opportunity_name=opportunity.name,
        opportunity_version=opportunity.version,
        owner_name=names.get(offer.owner_id, ""),
        quote=quote_view_of(uow, quote),
        contacts=[
            ContactChoice(id=c.id, name=c.name, title=c.title, email=c.email) for c in contacts
        ],
        alternatives=alternatives(uow, opportunity.id),
        accepted_on=acceptance.accepted_on if acceptance else None,
        contract_id=contract.id if contract else None,
        contract_number=contract.number if contract else None,
        contract_status=contract.status if contract else None,
        stage=stage,
        stages=[
            StageState(key=p.key, label=p.label, state=p.state, holder=p.holder) for p in progress
        ],
        holder=holder,
        mine=uow.user.id in holders,
        owned=uow.user.id == offer.owner_id,
        draft=drafts.drafted(uow, RecordType.OFFER, offer.id, stage.value),
    )


def current_stage(view: OfferView) -> StageState | None:
    return next((each for each in view.stages if each.state == CURRENT), None)


def alternatives(uow: UnitOfWork, opportunity_id: int) -> list[OfferSummary]:
    """Every offer of the opportunity, the primary first, then in the order they were made."""
    rows = uow.session.execute(
        select(Offer, Quote)
        .join(Quote, Quote.offer_id == Offer.id)
        .where(Offer.opportunity_id == opportunity_id)
        .order_by(Offer.is_primary.desc(), Offer.id)
    ).all()
    return [
        OfferSummary(
            id=offer.id,
            title=offer.title,
            status=offer.status,
            is_primary=offer.is_primary,
            valid_until=offer.valid_until,
            quote_number=quote.number,
            net_total_minor=quote.net_total_minor,
            currency=quote.currency,
            stage=stage_of(uow, offer, quote, contract_of(uow, quote)),
        )
        for offer, quote in rows
    ]


def _holder_words(offer: Offer, stage: OfferStage, holders: set[int], names: dict[int, str]) -> str:
    if offer.status in (OfferStatus.DECLINED, OfferStatus.EXPIRED):
        return offer.status.value
    if stage in (OfferStage.SIGNATURES, OfferStage.FULFILMENT):
        return "Customer Services" if holders or stage is OfferStage.SIGNATURES else "ordered"
    return ", ".join(sorted(names.get(each, "") for each in holders)) or "nobody"


def require_owner(uow: UnitOfWork, offer: Offer) -> None:
    if offer.owner_id != uow.user.id:
        raise PermissionDenied("Only the offer's Key Account Manager can do this.")
