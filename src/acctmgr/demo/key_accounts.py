"""Key accounts at every stage of the offer wizard, told through the wizard's own use cases.

The bulk load writes plain rows because it must be fast; these few stories go through the use
cases the Key Account Manager, Finance and Customer Services call instead, so they obey the
rules as they stand: a rule that changes changes them too, or stops the seed with its sentence,
rather than leaving demo rows no user could have made. The ``kam`` persona takes one key account
to each stage (a draft, one waiting for Finance, one approved, one sent, an opportunity with two
alternatives, one accepted and out for signature, one finalised, one declined); a few of its
accounts get a contact cadence and one an agreed price.

Each step runs at its own instant on an adjustable clock set back from the seed's ``now``, so
the offers were sent days ago and their reminders and signatures fall on believable days; the
same ``now`` always gives the same rows.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import cycle
from pathlib import Path

from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.db.engine import Database
from acctmgr.demo import offer_steps as steps
from acctmgr.domain.contracts import RenewalType, SignatureMethod
from acctmgr.domain.sales import AcceptanceMethod
from acctmgr.models import Account, AccountStatus, Contact, Sku, User
from acctmgr.services.accounts import records as account_service
from acctmgr.services.bootstrap import bootstrap
from acctmgr.services.documents import render_pool
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts import answers, cadence, finalising, offers
from acctmgr.services.key_accounts.offer_views import OfferView
from acctmgr.services.sales import agreed_prices

KAM = "kam"
STORIES = 8  # key accounts, one per stage
CADENCES = (30, 14, 60)  # days, for the first key accounts


def start_renderer() -> None:
    """Start the document renderer's workers in the background (about a second), so they are
    ready once the bulk load is done: the stories send offers and contracts."""
    render_pool.warm_up()


def add_key_account_offers(database: Database, now: datetime) -> int:
    """Take the ``kam`` persona's first key accounts through the offer wizard, one stage each
    (a small load's few take two stories each), once the bulk load has committed; returns how
    many offers were made (none when ``kam`` manages no account an offer can go out to)."""
    bootstrap()  # idempotent: the audit and the approvals' wiring, whoever seeds
    clock = AdjustableClock(now)
    base = Context(database, clock)
    cast = steps.Cast(
        clock,
        now,
        base.as_user(KAM),
        base.as_user("finance"),
        base.as_user("custsvc"),
    )
    accounts = _key_accounts(database)
    if not accounts:
        return 0
    skus = _sku_ids(database)
    # The agreed price first: the offers made on that account afterwards take it by themselves.
    _agree_price(cast, accounts[0])
    stories: tuple[Callable[[steps.Cast, dict[str, int], steps.KeyAccount], int], ...] = (
        _designing,
        _awaiting_approval,
        _approved,
        _sent,
        _alternatives,
        _accepted,
        _finalised,
        _declined,
    )
    made = sum(
        story(cast, skus, account) for story, account in zip(stories, cycle(accounts), strict=False)
    )
    cast.at(0)
    for account, days in zip(accounts, CADENCES, strict=False):
        version = account_service.get_account(cast.kam, account.id).version
        cadence.set_cadence(cast.kam, account.id, version, days)
    return made


def _key_accounts(database: Database) -> list[steps.KeyAccount]:
    """The ``kam`` persona's active key accounts an offer and a contract can go out to (an
    invoice contact with an e-mail address and a billing address), lowest ids first, each with
    its first contact that has an e-mail address."""
    with database.read_session() as session:
        kam_id = session.scalar(select(User.id).where(User.login == KAM))
        invoice_contact = (
            select(Contact.id)
            .where(Contact.id == Account.invoice_contact_id, Contact.email != "")
            .exists()
        )
        account_ids = session.scalars(
            select(Account.id)
            .where(
                Account.key_account_manager_id == kam_id,
                Account.status == AccountStatus.ACTIVE,
                Account.billing_street != "",
                Account.billing_city != "",
                Account.billing_postal_code != "",
                Account.billing_country != "",
                invoice_contact,
            )
            .order_by(Account.id)
            .limit(STORIES)
        ).all()
        chosen = []
        for account_id in account_ids:
            signer = session.scalars(
                select(Contact)
                .where(Contact.account_id == account_id, Contact.email != "")
                .order_by(Contact.id)
                .limit(1)
            ).first()
            if signer is not None:
                chosen.append(steps.KeyAccount(account_id, signer.id, signer.name, signer.title))
    return chosen


def _sku_ids(database: Database) -> dict[str, int]:
    with database.read_session() as session:
        return {code: sku_id for sku_id, code in session.execute(select(Sku.id, Sku.code))}


def _agree_price(cast: steps.Cast, account: steps.KeyAccount) -> None:
    """Workshops at 15% off for a year, agreed at the last annual review."""
    day = cast.at(30)
    agreed_prices.save_agreed_price(
        cast.kam,
        account.id,
        agreed_prices.AgreedPriceIn(
            sku_code="SRV-WS",
            discount_pct="15",
            valid_from=day,
            valid_until=day + timedelta(days=365),
            note="Agreed at the annual review: workshops at 15% off for a year.",
        ),
    )


PROFESSIONAL: steps.Lines = (("EXA-PRO", 1, "10"), ("ADD-REPLAY", 1, "10"), ("SRV-WS", 2, None))


def _designing(cast: steps.Cast, skus: dict[str, int], account: steps.KeyAccount) -> int:
    """Being designed: a draft the KAM has not submitted yet."""
    cast.at(1)
    opportunity = steps.opportunity(cast, account, "Session replay for the support team")
    steps.offer(cast, skus, opportunity, "Professional with Session Replay", PROFESSIONAL)
    return 1


def _awaiting_approval(cast: steps.Cast, skus: dict[str, int], account: steps.KeyAccount) -> int:
    """Waiting for Finance: 35% off is more than 30% ("Discounts above 30% need Finance")."""
    cast.at(1)
    opportunity = steps.opportunity(cast, account, "Enterprise upgrade")
    offer = steps.offer(
        cast,
        skus,
        opportunity,
        "Enterprise for the whole group",
        (("EXA-ENT", 1, "35"), ("SRV-WS4", 1, None)),
        term_months=24,
    )
    steps.submit(cast, offer)
    return 1


def _approved(cast: steps.Cast, skus: dict[str, int], account: steps.KeyAccount) -> int:
    """Approved by Finance yesterday, ready to present and send."""
    cast.at(3)
    opportunity = steps.opportunity(cast, account, "Premium support")
    offer = steps.offer(
        cast,
        skus,
        opportunity,
        "Professional with Premium Support",
        (("EXA-PRO", 1, "35"), ("SUP-PREM", 1, "20")),
    )
    offer = steps.submit(cast, offer)
    cast.at(1)
    steps.approve(cast, offer)
    return 1


def _sent(cast: steps.Cast, skus: dict[str, int], account: steps.KeyAccount) -> int:
    """Sent two days ago, waiting for the answer; the follow-up reminder is due soon."""
    cast.at(2)
    opportunity = steps.opportunity(cast, account, "More page views")
    offer = steps.offer(
        cast, skus, opportunity, "Page views for the new shop", (("PV-500K", 2, "5"),)
    )
    steps.send(cast, account, steps.submit(cast, offer), "As discussed on the phone today.")
    return 1


def _alternatives(cast: steps.Cast, skus: dict[str, int], account: steps.KeyAccount) -> int:
    """Two alternatives: a Professional draft, and Enterprise, made primary and sent."""
    cast.at(4)
    opportunity = steps.opportunity(cast, account, "Plan for next year")
    steps.offer(cast, skus, opportunity, "Professional, one year", PROFESSIONAL)
    enterprise = steps.offer(
        cast,
        skus,
        opportunity,
        "Enterprise, two years",
        (("EXA-ENT", 1, "20"), ("SRV-AUDIT", 1, None)),
        term_months=24,
    )
    enterprise = offers.make_primary(cast.kam, enterprise.id, enterprise.version)
    steps.send(
        cast, account, steps.submit(cast, enterprise), "The two-year option we talked about."
    )
    return 2


def _accepted(cast: steps.Cast, skus: dict[str, int], account: steps.KeyAccount) -> int:
    """Accepted by e-mail two days ago: the contract is out for signature with Customer
    Services."""
    cast.at(9)
    opportunity = steps.opportunity(cast, account, "Voice of Customer")
    offer = steps.offer(
        cast,
        skus,
        opportunity,
        "Voice of Customer and training",
        (("ADD-VOC", 1, "10"), ("SRV-TRAIN", 1, None)),
        renewal_type=RenewalType.FIXED_TERM,
    )
    offer = steps.send(cast, account, steps.submit(cast, offer), "Our offer after the workshop.")
    cast.at(2)
    steps.accept(cast, account, offer, AcceptanceMethod.EMAIL)
    return 1


def _finalised(cast: steps.Cast, skus: dict[str, int], account: steps.KeyAccount) -> int:
    """Accepted two weeks ago, both signatures recorded, the signed PDF attached and finalised
    ten days ago: active, and ordered the day after in two, its subscription running and its
    workshop's order, dated a month on, still to activate."""
    cast.at(20)
    opportunity = steps.opportunity(cast, account, "Data export")
    offer = steps.offer(
        cast,
        skus,
        opportunity,
        "Data Export API",
        (("ADD-API", 1, "10"), ("SRV-WS", 1, None)),
        starts_in_days=7,  # started before it was finalised: in effect at once
    )
    offer = steps.send(cast, account, steps.submit(cast, offer), "As promised in our meeting.")
    cast.at(14)
    offer = steps.accept(cast, account, offer, AcceptanceMethod.SIGNED_PDF)
    assert offer.contract_id is not None
    contract_id = offer.contract_id
    signed_on = cast.at(10)
    checklist = finalising.record_signatures(
        cast.custsvc,
        contract_id,
        _contract_version(cast, offer),
        finalising.SignaturesIn(
            signer_name=account.signer_name,
            signer_title=account.signer_title,
            signed_on=signed_on,
            signature_method=SignatureMethod.WET_INK,
            our_signer_name=steps.OUR_SIGNER[0],
            our_signer_title=steps.OUR_SIGNER[1],
            our_signed_on=signed_on,
        ),
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"Signed-{offer.contract_number}.pdf"
        path.write_bytes(steps.signed_pdf(f"Contract {offer.contract_number}, signed"))
        checklist = finalising.attach_signed_document(cast.custsvc, contract_id, path)
    finalising.finalise_contract(cast.custsvc, contract_id, checklist.version)
    cast.at(9)
    steps.order_in_two(cast, contract_id, later_by_days=30)  # the workshop after go-live
    return 1


def _contract_version(cast: steps.Cast, offer: OfferView) -> int:
    assert offer.contract_id is not None
    return finalising.checklist(cast.custsvc, offer.contract_id).version


def _declined(cast: steps.Cast, skus: dict[str, int], account: steps.KeyAccount) -> int:
    """Declined five days ago: the price was too high."""
    cast.at(12)
    opportunity = steps.opportunity(cast, account, "Enterprise plan")
    offer = steps.offer(cast, skus, opportunity, "Enterprise plan", (("EXA-ENT", 1, "15"),))
    offer = steps.send(cast, account, steps.submit(cast, offer), "Our offer, as promised.")
    cast.at(5)
    answers.decline_offer(
        cast.kam, offer.id, offer.version, answers.DeclineIn(reason="Price too high")
    )
    return 1
