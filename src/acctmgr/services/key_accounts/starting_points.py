"""What a new offer can start from, and which opportunity it can belong to, for one account."""

from __future__ import annotations

from sqlalchemy import select

from acctmgr.domain.sales import OpportunityStage
from acctmgr.models import Account, AccountPackage, Offer, Opportunity, Package, Quote
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.key_accounts.offers import OFFER_KINDS, StartFrom, offer_templates

RECENT = 20  # earlier offers and quotes offered as a starting point, newest first


class Choice(ReadModel):
    label: str
    value: str  # "empty", "current", or "<kind>:<id>" (package, offer, quote)


class OfferStarts(ReadModel):
    account_name: str
    opportunities: list[Choice]  # the user's open offer opportunities on the account
    starts: list[Choice]
    templates: list[str]


@use_case("key_accounts.offer_starts", write=False)
def offer_starts(uow: UnitOfWork, account_id: int) -> OfferStarts:
    """The opportunities and starting points a new offer on the account may have."""
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    opportunities = uow.session.scalars(
        select(Opportunity)
        .where(
            Opportunity.account_id == account.id,
            Opportunity.owner_id == uow.user.id,
            Opportunity.stage != OpportunityStage.CLOSED,
            Opportunity.kind.in_(OFFER_KINDS),
        )
        .order_by(Opportunity.id.desc())
    ).all()
    starts = [
        Choice(label="Empty", value=StartFrom.EMPTY.value),
        Choice(label="What the account holds now", value=StartFrom.CURRENT.value),
    ]
    # The catalogue's packages and this account's own, never another account's.
    others = select(AccountPackage.package_id).where(AccountPackage.account_id != account.id)
    packages = uow.session.scalars(
        select(Package)
        .where(Package.retired_at.is_(None), Package.id.not_in(others))
        .order_by(Package.code)
    ).all()
    starts += [
        Choice(label=f"Package {p.code}: {p.name}", value=f"{StartFrom.PACKAGE.value}:{p.id}")
        for p in packages
    ]
    offers = uow.session.execute(
        select(Offer.id, Offer.title, Quote.number)
        .join(Quote, Quote.offer_id == Offer.id)
        .where(Offer.account_id == account.id)
        .order_by(Offer.id.desc())
        .limit(RECENT)
    ).all()
    starts += [
        Choice(label=f"Offer {title} ({number})", value=f"{StartFrom.OFFER.value}:{offer_id}")
        for offer_id, title, number in offers
    ]
    quotes = uow.session.execute(
        select(Quote.id, Quote.number, Quote.status)
        .where(Quote.account_id == account.id, Quote.offer_id.is_(None))
        .order_by(Quote.id.desc())
        .limit(RECENT)
    ).all()
    starts += [
        Choice(label=f"Quote {number} ({status.value})", value=f"{StartFrom.QUOTE.value}:{qid}")
        for qid, number, status in quotes
    ]
    return OfferStarts(
        account_name=account.name,
        opportunities=[Choice(label=o.name, value=str(o.id)) for o in opportunities],
        starts=starts,
        templates=offer_templates(),
    )
