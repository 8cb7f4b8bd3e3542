"""A key account with its KAM, Customer Services, a small catalogue, and offers on the way to
a contract, made through the use cases (tests of the offer wizard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from acctmgr.domain.approvals import Decision
from acctmgr.domain.contracts import RenewalType
from acctmgr.domain.sales import AcceptanceMethod
from acctmgr.models import Role
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import ContactIn
from acctmgr.services.approvals import decisions, inbox
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts import answers, managers, offers, sending
from acctmgr.services.key_accounts.offer_views import OfferView, get_offer
from acctmgr.services.sales import quote_builder
from tests import factories
from tests.quote_support import Catalogue, catalogue, new_customer

STARTS = date(2027, 1, 1)


@dataclass(frozen=True)
class KeyAccount:
    account_id: int
    signer_id: int  # Kim Signer, with an e-mail address
    silent_id: int  # Pat Phone, without one
    opportunity_id: int
    shop: Catalogue


def hire(admin: Context) -> None:
    """A KAM in SMB and a Customer Services user, beside the conftest staff."""
    factories.hire(
        admin,
        ("kam", "Kai Keyaccount", "SMB", Role.KEY_ACCOUNT_MANAGER),
        ("custsvc", "Cleo Service", None, Role.CUSTOMER_SERVICES),
    )


def key_account(admin: Context) -> KeyAccount:
    """Nova GmbH managed by ``kam``, with two contacts and an open upsell opportunity."""
    hire(admin)
    shop = catalogue(admin, starter_pack=False)
    account_id = new_customer(admin)
    signer = account_service.add_contact(
        admin, account_id, ContactIn(name="Kim Signer", title="CEO", email="kim@nova.example")
    )
    silent = account_service.add_contact(admin, account_id, ContactIn(name="Pat Phone"))
    version = account_service.get_account(admin, account_id).version
    managers.assign_manager(admin, account_id, version, "kam")
    opportunity_id = offers.open_opportunity(
        admin.as_user("kam"), offers.OpportunityIn(account_id=account_id, name="More analytics")
    )
    return KeyAccount(account_id, signer.id, silent.id, opportunity_id, shop)


def new_offer(
    kam: Context, acct: KeyAccount, title: str = "Analytics plus", *, discount: str = "10"
) -> OfferView:
    """A draft offer of the platform (at ``discount``) and a workshop, valid for a month."""
    result = offers.new_offer(
        kam,
        acct.opportunity_id,
        offers.NewOfferIn(
            title=title,
            valid_until=kam.clock.now().date() + timedelta(days=30),
            starts_on=STARTS,
            renewal_type=RenewalType.FIXED_TERM,
        ),
    )
    quote = result.offer.quote
    quote = quote_builder.add_catalogue_line(
        kam,
        quote.id,
        quote.version,
        quote_builder.CatalogueLineIn(sku_id=acct.shop.platform, quantity=2, discount_pct=discount),
    )
    quote = quote_builder.add_catalogue_line(
        kam, quote.id, quote.version, quote_builder.CatalogueLineIn(sku_id=acct.shop.workshop)
    )
    return get_offer(kam, result.offer.id)


def approve_all(admin: Context, quote_number: str, logins: tuple[str, ...] = ("finance",)) -> None:
    """Every pending approval of the quote in these people's inboxes, approved."""
    for login in logins:
        person = admin.as_user(login)
        for row in inbox.inbox(person):
            if quote_number in row.record_label:
                decisions.decide(person, row.approval_id, Decision.APPROVE)


def sent_offer(kam: Context, acct: KeyAccount, title: str = "Analytics plus") -> OfferView:
    offer = new_offer(kam, acct, title)
    offer = sending.submit_offer(kam, offer.id, offer.version)
    return sending.send_offer(
        kam, offer.id, offer.version, sending.SendOfferIn(contact_ids=[acct.signer_id])
    )


def accept(kam: Context, acct: KeyAccount, offer: OfferView) -> OfferView:
    return answers.accept_offer(
        kam,
        offer.id,
        offer.version,
        answers.AcceptIn(
            contact_id=acct.signer_id,
            accepted_on=kam.clock.now().date(),
            method=AcceptanceMethod.EMAIL,
            signer_id=acct.signer_id,
        ),
    )
