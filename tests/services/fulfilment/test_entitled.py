"""What a customer is entitled to on a date, across two orders of one contract split by start
date: each order's subscriptions and services from its own day, and what was used by then."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from acctmgr.models import Entitlement
from acctmgr.services.fulfilment import entitled, running
from acctmgr.services.fulfilment.consumption import UseIn, record_use
from acctmgr.services.kernel.context import Context
from tests.services.fulfilment.running_support import (
    Sold,
    activated_order,
    catalogue,
    contract,
    key_account,
    staff,
)


def test_entitlements_across_two_split_orders_with_their_own_start_dates(admin: Context) -> None:
    """Berlin's order runs from 1 Jul 2026, Munich's from 1 Dec 2026 (still pending today): a date
    before, between and after the two starts shows what each had started, and the workshops
    used by that day, not later."""
    staff(admin)
    skus = catalogue(admin)
    account = key_account(admin)
    agreed = contract(
        admin,
        account,
        "CT-1",
        [Sold(skus.platform), Sold(skus.replay, 300_00), Sold(skus.workshop, 2_000_00)],
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
    )
    activated_order(
        admin, agreed, "SO-BERLIN", date(2026, 7, 1), [Sold(skus.platform), Sold(skus.workshop)]
    )
    activated_order(
        admin,
        agreed,
        "SO-MUNICH",
        date(2026, 12, 1),
        [Sold(skus.replay, 300_00), Sold(skus.workshop)],
    )
    running.run_due(admin)
    with admin.database.read_session() as session:
        berlin = session.scalars(select(Entitlement.id).order_by(Entitlement.id)).first()
    assert berlin is not None
    success = admin.as_user("success")
    version = record_use(
        success, berlin, 1, UseIn(delivered_on=date(2026, 8, 10), quantity=1)
    ).version
    record_use(success, berlin, version, UseIn(delivered_on=date(2026, 11, 20), quantity=1))
    kam = admin.as_user("kam")

    def on(day: date) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        seen = entitled.entitled_on(kam, account, day)
        return (
            [(s.sku_code, s.order_number, s.trial) for s in seen.subscriptions],
            [(s.order_number, s.quantity, s.used, s.left, s.consume_by) for s in seen.services],
        )

    assert on(date(2026, 6, 15)) == ([], [])
    assert on(date(2026, 9, 1)) == (
        [("PLATFORM", "SO-BERLIN", False)],
        [("SO-BERLIN", 4, 1, 3, date(2027, 6, 30))],
    )
    assert on(date(2026, 12, 15)) == (
        [("PLATFORM", "SO-BERLIN", False), ("REPLAY", "SO-MUNICH", False)],
        [("SO-BERLIN", 4, 2, 2, date(2027, 6, 30)), ("SO-MUNICH", 4, 0, 4, date(2027, 11, 30))],
    )
    assert on(date(2027, 7, 1)) == ([], [("SO-MUNICH", 4, 0, 4, date(2027, 11, 30))])
