"""Activating an order: what it starts (subscriptions on their date, trials, entitlements
with their deadline), its ERP export queued in the same transaction, and the lock after."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.domain.contracts import SubscriptionKind, SubscriptionStatus
from acctmgr.domain.fulfilment import ExportStatus, OrderStatus
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import (
    Account,
    Contract,
    Entitlement,
    ErpExport,
    Order,
    QuoteLine,
    Subscription,
)
from acctmgr.services.fulfilment import orders
from acctmgr.services.fulfilment.orders import OrderIn, OrdersIn
from acctmgr.services.fulfilment.split import SplitBy
from acctmgr.services.kernel.context import Context
from tests.fulfilment_support import STARTS, finalised_contract, hire
from tests.services.fulfilment.orders_support import (
    BERLIN,
    LATER_START,
    confirmed,
    counts,
    two_locations,
)


def test_activating_split_orders_provisions_them_and_queues_each_export_once(
    admin: Context, tmp_path: Path
) -> None:
    """Each activated order makes its pending subscription or its entitlement and one queued
    export keyed by number and revision, whose payload tells the ERP the order in full."""
    made = two_locations(admin, tmp_path)
    cs = admin.as_user("cs")
    drafts = orders.create_orders(
        cs, made.contract_id, confirmed(cs, made.contract_id, SplitBy.LOCATION)
    ).orders
    for draft in drafts:
        orders.activate_order(cs, draft.order_id, draft.version)
    with admin.database.read_session() as session:
        stored = session.scalars(select(Order).order_by(Order.id)).all()
        assert {o.status for o in stored} == {OrderStatus.ACTIVATED}
        assert {o.activated_by_id for o in stored} != {None}
        subscription = session.scalars(select(Subscription)).one()
        assert (subscription.order_id, subscription.status, subscription.starts_on) == (
            stored[0].id,
            SubscriptionStatus.PENDING,  # 1 Jan 2027 has not come
            STARTS,
        )
        entitlement = session.scalars(select(Entitlement)).one()
        assert (entitlement.starts_on, entitlement.consume_by, entitlement.quantity) == (
            LATER_START,
            date(2027, 12, 31),
            1,
        )
        exports = session.scalars(select(ErpExport).order_by(ErpExport.id)).all()
        assert [(e.idempotency_key, e.replaces_key, e.status) for e in exports] == [
            (f"order:{o.number}:1", None, ExportStatus.QUEUED) for o in stored
        ]
        account = session.get(Account, made.account_id)
        contract = session.get(Contract, made.contract_id)
        assert account is not None
        assert contract is not None
        sent = json.loads(exports[0].payload)
        assert sent["account"] == {
            "id": account.id,
            "name": account.name,
            "iseries_number": account.iseries_number,
        }
        assert (sent["order_number"], sent["revision"], sent["contract_number"]) == (
            stored[0].number,
            1,
            contract.number,
        )
        assert (sent["location"], sent["starts_on"], sent["currency"]) == (
            BERLIN,
            "2027-01-01",
            "USD",
        )
        assert [(line["sku_code"], line["net_minor"]) for line in sent["lines"]] == [
            (f"PLATFORM-{account.id}", 1_000_00),
            (None, 0),
        ]
        assert sent["lines"][0]["ends_on"] == contract.ends_on.isoformat()


def test_a_service_sold_becomes_an_entitlement_with_its_deadline(
    admin: Context, tmp_path: Path
) -> None:
    """Once its order is activated, Customer Success can track the workshop: its quantity,
    the deadline from the quote and its contract, from the workshop's own start (1 Mar) in
    an order from 1 Jan."""
    made = two_locations(admin, tmp_path)
    cs = admin.as_user("cs")
    (draft,) = orders.create_orders(cs, made.contract_id, confirmed(cs, made.contract_id)).orders
    assert (draft.starts_on, draft.lines[1].starts_on) == (STARTS, LATER_START)
    orders.activate_order(cs, draft.order_id, draft.version)
    with admin.database.read_session() as session:
        rows = session.scalars(select(Entitlement)).all()
        assert [(r.quantity, r.starts_on, r.consume_by, r.contract_id) for r in rows] == [
            (1, LATER_START, date(2027, 12, 31), made.contract_id)  # within 12 months
        ]


def test_a_subscription_sold_from_a_later_day_starts_then_and_its_trial_ends_after(
    admin: Context, tmp_path: Path
) -> None:
    """A platform sold from 1 June, ordered in one order from 1 January, is shown, started and
    exported from 1 June; a trial ending before then is refused, nothing saved."""
    hire(admin)
    june = date(2027, 6, 1)
    made = finalised_contract(admin, tmp_path, line_starts=(june, None, None))
    cs = admin.as_user("cs")
    data = confirmed(cs, made.contract_id)
    (whole,) = data.orders
    trial = whole.model_copy(update={"trial_ends_on": {made.line_ids[0]: date(2027, 5, 31)}})
    before = counts(admin)
    with pytest.raises(InvalidInput, match="must end after the line starts"):
        orders.create_orders(cs, made.contract_id, OrdersIn(orders=[trial]))
    assert counts(admin) == before
    (draft,) = orders.create_orders(cs, made.contract_id, data).orders
    assert [line.starts_on for line in draft.lines] == [june, STARTS, STARTS]
    orders.activate_order(cs, draft.order_id, draft.version)
    with admin.database.read_session() as session:
        assert session.scalars(select(Subscription.starts_on)).one() == june
        sent = json.loads(session.scalars(select(ErpExport.payload)).one())
    # The ERP is told each line's own first day too.
    assert [line["starts_on"] for line in sent["lines"]] == [
        day.isoformat() for day in (june, STARTS, STARTS)
    ]


def test_a_contract_entitled_before_orders_existed_is_not_entitled_twice(
    admin: Context, tmp_path: Path
) -> None:
    """A workshop entitled when its contract was activated, before orders (no order line),
    is the one its order's line adopts: no second entitlement."""
    made = two_locations(admin, tmp_path)
    with admin.database.write_session() as session:
        workshop = session.get(QuoteLine, made.line_ids[1])
        assert workshop is not None
        assert workshop.sku_version_id is not None
        legacy = Entitlement(
            account_id=made.account_id,
            contract_id=made.contract_id,
            sku_version_id=workshop.sku_version_id,
            quantity=1,
            starts_on=STARTS,
            consume_by=date(2027, 12, 31),
            created_at=admin.clock.now(),
        )
        session.add(legacy)
        session.commit()
        legacy_id = legacy.id
    cs = admin.as_user("cs")
    (draft,) = orders.create_orders(cs, made.contract_id, confirmed(cs, made.contract_id)).orders
    orders.activate_order(cs, draft.order_id, draft.version)
    with admin.database.read_session() as session:
        (entitlement,) = session.scalars(select(Entitlement)).all()
        assert (entitlement.id, entitlement.order_line_id) == (
            legacy_id,
            draft.lines[1].order_line_id,
        )


def test_an_order_starting_today_starts_its_subscription_and_a_trial_ends_on_its_date(
    admin: Context, tmp_path: Path, clock: AdjustableClock
) -> None:
    """Activated on or after its start, the subscription starts at once; one given a trial
    end runs as a free trial until then."""
    made = two_locations(admin, tmp_path)
    cs = admin.as_user("cs")
    platform, workshop, report = made.line_ids
    trial_end = date(2027, 1, 31)
    data = OrdersIn(
        orders=[
            OrderIn(
                starts_on=STARTS,
                quote_line_ids=[platform, workshop, report],
                trial_ends_on={platform: trial_end},
            )
        ]
    )
    (draft,) = orders.create_orders(cs, made.contract_id, data).orders
    clock.set(datetime(2027, 1, 2, 9, tzinfo=UTC))
    orders.activate_order(cs, draft.order_id, draft.version)
    with admin.database.read_session() as session:
        subscription = session.scalars(select(Subscription)).one()
        assert (subscription.kind, subscription.status, subscription.ends_on) == (
            SubscriptionKind.TEST,
            SubscriptionStatus.ACTIVE,
            trial_end,
        )
        assert subscription.net_price_minor == 0


def test_an_activated_order_is_locked_and_activation_is_refused_in_a_sentence(
    admin: Context, tmp_path: Path
) -> None:
    """Activating twice, with a stale version, by a KAM or for a contract no longer
    finalised is refused; nothing is half-saved."""
    made = two_locations(admin, tmp_path)
    cs = admin.as_user("cs")
    first, second = orders.create_orders(
        cs, made.contract_id, confirmed(cs, made.contract_id, SplitBy.LOCATION)
    ).orders
    with pytest.raises(PermissionDenied):
        orders.activate_order(admin.as_user("kam"), first.order_id, first.version)
    done = orders.activate_order(cs, first.order_id, first.version).orders[0]
    before = counts(admin)
    with pytest.raises(InvalidInput, match="activated and locked"):
        orders.activate_order(cs, first.order_id, done.version)
    with pytest.raises(Conflict):
        orders.activate_order(cs, first.order_id, first.version)
    with admin.database.write_session() as session:
        contract = session.get(Contract, made.contract_id)
        assert contract is not None
        contract.finalised_at = None
        session.commit()
    with pytest.raises(InvalidInput, match="is not finalised: its orders cannot be activated"):
        orders.activate_order(cs, second.order_id, second.version)
    assert counts(admin) == before
    with admin.database.read_session() as session:
        assert session.get(Order, second.order_id).status is OrderStatus.DRAFT  # type: ignore[union-attr]
