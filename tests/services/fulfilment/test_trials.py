"""Confirming a trial: it ends converted and a paid subscription of its order line follows from
the next day at the line's price; twice, ended, paid or by the wrong person is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import (
    Subscription,
    SubscriptionEnd,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.services.fulfilment import running, trials
from acctmgr.services.kernel.context import Context
from acctmgr.services.my_day import day as my_day_service
from tests.services.fulfilment.running_support import (
    Sold,
    activated_order,
    catalogue,
    contract,
    key_account,
    staff,
)

TRIAL_ENDS = date(2026, 12, 1)


def _running_trial(admin: Context) -> Subscription:
    """Replay on trial until 1 Dec 2026 (300.00 a year once paid), beside a paid platform."""
    staff(admin)
    skus = catalogue(admin)
    account = key_account(admin)
    agreed = contract(admin, account, "CT-1", [Sold(skus.platform), Sold(skus.replay, 300_00)])
    activated_order(
        admin,
        agreed,
        "SO-1",
        date(2026, 11, 1),
        [Sold(skus.platform), Sold(skus.replay, 300_00, trial_ends_on=TRIAL_ENDS)],
    )
    running.run_due(admin)
    return _kind(admin, SubscriptionKind.TEST)


def _kind(admin: Context, kind: SubscriptionKind) -> Subscription:
    with admin.database.read_session() as session:
        found = session.scalars(
            select(Subscription)
            .where(Subscription.kind == kind, Subscription.list_price_minor == 300_00)
            .order_by(Subscription.id.desc())
        ).first()
        assert found is not None
        session.expunge(found)
        return found


def test_a_confirmed_trial_converts_to_paid_from_the_next_day(
    admin: Context, clock: AdjustableClock
) -> None:
    """The trial ends today, converted; a paid subscription of its line runs from tomorrow to
    the contract's end at the line's price, started by the next day's pass."""
    trial = _running_trial(admin)
    converted = trials.confirm_trial(admin.as_user("kam"), trial.id, trial.version)
    ended = _kind(admin, SubscriptionKind.TEST)
    assert (ended.status, ended.ended_reason, ended.ends_on) == (
        SubscriptionStatus.ENDED,
        SubscriptionEnd.CONVERTED,
        date(2026, 11, 23),
    )
    paid = _kind(admin, SubscriptionKind.PAID)
    assert (paid.id, paid.status, paid.starts_on, paid.ends_on, paid.net_price_minor) == (
        converted.paid_id,
        SubscriptionStatus.PENDING,
        date(2026, 11, 24),
        date(2026, 12, 31),
        300_00,
    )
    assert (paid.order_line_id, paid.replaces_id) == (trial.order_line_id, trial.id)
    clock.advance(timedelta(days=1))
    assert running.run_due(admin).started == 1
    assert _kind(admin, SubscriptionKind.PAID).status is SubscriptionStatus.ACTIVE


def test_confirming_is_refused_in_a_sentence_and_changes_nothing(
    admin: Context, clock: AdjustableClock
) -> None:
    """Another role, a stale copy, a paid subscription, a second confirmation, a paid one of the
    line made meanwhile, and an ended trial are each refused; the trial is left as it was."""
    trial = _running_trial(admin)
    kam, cs = admin.as_user("kam"), admin.as_user("cs")
    with pytest.raises(PermissionDenied, match="Key Account Manager or Customer Services"):
        trials.confirm_trial(admin.as_user("ae"), trial.id, trial.version)
    with pytest.raises(Conflict):
        trials.confirm_trial(kam, trial.id, trial.version - 1)
    platform = _platform(admin)
    with pytest.raises(InvalidInput, match=r"^This subscription is paid already, not a trial.$"):
        trials.confirm_trial(kam, platform.id, platform.version)
    assert _kind(admin, SubscriptionKind.TEST).status is SubscriptionStatus.ACTIVE
    converted = trials.confirm_trial(cs, trial.id, trial.version)
    with pytest.raises(
        InvalidInput,
        match=r"^This trial was confirmed already; its paid subscription runs from 24 Nov 2026.$",
    ):
        trials.confirm_trial(kam, trial.id, converted.version)
    clock.advance(timedelta(days=10))
    with pytest.raises(InvalidInput, match=r"^This trial ended on 01 Dec 2026"):
        trials.confirm_trial(kam, *_later_trial(admin))


def test_a_paid_subscription_of_the_line_made_meanwhile_refuses_a_second(admin: Context) -> None:
    """The unique key (order line, kind) refuses a second paid subscription even when the trial
    still looks unconfirmed, and the trial is not half-ended."""
    trial = _running_trial(admin)
    with admin.database.write_session() as session:
        copy = _kind(admin, SubscriptionKind.TEST)
        session.add(
            Subscription(
                account_id=copy.account_id,
                contract_id=copy.contract_id,
                order_line_id=copy.order_line_id,
                sku_version_id=copy.sku_version_id,
                kind=SubscriptionKind.PAID,
                status=SubscriptionStatus.PENDING,
                currency="USD",
                starts_on=date(2026, 12, 2),
                created_at=admin.clock.now(),
            )
        )
        session.commit()
    with pytest.raises(InvalidInput, match=r"^This trial was confirmed already"):
        trials.confirm_trial(admin.as_user("kam"), trial.id, trial.version)
    unchanged = _kind(admin, SubscriptionKind.TEST)
    assert (unchanged.status, unchanged.ended_reason) == (SubscriptionStatus.ACTIVE, None)


def _platform(admin: Context) -> Subscription:
    with admin.database.read_session() as session:
        found = session.scalars(
            select(Subscription).where(Subscription.list_price_minor == 1_000_00)
        ).one()
        session.expunge(found)
        return found


def _later_trial(admin: Context) -> tuple[int, int]:
    """A second trial of replay whose day passed unconfirmed (ended by the pass)."""
    skus_version = _platform(admin).sku_version_id
    account_id = _platform(admin).account_id
    agreed = contract(admin, account_id, "CT-2", [Sold(skus_version)])
    order = activated_order(
        admin, agreed, "SO-2", date(2026, 11, 1), [Sold(skus_version, trial_ends_on=TRIAL_ENDS)]
    )
    running.run_due(admin)
    with admin.database.read_session() as session:
        found = session.scalars(select(Subscription).where(Subscription.order_id == order)).one()
        return found.id, found.version


def test_trials_ending_in_my_day_are_their_orm_twins(admin: Context) -> None:
    """My day's trials ending, read in plain SQL, are those the ORM lists: the KAM's accounts'
    running trials ending within two weeks, for the KAM only."""
    trial = _running_trial(admin)
    account_id = _platform(admin).account_id
    late = contract(admin, account_id, "CT-LATE", [Sold(trial.sku_version_id)])
    activated_order(
        admin,
        late,
        "SO-LATE",
        date(2026, 11, 1),
        [Sold(trial.sku_version_id, trial_ends_on=date(2026, 12, 20))],
    )
    for login in ("kam", "cs", "success", "ae", "admin"):
        user = admin.as_user(login)
        plain = my_day_service.my_day(user).items("trials_ending")
        orm = trials.trials_ending(user)
        assert [(i.record_id, i.version, i.account_id, i.when) for i in plain] == [
            (row.subscription_id, row.version, row.account_id, row.ends_on) for row in orm
        ], login
        assert [i.record_id for i in plain] == ([trial.id] if login == "kam" else []), login
    (item,) = my_day_service.my_day(admin.as_user("kam")).items("trials_ending")
    assert (item.title, item.detail) == (
        "Replay v1 trial, Nova GmbH",
        "ends 01 Dec 2026 unless the customer confirms",
    )
