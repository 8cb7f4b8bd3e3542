"""Demo data: the kam persona's key accounts stand at every stage of the offer wizard, and each
stage's holder finds its work in My day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.demo.offer_steps import signed_pdf
from acctmgr.demo.seed import MIN_ACCOUNTS, seed_demo
from acctmgr.domain.contracts import ContractStatus
from acctmgr.domain.records import RecordType
from acctmgr.models import (
    Account,
    Activity,
    ActivityKind,
    AgreedPrice,
    Document,
    Offer,
    OfferAcceptance,
    OfferStatus,
    Order,
    OrderLine,
    OrderStatus,
    Subscription,
    SubscriptionStatus,
    User,
)
from acctmgr.services.approvals import inbox
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts.offer_views import OfferView, get_offer
from acctmgr.services.key_accounts.wizard import OfferStage
from acctmgr.services.my_day.day import my_day
from tests.conftest import NOW


@pytest.fixture
def seeded(database: Database) -> Database:
    seed_demo(database, accounts=MIN_ACCOUNTS, seed=7, now=NOW)
    return database


def _as(database: Database, login: str) -> Context:
    return Context(database, AdjustableClock(NOW), login)


def _offers(database: Database) -> list[OfferView]:
    with database.read_session() as session:
        ids = session.scalars(select(Offer.id).order_by(Offer.id)).all()
    kam = _as(database, "kam")
    return [get_offer(kam, offer_id) for offer_id in ids]


def test_the_kams_key_accounts_hold_an_offer_at_every_stage(seeded: Database) -> None:
    """A draft, one waiting for Finance, one approved, sent ones, two alternatives, one out for
    signature, one finalised and one declined: every stage of the wizard, all the kam's."""
    offers = _offers(seeded)
    assert {offer.stage for offer in offers} == set(OfferStage)
    with seeded.read_session() as session:
        kam_id = session.scalars(select(User.id).where(User.login == "kam")).one()
        managers = set(
            session.scalars(
                select(Account.key_account_manager_id).where(
                    Account.id.in_([offer.account_id for offer in offers])
                )
            )
        )
    assert managers == {kam_id}
    assert all(offer.owned for offer in offers)
    by_stage = {stage: [o for o in offers if o.stage is stage] for stage in OfferStage}
    (waiting,) = by_stage[OfferStage.APPROVAL]
    assert "Frank Osei" in waiting.holder  # Finance: more than 30% off
    (finalised,) = by_stage[OfferStage.FULFILMENT]
    assert finalised.contract_status is ContractStatus.ACTIVE
    (to_sign,) = by_stage[OfferStage.SIGNATURES]
    assert to_sign.contract_status is ContractStatus.SENT_FOR_SIGNATURE
    declined = [o for o in offers if o.status is OfferStatus.DECLINED]
    assert [o.decline_reason for o in declined] == ["Price too high"]
    assert declined[0].stage is OfferStage.ANSWER
    pairs = [o for o in offers if len(o.alternatives) == 2]
    assert len(pairs) == 2
    primary = next(o for o in pairs if o.is_primary)
    assert primary.status is OfferStatus.SENT
    assert next(o for o in pairs if not o.is_primary).status is OfferStatus.DRAFT


def test_sent_offers_have_reminders_and_the_rest_of_the_story_is_stored(
    seeded: Database,
) -> None:
    """Open offers sent have their follow-up reminder; answered ones had theirs closed; each
    acceptance keeps the document seen; the finalised contract has its signed PDF; a key
    account has an agreed price and some a contact cadence."""
    offers = {offer.id: offer for offer in _offers(seeded)}
    with seeded.read_session() as session:
        reminders = session.execute(
            select(Activity.record_id, Activity.done_at).where(
                Activity.record_type == RecordType.OFFER, Activity.kind == ActivityKind.REMINDER
            )
        ).all()
        signed = session.scalars(select(Document).where(Document.kind == "signed_contract")).one()
        acceptances = session.scalars(select(OfferAcceptance)).all()
        agreed = session.scalars(select(AgreedPrice)).all()
        cadences = session.scalars(
            select(Account.contact_cadence_days).where(Account.contact_cadence_days.is_not(None))
        ).all()
    sent = {o.id for o in offers.values() if o.sent_at is not None}
    assert {record_id for record_id, _ in reminders} == sent
    for record_id, done_at in reminders:
        assert record_id is not None
        assert (done_at is None) == (offers[record_id].status is OfferStatus.SENT)
    assert len(acceptances) == 2
    assert all(len(each.document_sha256) == 64 for each in acceptances)
    assert signed.content.startswith(b"%PDF-")
    assert signed.media_type == "application/pdf"
    assert len(agreed) == 1
    assert agreed[0].discount_pct == 15
    assert sorted(days or 0 for days in cadences) == [14, 30, 60]


def test_each_holder_finds_the_offers_in_my_day(seeded: Database) -> None:
    """The kam's My day lists its offers, a trial ending and workshops to use up; Customer
    Services' the contract to finalise and the finalised one's second order to activate;
    Finance's inbox the offer over 30% off, and its My day the overage of the usage it
    imported."""
    kam = my_day(_as(seeded, "kam"))
    assert kam.items("offers")
    # The finalised story's subscription runs as a trial ending in 10 days; the upsell
    # account's workshops are half used, due in three weeks.
    (trial,) = kam.items("trials_ending")
    assert trial.when == NOW.date() + timedelta(days=10)
    (workshops,) = kam.items("entitlements_expiring")
    assert workshops.title.startswith("Workshop Pack (four half days), ")
    assert workshops.detail == "2 of 4 left, use by 14 Dec 2026"
    custsvc = my_day(_as(seeded, "custsvc"))
    assert len(custsvc.items("finalise")) == 1
    assert len(custsvc.items("orders_to_activate")) == 1
    assert my_day(_as(seeded, "finance")).items("overage")
    with seeded.read_session() as session:
        ordered = session.execute(
            select(Order.status, Subscription.status)
            .outerjoin(OrderLine, OrderLine.order_id == Order.id)
            .outerjoin(Subscription, Subscription.order_line_id == OrderLine.id)
            .order_by(Order.starts_on)
        ).all()
    # The API runs from its order; the workshop's order, a month on, waits (no entitlement yet).
    assert [tuple(row) for row in ordered] == [
        (OrderStatus.ACTIVATED, SubscriptionStatus.ACTIVE),
        (OrderStatus.DRAFT, None),
    ]
    waiting = next(o for o in _offers(seeded) if o.stage is OfferStage.APPROVAL)
    labels = [item.record_label for item in inbox.inbox(_as(seeded, "finance"))]
    assert any(waiting.quote.number in label for label in labels)


def test_the_signed_scan_is_a_pdf_of_the_same_bytes_every_time() -> None:
    """The demo's signed contract is a readable one-page PDF, the same each time."""
    from io import BytesIO

    from pypdf import PdfReader

    content = signed_pdf("Contract CT-0000001, signed")
    assert content == signed_pdf("Contract CT-0000001, signed")
    pages = PdfReader(BytesIO(content)).pages
    assert len(pages) == 1
    assert "Contract CT-0000001, signed" in pages[0].extract_text()
