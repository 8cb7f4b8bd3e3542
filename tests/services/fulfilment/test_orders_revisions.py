"""A changed activated order is a new revision: prorated additions co-terminated with the
contract, the old revision superseded, subscriptions kept, ended or started from the
effective date, and an export that replaces the old one's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.domain.catalogue import SkuKind
from acctmgr.domain.contracts import SubscriptionStatus
from acctmgr.domain.fulfilment import OrderStatus, SubscriptionEnd
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import Contract, Entitlement, ErpExport, Order, Subscription
from acctmgr.services.fulfilment import orders, revisions
from acctmgr.services.fulfilment.order_views import OrderView
from acctmgr.services.fulfilment.revisions import AddedLineIn, RevisionIn
from acctmgr.services.kernel.context import Context
from tests.quote_support import sku
from tests.services.fulfilment.orders_support import confirmed, counts, two_locations

EFFECTIVE = date(2027, 7, 1)  # 185 days left: to the contract's end, 1 Jan 2028, included


def running_order(admin: Context, folder: Path, clock: AdjustableClock) -> OrderView:
    """The contract in one order, activated on 2 Jan 2027 (its platform running); today is
    1 Feb 2027."""
    made = two_locations(admin, folder)
    cs = admin.as_user("cs")
    (draft,) = orders.create_orders(cs, made.contract_id, confirmed(cs, made.contract_id)).orders
    clock.set(datetime(2027, 1, 2, 9, tzinfo=UTC))
    (order,) = orders.activate_order(cs, draft.order_id, draft.version).orders
    clock.set(datetime(2027, 2, 1, 9, tzinfo=UTC))
    return order


def order_contract(admin: Context, order: OrderView) -> int:
    with admin.database.read_session() as session:
        stored = session.get(Order, order.order_id)
        assert stored is not None
        return stored.contract_id


def test_a_revision_supersedes_the_order_from_its_effective_date(
    admin: Context, tmp_path: Path, clock: AdjustableClock
) -> None:
    """More platform and an added SKU: the revision is a draft, prorated and co-terminated;
    activated, the old is superseded, the platform re-priced from the date, the added SKU
    started, the workshop kept; its export replaces the first's. A second revision keeps the
    running subscriptions and gives the workshop its new quantity."""
    order = running_order(admin, tmp_path, clock)
    sku(admin, "ANALYTICS", SkuKind.SUBSCRIPTION, 600_00)
    cs = admin.as_user("cs")
    platform = order.lines[0]
    change = RevisionIn(
        effective_on=EFFECTIVE,
        quantities={platform.order_line_id: 3},
        added=[AddedLineIn(sku_code="analytics", quantity=2, discount_pct=Decimal(10))],
    )
    before = counts(admin)
    revised = revisions.revise_order(cs, order.order_id, order.version, change).orders
    assert [(o.number, o.revision, o.status) for o in revised] == [
        (order.number, 1, OrderStatus.ACTIVATED),
        (f"{order.number}-2", 2, OrderStatus.DRAFT),
    ]
    draft = revised[1]
    assert (draft.supersedes_id, draft.starts_on) == (order.order_id, EFFECTIVE)
    assert [(line.quantity, line.unit_net_minor, line.net_minor) for line in draft.lines] == [
        (3, 1_000_00, 1_000_00 + 1_013_70),  # two more for 185/365 of a year
        (1, 2_500_00, 2_500_00),
        (1, 0, 0),
        (2, 540_00, 547_40),  # 1,080.00 a year, prorated
    ]
    assert draft.lines[3].ends_on == order.lines[0].ends_on  # co-terminated
    assert counts(admin)["subscriptions"] == before["subscriptions"]

    (first, second) = orders.activate_order(cs, draft.order_id, draft.version).orders
    assert (first.status, second.status) == (OrderStatus.SUPERSEDED, OrderStatus.ACTIVATED)
    with admin.database.read_session() as session:
        subs = session.scalars(select(Subscription).order_by(Subscription.id)).all()
        old, new_platform, added = subs
        assert (old.status, old.ends_on, old.ended_reason) == (
            SubscriptionStatus.ENDED,
            date(2027, 6, 30),
            SubscriptionEnd.REPLACED,
        )
        assert (new_platform.quantity, new_platform.starts_on, new_platform.replaces_id) == (
            3,
            EFFECTIVE,
            old.id,
        )
        assert new_platform.status is SubscriptionStatus.PENDING
        assert (added.quantity, added.net_price_minor, added.order_line_id) == (
            2,
            540_00,
            second.lines[3].order_line_id,
        )
        entitlement = session.scalars(select(Entitlement)).one()
        assert entitlement.order_line_id == second.lines[1].order_line_id
        exports = session.scalars(select(ErpExport).order_by(ErpExport.id)).all()
        assert [(e.idempotency_key, e.replaces_key) for e in exports] == [
            (f"order:{order.number}:1", None),
            (f"order:{order.number}:2", f"order:{order.number}:1"),
        ]
        # The ERP is told why a line's net is not its unit net x quantity, and from when.
        sent = json.loads(exports[1].payload)["lines"]
        assert [(line["prorated"], line["starts_on"]) for line in sent] == [
            (True, EFFECTIVE.isoformat()),
            (False, EFFECTIVE.isoformat()),
            (False, EFFECTIVE.isoformat()),
            (True, EFFECTIVE.isoformat()),
        ]

    third_change = RevisionIn(
        effective_on=date(2027, 8, 1), quantities={second.lines[1].order_line_id: 2}
    )
    third = revisions.revise_order(cs, second.order_id, second.version, third_change).orders[2]
    assert third.number == f"{order.number}-3"
    assert third.lines[1].net_minor == 2 * 2_500_00  # a service added costs its full price
    orders.activate_order(cs, third.order_id, third.version)
    with admin.database.read_session() as session:
        kept = session.scalars(
            select(Subscription).where(Subscription.status == SubscriptionStatus.PENDING)
        ).all()
        assert {s.order_id for s in kept} == {third.order_id}
        assert {s.order_line_id for s in kept} == {
            third.lines[0].order_line_id,
            third.lines[3].order_line_id,
        }
        entitlement = session.scalars(select(Entitlement)).one()
        assert (entitlement.quantity, entitlement.order_line_id) == (
            2,
            third.lines[1].order_line_id,
        )
        key = session.scalars(select(ErpExport.replaces_key).order_by(ErpExport.id.desc())).first()
        assert key == f"order:{order.number}:2"


def test_each_bad_revision_is_refused_in_a_sentence_and_nothing_is_saved(
    admin: Context, tmp_path: Path, clock: AdjustableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A past or too late date, a stranger's line, no change, a retired SKU, a KAM, a stale
    copy, a draft, a second revision, a draft activated after its date: refused; a cancelled
    draft revision frees the order."""
    order = running_order(admin, tmp_path, clock)
    sku(admin, "OLD", SkuKind.SUBSCRIPTION, 100_00, retired=True)
    cs = admin.as_user("cs")
    line = order.lines[0].order_line_id
    more = {line: 2}
    bad = [
        (RevisionIn(effective_on=date(2027, 1, 31), quantities=more), "at the earliest"),
        (RevisionIn(effective_on=date(2028, 1, 1), quantities=more), "before the contract ends"),
        (RevisionIn(effective_on=EFFECTIVE, quantities={999_999: 2}), "is not in order"),
        (RevisionIn(effective_on=EFFECTIVE, quantities={line: 1}), "would change nothing"),
        (
            RevisionIn(effective_on=EFFECTIVE, added=[AddedLineIn(sku_code="OLD")]),
            "can no longer be sold",
        ),
        (
            RevisionIn(effective_on=EFFECTIVE, added=[AddedLineIn(sku_code="NOPE")]),
            "There is no SKU NOPE in the catalogue.",
        ),
    ]
    before = counts(admin)
    for data, sentence in bad:
        with pytest.raises(InvalidInput) as refused:
            revisions.revise_order(cs, order.order_id, order.version, data)
        assert sentence in refused.value.message, sentence
    good = RevisionIn(effective_on=EFFECTIVE, quantities=more)
    with pytest.raises(PermissionDenied):
        revisions.revise_order(admin.as_user("kam"), order.order_id, order.version, good)
    assert counts(admin) == before

    draft = revisions.revise_order(cs, order.order_id, order.version, good).orders[1]
    with pytest.raises(InvalidInput, match="already has a revision"):
        revisions.revise_order(cs, order.order_id, order.version, good)
    with monkeypatch.context() as race:  # both read the order before either saved
        race.setattr(revisions, "_revisable", lambda *_: None)
        with pytest.raises(InvalidInput, match="was revised by someone else meanwhile"):
            revisions.revise_order(cs, order.order_id, order.version, good)
    with pytest.raises(InvalidInput, match="is a draft: cancel it"):
        revisions.revise_order(cs, draft.order_id, draft.version, good)
    with pytest.raises(Conflict):
        orders.activate_order(cs, draft.order_id, draft.version - 1)
    clock.set(datetime(2027, 7, 2, 9, tzinfo=UTC))  # its effective date has passed
    held = counts(admin)
    with pytest.raises(InvalidInput, match="which has passed: cancel it and make a new revision"):
        orders.activate_order(cs, draft.order_id, draft.version)
    assert counts(admin) == held
    clock.set(datetime(2027, 2, 1, 9, tzinfo=UTC))
    orders.cancel_order(cs, draft.order_id, draft.version)
    with admin.database.read_session() as session:
        assert session.get(Order, draft.order_id) is None  # a draft revision is taken away
    assert counts(admin) == before
    again = revisions.revise_order(cs, order.order_id, order.version, good).orders[1]
    latest = orders.activate_order(cs, again.order_id, again.version).orders[1]
    with pytest.raises(InvalidInput, match="is superseded: revise its latest"):
        revisions.revise_order(cs, order.order_id, order.version + 1, good)
    with admin.database.write_session() as session:
        contract = session.get(Contract, order_contract(admin, order))
        assert contract is not None
        contract.finalised_at = None
        session.commit()
    before = counts(admin)
    with pytest.raises(InvalidInput, match="is not finalised: its orders cannot be revised"):
        revisions.revise_order(cs, latest.order_id, latest.version, good)
    assert counts(admin) == before


def test_an_added_subscription_pays_a_year_by_the_day_whatever_the_term() -> None:
    """A quote's net is a year's: from 1 Jul 2027 a subscription pays 184/365 of it to the end
    of a 12-month term, 915/365 to the end of a 36-month one (both ends counted, half a minor
    unit up); a service or one-off item pays its full price."""
    on = date(2027, 7, 1)
    twelve, thirty_six = date(2027, 12, 31), date(2029, 12, 31)
    assert revisions.added_cost(SkuKind.SUBSCRIPTION, 1_000_00, on, twelve) == 504_11
    assert revisions.added_cost(SkuKind.SUBSCRIPTION, 1_000_00, on, thirty_six) == 2_506_85
    assert revisions.added_cost(SkuKind.SUBSCRIPTION, 365_00, date(2027, 1, 1), twelve) == 365_00
    for kind in (SkuKind.SERVICE, SkuKind.ONE_OFF, None):
        assert revisions.added_cost(kind, 2_500_00, on, thirty_six) == 2_500_00
