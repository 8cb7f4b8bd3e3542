"""One key turns an upsell suggestion into an offer line.

The line goes on the KAM's draft offer of the account that is not yet approved (the primary
one first, then the newest: a line would undo an approval given), or on a new "Upsell"
opportunity and offer (valid 30 days, starting the first of next month) when there is none. A
SKU already on the offer gets the suggested quantity added to its line, so choosing a
suggestion twice never doubles a line.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.domain.sales import OfferStatus, OpportunityKind, OpportunityStage, QuoteStatus
from acctmgr.errors import InvalidInput
from acctmgr.models import Account, Offer, Opportunity, Quote, Role, Sku
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.money import line_net
from acctmgr.services.kernel.permissions import require_role, require_segment
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.key_accounts import offers
from acctmgr.services.key_accounts.offer_views import OfferView, offer_view
from acctmgr.services.sales import offer_quotes, quotes
from acctmgr.services.sales.quotes import Quantity

VALID_FOR = timedelta(days=30)


class SuggestedLineIn(BaseModel):
    sku_code: SingleLine = Field(max_length=40)
    quantity: Quantity = 1
    reason: SingleLine = Field(default="", max_length=500)  # the suggestion's sentence


@use_case("key_accounts.add_suggested_line")
def add_suggested_line(uow: UnitOfWork, account_id: int, data: SuggestedLineIn) -> OfferView:
    """Put the suggested SKU on the KAM's primary draft offer of the account (made if none)."""
    require_role(uow.user, Role.KEY_ACCOUNT_MANAGER, to="make offers")
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    sku = uow.session.scalars(select(Sku).where(Sku.code == data.sku_code)).one_or_none()
    if sku is None or sku.retired_at is not None:
        raise InvalidInput(f"{data.sku_code} is not sold any more.")
    offer, quote = _draft_offer(uow, account)
    line = next(
        (line for line in quote.lines if line.sku_version_id == sku.current_version_id), None
    )
    if line is not None:
        line.quantity += data.quantity
        line.net_minor = line_net(line.list_price_minor, line.quantity, line.discount_pct)
    else:
        offer_quotes.add_sku(uow, quote, sku.id, data.quantity)  # at any agreed price
    quotes.content_changed(uow, quote)
    audit.record(
        uow, RecordType.OFFER, offer.id, "suggestion_taken", {"sku": sku.code, "why": data.reason}
    )
    return offer_view(uow, offer.id)


def _draft_offer(uow: UnitOfWork, account: Account) -> tuple[Offer, Quote]:
    found = uow.session.execute(
        select(Offer, Quote)
        .join(Quote, Quote.offer_id == Offer.id)
        .join(Opportunity, Opportunity.id == Offer.opportunity_id)
        .where(
            Offer.account_id == account.id,
            Offer.owner_id == uow.user.id,
            Offer.status == OfferStatus.DRAFT,
            # Not yet approved: a line added to an approved offer would undo its approval.
            Quote.status.in_((QuoteStatus.DRAFT, QuoteStatus.REJECTED)),
            Opportunity.stage != OpportunityStage.CLOSED,
        )
        .order_by(Offer.is_primary.desc(), Offer.id.desc())
        .limit(1)
    ).first()
    if found is not None:
        return found[0], found[1]
    today = uow.now.date()
    opportunity = offers.opened(
        uow,
        offers.OpportunityIn(
            account_id=account.id, name=f"Upsell: {account.name}"[:200], kind=OpportunityKind.UPSELL
        ),
    )
    opportunity.stage = OpportunityStage.PROPOSAL  # an offer is on it from the start
    first_of_next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return offers.draft_offer(
        uow,
        opportunity,
        account,
        offers.NewOfferIn(
            title="Upsell", valid_until=today + VALID_FOR, starts_on=first_of_next_month
        ),
    )
