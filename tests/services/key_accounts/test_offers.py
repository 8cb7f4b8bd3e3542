"""Offers of a key account: design, approval, sending, answers, the contract, and expiry."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from acctmgr.domain.contracts import ContractStatus, RenewalType
from acctmgr.domain.records import RecordType
from acctmgr.domain.sales import ANOTHER_ACCEPTED, OfferStatus, QuoteStatus
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import (
    AccountPackage,
    Activity,
    Contract,
    Document,
    Offer,
    OfferAcceptance,
    Opportunity,
    OutboxEmail,
    Package,
    PackageItem,
)
from acctmgr.services.accounts import records as account_service
from acctmgr.services.approvals import inbox
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts import answers, expiry, offers, sending, suggested_lines
from acctmgr.services.key_accounts.offer_views import get_offer
from acctmgr.services.key_accounts.wizard import OfferStage
from acctmgr.services.my_day import day as my_day
from acctmgr.services.sales import agreed_prices, quote_builder
from tests import key_account_support as support
from tests.key_account_support import KeyAccount


@pytest.fixture
def acct(admin: Context) -> KeyAccount:
    return support.key_account(admin)


def kam_of(admin: Context) -> Context:
    return admin.as_user("kam")


def test_an_offer_walks_from_design_to_a_contract_for_signature(
    admin: Context, acct: KeyAccount
) -> None:
    kam = kam_of(admin)
    offer = support.new_offer(kam, acct, discount="35")  # over 30%: Finance approves
    assert offer.stage is OfferStage.DESIGN
    assert offer.is_primary
    assert offer.mine
    offer = sending.submit_offer(kam, offer.id, offer.version)
    assert offer.stage is OfferStage.APPROVAL
    assert not offer.mine
    support.approve_all(admin, offer.quote.number)
    offer = get_offer(kam, offer.id)
    assert offer.stage is OfferStage.SEND
    offer = sending.send_offer(
        kam,
        offer.id,
        offer.version,
        sending.SendOfferIn(contact_ids=[acct.signer_id], cover_text="As discussed today."),
    )
    assert offer.status is OfferStatus.SENT
    assert offer.stage is OfferStage.ANSWER
    offer = support.accept(kam, acct, offer)
    assert offer.stage is OfferStage.SIGNATURES
    assert offer.contract_number
    with admin.database.read_session() as session:
        contract = session.scalars(select(Contract).where(Contract.id == offer.contract_id)).one()
        assert contract.status is ContractStatus.SENT_FOR_SIGNATURE
        assert contract.renewal_type is RenewalType.FIXED_TERM
        assert contract.annual_value_minor == offer.quote.net_total_minor
        assert contract.starts_on == support.STARTS
        assert contract.term_months == 12
        acceptance = session.scalars(select(OfferAcceptance)).one()
        seen = session.get(Document, acceptance.document_id)
        assert seen is not None
        assert seen.kind == "offer"
        assert seen.sha256 == acceptance.document_sha256
        assert acceptance.quote_version == offer.quote.version
        opportunity = session.get(Opportunity, acct.opportunity_id)
        assert opportunity is not None
        assert opportunity.outcome is not None
        assert opportunity.outcome.value == "won"
        mails = {m.subject: m for m in session.scalars(select(OutboxEmail))}
        offer_mail = next(m for s, m in mails.items() if s.startswith("Our offer"))
        assert offer_mail.to_addresses == "kim@nova.example"
        assert offer_mail.body_text.count("As discussed today.") == 1
        assert any(s.startswith(f"Contract {contract.number}") and "signature" in s for s in mails)
        told = next(m for s, m in mails.items() if "collect the signatures" in s)
        assert told.to_addresses == "custsvc@example.com"
        reminders = session.scalars(
            select(Activity).where(Activity.record_type == RecordType.OFFER)
        ).all()
        assert len(reminders) == 1
        assert reminders[0].done_at is not None


def test_sending_sets_a_follow_up_three_working_days_later(
    admin: Context, acct: KeyAccount
) -> None:
    kam = kam_of(admin)  # Monday 23 Nov 2026: Thursday at the opening
    offer = support.sent_offer(kam, acct)
    with admin.database.read_session() as session:
        reminder = session.scalars(
            select(Activity).where(
                Activity.record_id == offer.id, Activity.record_type == RecordType.OFFER
            )
        ).one()
        assert reminder.due_at is not None
        assert reminder.due_at.date().isoformat() == "2026-11-26"
        assert reminder.assigned_to_id is not None
        assert "Kim Signer" in reminder.subject


def test_accepting_one_offer_declines_the_others(admin: Context, acct: KeyAccount) -> None:
    kam = kam_of(admin)
    first = support.sent_offer(kam, acct, "Small")
    second = support.new_offer(kam, acct, "Large")
    assert not second.is_primary
    support.accept(kam, acct, first)
    other = get_offer(kam, second.id)
    assert other.status is OfferStatus.DECLINED
    assert other.decline_reason == ANOTHER_ACCEPTED
    assert other.quote.status is QuoteStatus.SUPERSEDED
    with pytest.raises(InvalidInput, match="already accepted"):
        support.accept(kam, acct, get_offer(kam, second.id))


def test_two_sessions_accepting_two_offers_at_once_one_wins(
    admin: Context, acct: KeyAccount
) -> None:
    kam = kam_of(admin)
    offers_made = [support.sent_offer(kam, acct, "One"), support.sent_offer(kam, acct, "Two")]
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def accept(offer: object) -> None:
        barrier.wait()
        try:
            outcomes.append(support.accept(kam, acct, offer))  # type: ignore[arg-type]
        except (InvalidInput, Conflict) as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=accept, args=(o,)) for o in offers_made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1
    assert "already accepted" in str(refused[0]) or "changed" in str(refused[0])
    with admin.database.read_session() as session:
        assert len(session.scalars(select(OfferAcceptance)).all()) == 1
        assert len(session.scalars(select(Contract)).all()) == 1


def test_bad_offers_are_refused_with_a_sentence(admin: Context, acct: KeyAccount) -> None:
    kam = kam_of(admin)
    today = kam.clock.now().date()

    def offer_in(**changes: object) -> offers.NewOfferIn:
        fields: dict[str, object] = {
            "title": "X",
            "valid_until": today + timedelta(days=5),
            "starts_on": support.STARTS,
        }
        return offers.NewOfferIn.model_validate({**fields, **changes})

    with pytest.raises(InvalidInput, match="validity cannot end in the past") as past:
        offers.new_offer(kam, acct.opportunity_id, offer_in(valid_until=today - timedelta(days=1)))
    assert past.value.field == "valid_until"
    with pytest.raises(InvalidInput, match="longer than the 1-month term") as notice:
        offers.new_offer(kam, acct.opportunity_id, offer_in(term_months=1, notice_days=60))
    assert notice.value.field == "notice_days"
    with pytest.raises(ValueError, match="term in months"):
        offer_in(term_months=0)
    empty = offers.new_offer(kam, acct.opportunity_id, offer_in()).offer
    with pytest.raises(InvalidInput, match="at least one line"):
        sending.submit_offer(kam, empty.id, empty.version)
    with admin.database.read_session() as session:
        assert len(session.scalars(select(Offer)).all()) == 1  # nothing half-saved


def test_an_offer_needs_its_approvals_and_an_e_mail_address(
    admin: Context, acct: KeyAccount
) -> None:
    kam = kam_of(admin)
    offer = support.new_offer(kam, acct, discount="35")
    with pytest.raises(InvalidInput, match="approvals first"):
        sending.send_offer(
            kam, offer.id, offer.version, sending.SendOfferIn(contact_ids=[acct.signer_id])
        )
    offer = sending.submit_offer(kam, offer.id, offer.version)
    support.approve_all(admin, offer.quote.number)
    offer = get_offer(kam, offer.id)
    with pytest.raises(InvalidInput, match="Pat Phone has no e-mail address") as silent:
        sending.send_offer(
            kam, offer.id, offer.version, sending.SendOfferIn(contact_ids=[acct.silent_id])
        )
    assert silent.value.field == "contacts"
    with admin.database.read_session() as session:
        subjects = [m.subject for m in session.scalars(select(OutboxEmail))]
        assert subjects
        assert not [s for s in subjects if s.startswith("Our offer")]


def test_a_sent_offer_cannot_change_and_only_its_kam_acts(admin: Context, acct: KeyAccount) -> None:
    kam = kam_of(admin)
    offer = support.sent_offer(kam, acct)
    with pytest.raises(InvalidInput, match="can no longer change"):
        quote_builder.add_catalogue_line(
            kam,
            offer.quote.id,
            offer.quote.version,
            quote_builder.CatalogueLineIn(sku_id=acct.shop.seats),
        )
    with pytest.raises(PermissionDenied):
        answers.decline_offer(
            admin.as_user("ae"), offer.id, offer.version, answers.DeclineIn(reason="Price too high")
        )
    with pytest.raises(PermissionDenied):
        get_offer(admin.as_user("ae2"), offer.id)  # another segment


def test_declining_takes_a_reason_from_the_list(admin: Context, acct: KeyAccount) -> None:
    kam = kam_of(admin)
    offer = support.sent_offer(kam, acct)
    with pytest.raises(InvalidInput, match="from the list"):
        answers.decline_offer(kam, offer.id, offer.version, answers.DeclineIn(reason="Because"))
    with pytest.raises(InvalidInput, match="from the list"):
        answers.decline_offer(
            kam, offer.id, offer.version, answers.DeclineIn(reason=ANOTHER_ACCEPTED)
        )
    declined = answers.decline_offer(
        kam, offer.id, offer.version, answers.DeclineIn(reason="Price too high")
    )
    assert declined.status is OfferStatus.DECLINED
    with pytest.raises(InvalidInput, match="declined"):
        support.accept(kam, acct, declined)


def test_the_worker_expires_offers_once_and_tells_the_kam(admin: Context, acct: KeyAccount) -> None:
    kam = kam_of(admin)
    offer = support.sent_offer(kam, acct)
    admin.clock.advance(timedelta(days=31))  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput, match="expired"):
        support.accept(kam, acct, offer)
    assert expiry.expire_offers(admin) == 1
    assert expiry.expire_offers(admin) == 0
    assert get_offer(kam, offer.id).status is OfferStatus.EXPIRED
    with admin.database.read_session() as session:
        told = [
            m for m in session.scalars(select(OutboxEmail)) if m.subject.startswith("Offer expired")
        ]
        assert len(told) == 1
        assert told[0].to_addresses == "kam@example.com"
        reminder = session.scalars(
            select(Activity).where(Activity.record_type == RecordType.OFFER)
        ).one()
        assert reminder.done_at is not None
        assert "expired" in reminder.outcome


def test_offers_start_from_a_package_the_holdings_or_another_offer(
    admin: Context, acct: KeyAccount
) -> None:
    kam = kam_of(admin)
    first = support.new_offer(kam, acct)
    today = kam.clock.now().date()
    clone = offers.new_offer(
        kam,
        acct.opportunity_id,
        offers.NewOfferIn(
            title="Clone",
            valid_until=today + timedelta(days=9),
            starts_on=support.STARTS,
            start_from=offers.StartFrom.OFFER,
            source_id=first.id,
        ),
    ).offer
    assert [(line.sku_code, line.quantity, line.discount_pct) for line in clone.quote.lines] == [
        (line.sku_code, line.quantity, line.discount_pct) for line in first.quote.lines
    ]
    with pytest.raises(InvalidInput, match="Choose the package"):
        offers.new_offer(
            kam,
            acct.opportunity_id,
            offers.NewOfferIn(
                title="P",
                valid_until=today,
                starts_on=support.STARTS,
                start_from=offers.StartFrom.PACKAGE,
            ),
        )


def test_one_primary_offer_at_a_time(admin: Context, acct: KeyAccount) -> None:
    kam = kam_of(admin)
    first = support.new_offer(kam, acct, "A")
    second = support.new_offer(kam, acct, "B")
    second = offers.make_primary(kam, second.id, second.version)
    assert second.is_primary
    assert [o.title for o in second.alternatives if o.is_primary] == ["B"]
    with pytest.raises(Conflict):
        offers.make_primary(kam, first.id, first.version)  # its version moved


def test_my_day_shows_the_kam_what_each_open_offer_waits_on(
    admin: Context, acct: KeyAccount
) -> None:
    kam = kam_of(admin)

    def lines() -> list[str]:
        return [item.detail for item in my_day.my_day(kam).items("offers")]

    offer = support.new_offer(kam, acct, discount="35")
    assert lines() == ["draft: finish and submit it"]
    offer = sending.submit_offer(kam, offer.id, offer.version)
    assert lines() == []  # with the approvers now
    support.approve_all(admin, offer.quote.number)
    assert lines() == ["approved: present and send it"]
    offer = get_offer(kam, offer.id)
    offer = sending.send_offer(
        kam, offer.id, offer.version, sending.SendOfferIn(contact_ids=[acct.signer_id])
    )
    admin.clock.advance(timedelta(days=25))  # type: ignore[attr-defined]
    assert lines() == [f"sent: record the customer's answer; expires {offer.valid_until:%d %b}"]
    support.accept(kam, acct, get_offer(kam, offer.id))
    assert lines() == []
    assert my_day.my_day(admin.as_user("ae")).items("offers") == []


def test_a_suggestion_becomes_a_line_of_the_kams_draft_offer(
    admin: Context, acct: KeyAccount
) -> None:
    kam = kam_of(admin)
    line = suggested_lines.SuggestedLineIn(sku_code="WORKSHOP", quantity=2, reason="Peers hold it.")
    made = suggested_lines.add_suggested_line(kam, acct.account_id, line)
    assert made.title == "Upsell"
    assert made.is_primary
    assert [(line.sku_code, line.quantity) for line in made.quote.lines] == [("WORKSHOP", 2)]
    again = suggested_lines.add_suggested_line(kam, acct.account_id, line)
    assert again.id == made.id  # the same draft offer, the line's quantity added to
    assert [(line.sku_code, line.quantity) for line in again.quote.lines] == [("WORKSHOP", 4)]
    with pytest.raises(InvalidInput, match="not sold any more"):
        suggested_lines.add_suggested_line(
            kam, acct.account_id, suggested_lines.SuggestedLineIn(sku_code="OLDPLAN")
        )
    with pytest.raises(PermissionDenied):
        suggested_lines.add_suggested_line(admin.as_user("ae"), acct.account_id, line)


def test_a_package_start_leaves_out_skus_no_longer_sold_and_names_them(
    admin: Context, acct: KeyAccount
) -> None:
    with admin.database.write_session() as session:
        package = Package(
            code="GROWTH",
            name="Growth",
            created_at=admin.clock.now(),
            items=[
                PackageItem(sku_id=acct.shop.platform, quantity=3),
                PackageItem(sku_id=acct.shop.retired, quantity=1),
            ],
        )
        session.add(package)
        session.commit()
        package_id = package.id
    kam = kam_of(admin)
    made = offers.new_offer(
        kam,
        acct.opportunity_id,
        offers.NewOfferIn(
            title="Growth",
            valid_until=kam.clock.now().date() + timedelta(days=9),
            starts_on=support.STARTS,
            start_from=offers.StartFrom.PACKAGE,
            source_id=package_id,
        ),
    )
    assert made.left_out == ["OLDPLAN"]
    assert [(line.sku_code, line.quantity) for line in made.offer.quote.lines] == [("PLATFORM", 3)]


def test_an_offer_expiring_while_it_waits_for_approval_is_taken_from_the_approvers(
    admin: Context, acct: KeyAccount
) -> None:
    kam = kam_of(admin)
    offer = support.new_offer(kam, acct, discount="35")
    offer = sending.submit_offer(kam, offer.id, offer.version)
    admin.clock.advance(timedelta(days=31))  # type: ignore[attr-defined]
    assert expiry.expire_offers(admin) == 1
    expired = get_offer(kam, offer.id)
    assert expired.status is OfferStatus.EXPIRED
    assert expired.quote.status is QuoteStatus.SUPERSEDED
    assert inbox.inbox(admin.as_user("finance")) == []


def test_an_expired_alternative_does_not_stand_in_the_way_of_acceptance(
    admin: Context, acct: KeyAccount
) -> None:
    kam = kam_of(admin)
    today = kam.clock.now().date()
    sent = support.sent_offer(kam, acct, "Long")
    short = offers.new_offer(
        kam,
        acct.opportunity_id,
        offers.NewOfferIn(title="Short", valid_until=today, starts_on=support.STARTS),
    ).offer
    admin.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    assert expiry.expire_offers(admin) == 1
    assert get_offer(kam, short.id).quote.status is QuoteStatus.SUPERSEDED
    accepted = support.accept(kam, acct, get_offer(kam, sent.id))
    with admin.database.read_session() as session:
        opportunity = session.get(Opportunity, acct.opportunity_id)
        assert opportunity is not None
        assert opportunity.amount_minor == accepted.quote.net_total_minor


def test_a_sent_offer_is_not_submitted_again(admin: Context, acct: KeyAccount) -> None:
    kam = kam_of(admin)
    offer = support.sent_offer(kam, acct)
    with pytest.raises(InvalidInput, match="was sent"):
        sending.submit_offer(kam, offer.id, offer.version)


def test_a_refused_offer_opens_no_opportunity(admin: Context, acct: KeyAccount) -> None:
    kam = kam_of(admin)
    today = kam.clock.now().date()
    with pytest.raises(InvalidInput, match="validity"):
        offers.new_offer(
            kam,
            offers.OpportunityIn(account_id=acct.account_id, name="Never"),
            offers.NewOfferIn(title="X", valid_until=today - timedelta(days=1), starts_on=today),
        )
    with admin.database.read_session() as session:
        names = session.scalars(select(Opportunity.name)).all()
        assert "Never" not in names
    made = offers.new_offer(
        kam,
        offers.OpportunityIn(account_id=acct.account_id, name="Stores"),
        offers.NewOfferIn(title="X", valid_until=today, starts_on=today),
    ).offer
    assert made.opportunity_name == "Stores"


def test_a_package_start_takes_agreed_prices_and_never_another_accounts_package(
    admin: Context, acct: KeyAccount
) -> None:
    kam = kam_of(admin)
    today = kam.clock.now().date()
    agreed_prices.save_agreed_price(
        kam,
        acct.account_id,
        agreed_prices.AgreedPriceIn(
            sku_code="PLATFORM", discount_pct="30", valid_from=today, valid_until=support.STARTS
        ),
    )
    other = account_service.create_account(
        admin, account_service.AccountIn(name="Other GmbH", segment_code="SMB")
    ).id
    with admin.database.write_session() as session:
        own = Package(
            code="NOVA",
            name="Nova's",
            created_at=admin.clock.now(),
            items=[PackageItem(sku_id=acct.shop.platform, quantity=1)],
        )
        theirs = Package(
            code="THEIRS",
            name="Theirs",
            created_at=admin.clock.now(),
            items=[PackageItem(sku_id=acct.shop.workshop, quantity=7)],
        )
        session.add_all([own, theirs])
        session.flush()
        session.add(
            AccountPackage(package_id=theirs.id, account_id=other, created_at=admin.clock.now())
        )
        session.commit()
        own_id, theirs_id = own.id, theirs.id

    def start(package_id: int) -> offers.NewOfferResult:
        return offers.new_offer(
            kam,
            acct.opportunity_id,
            offers.NewOfferIn(
                title="P",
                valid_until=today,
                starts_on=today,
                start_from=offers.StartFrom.PACKAGE,
                source_id=package_id,
            ),
        )

    [line] = start(own_id).offer.quote.lines
    assert line.discount_pct == 30
    with pytest.raises(InvalidInput, match="another account"):
        start(theirs_id)


def test_an_offer_written_as_a_proposal_prints_its_terms_and_cover_text(
    admin: Context, acct: KeyAccount
) -> None:
    kam = kam_of(admin)
    offer = support.new_offer(kam, acct, "Stores")
    offer = offers.update_offer(
        kam,
        offer.id,
        offer.version,
        offers.OfferTermsIn(
            title="Stores",
            valid_until=offer.valid_until,
            renewal_type=RenewalType.STANDING_ORDER,
            template="offer_proposal.html.j2",
        ),
    )
    offer = sending.submit_offer(kam, offer.id, offer.version)
    sending.send_offer(
        kam,
        offer.id,
        offer.version,
        sending.SendOfferIn(contact_ids=[acct.signer_id], cover_text="For your three stores."),
    )
    with admin.database.read_session() as session:
        html = session.scalars(
            select(Document).where(
                Document.record_type == RecordType.OFFER, Document.media_type == "text/html"
            )
        ).one()
        text = html.content.decode()
    assert html.template_name == "offer_proposal.html.j2"
    assert "A proposal from Example Analytics Ltd to <b>Nova GmbH</b>" in text
    assert "For your three stores." in text
    assert "renewed by itself for another term unless notice is given" in text
    draft = support.new_offer(kam, acct, "Other")
    with pytest.raises(InvalidInput, match="offer templates") as refused:
        offers.update_offer(
            kam,
            draft.id,
            draft.version,
            offers.OfferTermsIn(title="X", valid_until=offer.valid_until, template="po.html.j2"),
        )
    assert refused.value.field == "template"


def test_the_accepted_offer_becomes_the_primary_one(admin: Context, acct: KeyAccount) -> None:
    kam = kam_of(admin)
    first = support.sent_offer(kam, acct, "First")
    second = support.sent_offer(kam, acct, "Second")
    assert first.is_primary
    accepted = support.accept(kam, acct, get_offer(kam, second.id))
    assert [(o.title, o.is_primary) for o in accepted.alternatives] == [
        ("Second", True),
        ("First", False),
    ]


def test_a_suggestion_never_lands_on_an_approved_offer(admin: Context, acct: KeyAccount) -> None:
    kam = kam_of(admin)
    approved = support.new_offer(kam, acct)
    approved = sending.submit_offer(kam, approved.id, approved.version)  # approved at once
    line = suggested_lines.SuggestedLineIn(sku_code="WORKSHOP")
    made = suggested_lines.add_suggested_line(kam, acct.account_id, line)
    assert made.id != approved.id
    assert get_offer(kam, approved.id).quote.status is QuoteStatus.APPROVED


def test_the_last_stage_is_reached_once_finalised_and_stays_when_the_contract_moves_on(
    admin: Context, acct: KeyAccount
) -> None:
    """Signed but not finalised by Customer Services: still at the signatures. Finalised: the
    orders, held by Customer Services while lines are to order; superseded or ended later, the
    offer stays at its last stage, held by nobody."""
    kam = kam_of(admin)
    offer = support.accept(kam, acct, support.sent_offer(kam, acct))
    assert offer.contract_id is not None

    def contract_is(status: ContractStatus, finalised: bool) -> tuple[OfferStage, str, bool]:
        with admin.database.write_session() as session:
            contract = session.get(Contract, offer.contract_id)
            assert contract is not None
            contract.status = status
            contract.finalised_at = admin.clock.now() if finalised else None
            session.commit()
        seen = get_offer(admin.as_user("kam"), offer.id)
        return seen.stage, seen.holder, seen.mine

    assert contract_is(ContractStatus.SIGNED, finalised=False)[0] is OfferStage.SIGNATURES
    assert contract_is(ContractStatus.SIGNED, finalised=True)[:2] == (
        OfferStage.FULFILMENT,
        "Customer Services",
    )
    for status in (ContractStatus.SUPERSEDED, ContractStatus.ENDED):
        assert contract_is(status, finalised=True)[:2] == (OfferStage.FULFILMENT, "ordered")
