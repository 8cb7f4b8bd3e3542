"""The worker's daily pass: subscriptions start on their day (a superseding contract's re-price
the old one's), end at their term or unconfirmed trial, entitlements are warned of and expire;
each once, whatever the re-runs and workers."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from acctmgr.clock import AdjustableClock
from acctmgr.domain.records import RecordType
from acctmgr.models import (
    Activity,
    ActivityKind,
    AuditEvent,
    Contract,
    Entitlement,
    OutboxEmail,
    Subscription,
    SubscriptionEnd,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.models.base import Base
from acctmgr.services.fulfilment import entitled, running
from acctmgr.services.fulfilment.running import RunReport
from acctmgr.services.kernel.context import Context
from tests.services.fulfilment.running_support import (
    TERM_ENDS,
    TERM_STARTS,
    Sold,
    a_bit_of_everything_due,
    activated_order,
    catalogue,
    contract,
    key_account,
    renewed_at_a_new_price,
    staff,
)


def _subscriptions(admin: Context) -> dict[tuple[str, int], tuple[object, ...]]:
    """(contract number, SKU version) -> (status, ends_on, ended_reason, net, replaced one)."""
    with admin.database.read_session() as session:
        rows = session.execute(
            select(Contract.number, Subscription)
            .join(Contract, Contract.id == Subscription.contract_id)
            .order_by(Subscription.id)
        ).all()
        return {
            (number, sub.sku_version_id): (
                sub.status,
                sub.ends_on,
                sub.ended_reason,
                sub.net_price_minor,
                sub.replaces_id is not None,
            )
            for number, sub in rows
        }


def _count(admin: Context, model: type[Base]) -> int:
    with admin.database.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_pending_subscriptions_start_on_their_day_once(admin: Context) -> None:
    """A pending subscription whose start has come starts; a later one waits; a re-run changes
    nothing and audits nothing more."""
    staff(admin)
    skus = catalogue(admin)
    account = key_account(admin)
    agreed = contract(admin, account, "CT-1", [Sold(skus.platform), Sold(skus.replay, 300_00)])
    activated_order(admin, agreed, "SO-1", date(2026, 11, 1), [Sold(skus.platform)])
    activated_order(admin, agreed, "SO-2", date(2026, 12, 15), [Sold(skus.replay, 300_00)])
    assert running.run_due(admin) == RunReport(started=1)
    states = _subscriptions(admin)
    assert states[("CT-1", skus.platform)][0] is SubscriptionStatus.ACTIVE
    assert states[("CT-1", skus.replay)][0] is SubscriptionStatus.PENDING
    events = _count(admin, AuditEvent)
    assert running.run_due(admin) == RunReport()
    assert _count(admin, AuditEvent) == events
    assert _subscriptions(admin) == states


def test_a_superseding_contract_re_prices_on_its_date(admin: Context) -> None:
    """On a superseding contract's date its subscription replaces the old one's of the same SKU
    (the old ends the day before, REPLACED), the old contract's SKUs it does not sell end then
    too, and entitled_on shows the old price before the date and the new one after."""
    staff(admin)
    skus = catalogue(admin)
    account = key_account(admin)
    old = contract(admin, account, "CT-OLD", [Sold(skus.platform), Sold(skus.replay, 300_00)])
    activated_order(
        admin, old, "SO-OLD", date(2026, 1, 1), [Sold(skus.platform), Sold(skus.replay, 300_00)]
    )
    renewed_at_a_new_price(admin, account, old, skus)
    assert running.run_due(admin) == RunReport(started=3, superseded=1)
    states = _subscriptions(admin)
    day_before = date(2026, 10, 31)
    assert states[("CT-OLD", skus.platform)] == (
        SubscriptionStatus.ENDED,
        day_before,
        SubscriptionEnd.REPLACED,
        1_000_00,
        False,
    )
    assert states[("CT-OLD", skus.replay)] == (
        SubscriptionStatus.ENDED,
        day_before,
        SubscriptionEnd.TERM,
        300_00,
        False,
    )
    assert states[("CT-NEW", skus.platform)] == (
        SubscriptionStatus.ACTIVE,
        date(2027, 10, 31),
        None,
        800_00,
        True,
    )
    kam = admin.as_user("kam")
    before = entitled.entitled_on(kam, account, date(2026, 10, 15)).subscriptions
    assert [(s.sku_code, s.net_price_minor, s.contract_number) for s in before] == [
        ("PLATFORM", 1_000_00, "CT-OLD"),
        ("REPLAY", 300_00, "CT-OLD"),
    ]
    after = entitled.entitled_on(kam, account, date(2026, 11, 15)).subscriptions
    assert [(s.sku_code, s.net_price_minor, s.contract_number, s.order_number) for s in after] == [
        ("PLATFORM", 800_00, "CT-NEW", "SO-NEW")
    ]
    assert running.run_due(admin) == RunReport()
    assert _subscriptions(admin) == states


def test_a_contract_split_by_location_replaces_each_location_on_its_own_day(
    admin: Context, clock: AdjustableClock
) -> None:
    """The new contract's Berlin order from 1 Nov replaces the old Berlin subscription (and one
    made before orders existed); Munich's runs on until the new Munich order starts, 1 Dec."""
    staff(admin)
    skus = catalogue(admin)
    account = key_account(admin)
    old = contract(admin, account, "CT-OLD", [Sold(skus.platform, quantity=2)])
    sites = ("Berlin", "Munich")
    for site in sites:
        activated_order(
            admin, old, f"SO-{site}", date(2026, 1, 1), [Sold(skus.platform)], location=site
        )
    legacy = _legacy_subscription(admin, old, skus.platform)
    new = contract(
        admin,
        account,
        "CT-NEW",
        [Sold(skus.platform, 800_00, quantity=2)],
        starts_on=date(2026, 11, 1),
        ends_on=date(2027, 10, 31),
        supersedes=old,
    )
    for site, starts in zip(sites, (date(2026, 11, 1), date(2026, 12, 1)), strict=True):
        activated_order(
            admin, new, f"SO-NEW-{site}", starts, [Sold(skus.platform, 800_00)], location=site
        )
    running.run_due(admin)  # today, 23 Nov 2026
    berlin, munich, unordered, new_berlin, new_munich = _by_id(admin)
    assert [(s.status, s.ends_on) for s in (berlin, unordered)] == [
        (SubscriptionStatus.ENDED, date(2026, 10, 31))
    ] * 2
    assert (munich.status, munich.ends_on) == (SubscriptionStatus.ACTIVE, TERM_ENDS)
    assert (unordered.id, new_berlin.replaces_id) == (legacy, berlin.id)
    clock.set(datetime(2026, 12, 1, 9, tzinfo=UTC))
    running.run_due(admin)
    munich, new_munich = (s for s in _by_id(admin) if s.id in (munich.id, new_munich.id))
    assert (munich.status, munich.ends_on, munich.ended_reason) == (
        SubscriptionStatus.ENDED,
        date(2026, 11, 30),
        SubscriptionEnd.REPLACED,
    )
    assert (new_munich.status, new_munich.replaces_id) == (SubscriptionStatus.ACTIVE, munich.id)


def _legacy_subscription(admin: Context, contract_id: int, version_id: int) -> int:
    """A contract's subscription from before orders existed: no order, no order line."""
    with admin.database.write_session() as session:
        made = Subscription(
            account_id=session.get(Contract, contract_id).account_id,  # type: ignore[union-attr]
            contract_id=contract_id,
            sku_version_id=version_id,
            kind=SubscriptionKind.PAID,
            status=SubscriptionStatus.ACTIVE,
            quantity=1,
            list_price_minor=1_000_00,
            net_price_minor=1_000_00,
            currency="USD",
            starts_on=TERM_STARTS,
            ends_on=TERM_ENDS,
            created_at=admin.clock.now(),
        )
        session.add(made)
        session.commit()
        return made.id


def _by_id(admin: Context) -> list[Subscription]:
    with admin.database.read_session() as session:
        return list(session.scalars(select(Subscription).order_by(Subscription.id)))


def test_subscriptions_end_at_their_term_and_trials_unconfirmed_with_one_task(
    admin: Context,
) -> None:
    """A paid subscription past its end ends (TERM); a trial nobody confirmed ends TRIAL_ENDED
    with one task, about the subscription, for the account's KAM."""
    staff(admin)
    skus = catalogue(admin)
    account = key_account(admin)
    agreed = contract(
        admin,
        account,
        "CT-1",
        [Sold(skus.platform), Sold(skus.replay)],
        starts_on=date(2025, 11, 21),
        ends_on=date(2026, 11, 20),
    )
    activated_order(
        admin,
        agreed,
        "SO-1",
        date(2025, 11, 21),
        [Sold(skus.platform), Sold(skus.replay, trial_ends_on=date(2026, 11, 10))],
    )
    assert running.run_due(admin) == RunReport(started=2, ended=1, trials_ended=1)
    states = _subscriptions(admin)
    assert states[("CT-1", skus.platform)][:3] == (
        SubscriptionStatus.ENDED,
        date(2026, 11, 20),
        SubscriptionEnd.TERM,
    )
    assert states[("CT-1", skus.replay)][:3] == (
        SubscriptionStatus.ENDED,
        date(2026, 11, 10),
        SubscriptionEnd.TRIAL_ENDED,
    )
    with admin.database.read_session() as session:
        tasks = session.execute(
            select(Activity.kind, Activity.record_type, Activity.assigned_to_id, Activity.subject)
        ).all()
    assert len(tasks) == 1
    kind, record_type, _, subject = tasks[0]
    assert (kind, record_type) == (ActivityKind.TASK, RecordType.SUBSCRIPTION)
    assert subject == "Trial ended unconfirmed: Replay v1 for Nova GmbH"
    assert running.run_due(admin) == RunReport()
    assert _count(admin, Activity) == 1


def test_entitlements_are_warned_of_once_and_expire_with_what_was_unused(admin: Context) -> None:
    """30 days before its deadline an entitlement with something left gets a task for the KAM
    and an e-mail to the invoice contact, once; past its deadline it expires, the unused rest
    in its audit; a used-up one is not warned, a later one not yet."""
    staff(admin)
    skus = catalogue(admin)
    account = key_account(admin)
    agreed = contract(admin, account, "CT-1", [Sold(skus.workshop, 2_000_00)])
    soon, past, later = date(2026, 12, 10), date(2026, 11, 1), date(2027, 6, 30)
    activated_order(
        admin,
        agreed,
        "SO-1",
        date(2026, 1, 1),
        [Sold(skus.workshop, consume_by=day) for day in (soon, past, later, soon)],
    )
    with admin.database.write_session() as session:
        used_up = session.scalars(select(Entitlement).order_by(Entitlement.id)).all()[3]
        used_up.consumed = used_up.quantity
        session.commit()
    assert running.run_due(admin) == RunReport(warned=1, expired=1)
    with admin.database.read_session() as session:
        marks = session.execute(
            select(Entitlement.consume_by, Entitlement.warned_at, Entitlement.expired_at).order_by(
                Entitlement.id
            )
        ).all()
        emails = session.execute(select(OutboxEmail.to_addresses, OutboxEmail.subject)).all()
        task = session.scalars(select(Activity)).one()
        unused = session.scalars(
            select(AuditEvent.after).where(AuditEvent.action == "fulfilment.run_due:expired")
        ).one()
    assert [(warned is not None, expired is not None) for _, warned, expired in marks] == [
        (True, False),
        (False, True),
        (False, False),
        (False, False),
    ]
    assert emails == [("ines@nova.example", "Workshop v1: 4 left to use by 10 Dec 2026")]
    assert task.record_type is RecordType.ENTITLEMENT
    assert task.subject == "Unused by 10 Dec: Workshop v1 for Nova GmbH"
    assert unused == {"consume_by": "2026-11-01", "unused": 4}
    assert running.run_due(admin) == RunReport()
    assert (_count(admin, Activity), _count(admin, OutboxEmail)) == (1, 1)


def test_two_workers_at_once_do_each_thing_once(admin: Context) -> None:
    """Two passes at the same moment start, end, warn and expire each thing once between them."""
    a_bit_of_everything_due(admin)
    reports: list[RunReport] = []
    go = threading.Barrier(2)

    def work() -> None:
        go.wait()
        reports.append(running.run_due(admin))

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    total = RunReport(
        **{
            name: sum(getattr(report, name) for report in reports)
            for name in RunReport.model_fields
        }
    )
    assert total == RunReport(started=2, trials_ended=1, warned=1, expired=1)
    assert (_count(admin, Activity), _count(admin, OutboxEmail)) == (2, 1)


def test_a_replaced_subscription_past_its_own_end_keeps_it(admin: Context) -> None:
    """An old subscription whose own end came before its successor's start (the worker had not
    ended it yet) keeps its end, at its term, rather than running on to the new start."""
    staff(admin)
    skus = catalogue(admin)
    account = key_account(admin)
    old = contract(admin, account, "CT-OLD", [Sold(skus.platform)], ends_on=date(2026, 10, 15))
    activated_order(admin, old, "SO-OLD", date(2026, 1, 1), [Sold(skus.platform)])
    renewed_at_a_new_price(admin, account, old, skus)
    running.run_due(admin)
    assert _subscriptions(admin)[("CT-OLD", skus.platform)][:3] == (
        SubscriptionStatus.ENDED,
        date(2026, 10, 15),
        SubscriptionEnd.TERM,
    )
