"""Customer Services orders a finalised contract: the split preview, the draft orders made
from it, the refusals (nothing half-saved), cancelling a draft, and ordering later."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from acctmgr.domain.fulfilment import OrderStatus
from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import Contract, ContractStatus, Order, OrderedLine, OrderLine, QuoteLine
from acctmgr.services.fulfilment import order_views, orders, split
from acctmgr.services.fulfilment.orders import OrderIn, OrdersIn
from acctmgr.services.fulfilment.split import SplitBy
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import UnitOfWork
from tests.fulfilment_support import STARTS
from tests.services.fulfilment.orders_support import (
    BERLIN,
    LATER_START,
    MUNICH,
    confirmed,
    counts,
    two_locations,
)


def test_the_preview_proposes_one_order_or_a_split_and_leaves_later_lines_out(
    admin: Context, tmp_path: Path
) -> None:
    """One order by default; by location, two; by start date, two; a line for later is in
    none; nothing is written."""
    made = two_locations(admin, tmp_path)
    platform, workshop, report = made.line_ids
    cs = admin.as_user("cs")
    before = counts(admin)

    def proposal(
        split_by: SplitBy, later: tuple[int, ...] = ()
    ) -> list[tuple[str, date, list[int]]]:
        preview = split.split_preview(cs, made.contract_id, split_by, later)
        assert preview.finalised
        return [(o.location, o.starts_on, o.quote_line_ids) for o in preview.orders]

    assert proposal(SplitBy.NONE) == [("", STARTS, [platform, workshop, report])]
    assert proposal(SplitBy.LOCATION) == [
        (BERLIN, STARTS, [platform, report]),
        (MUNICH, LATER_START, [workshop]),
    ]
    assert proposal(SplitBy.START) == [
        (BERLIN, STARTS, [platform, report]),
        (MUNICH, LATER_START, [workshop]),
    ]
    assert proposal(SplitBy.LOCATION, (workshop,)) == [(BERLIN, STARTS, [platform, report])]
    assert counts(admin) == before


def test_split_orders_are_drafts_with_the_quote_lines_prices_and_dates(
    admin: Context, tmp_path: Path
) -> None:
    """Each order is a numbered draft with its own start; its lines carry the quote's list
    price, unit net (a half minor unit rounded up), net, the contract's end and the line's
    deadline; each quote line is recorded as ordered, and the preview has nothing left to
    order."""
    made = two_locations(admin, tmp_path)
    with admin.database.write_session() as session:
        platform = session.get(QuoteLine, made.line_ids[0])
        assert platform is not None
        platform.quantity, platform.net_minor = 2, 1_000_01  # a unit is 500.005
        session.commit()
    cs = admin.as_user("cs")
    result = orders.create_orders(
        cs, made.contract_id, confirmed(cs, made.contract_id, SplitBy.LOCATION)
    )
    assert [(o.location, o.starts_on, o.status) for o in result.orders] == [
        (BERLIN, STARTS, OrderStatus.DRAFT),
        (MUNICH, LATER_START, OrderStatus.DRAFT),
    ]
    with admin.database.read_session() as session:
        stored = session.scalars(select(Order).order_by(Order.id)).all()
        assert [o.number for o in stored] == [f"SO-{o.id:06d}" for o in stored]
        lines = session.scalars(select(OrderLine).order_by(OrderLine.id)).all()
        contract = session.get(Contract, made.contract_id)
        assert contract is not None
        assert [
            (line.order_id, line.quote_line_id, line.list_price_minor, line.unit_net_minor)
            for line in lines
        ] == [
            (stored[0].id, made.line_ids[0], 1_000_00, 500_01),
            (stored[0].id, made.line_ids[2], 0, 0),
            (stored[1].id, made.line_ids[1], 2_500_00, 2_500_00),
        ]
        assert {line.ends_on for line in lines} == {contract.ends_on}
        assert [line.consume_by for line in lines] == [None, None, date(2027, 12, 31)]
        ordered = session.execute(select(OrderedLine.quote_line_id, OrderedLine.order_id)).all()
        assert sorted(ordered) == sorted(
            [
                (made.line_ids[0], stored[0].id),
                (made.line_ids[2], stored[0].id),
                (made.line_ids[1], stored[1].id),
            ]
        )
    assert split.split_preview(cs, made.contract_id).lines == []


def test_a_line_left_for_later_is_ordered_another_day(admin: Context, tmp_path: Path) -> None:
    """A partial order: the line for later stays to be ordered, and is ordered next time."""
    made = two_locations(admin, tmp_path)
    workshop = made.line_ids[1]
    cs = admin.as_user("cs")
    orders.create_orders(cs, made.contract_id, confirmed(cs, made.contract_id, later=(workshop,)))
    left = split.split_preview(cs, made.contract_id)
    assert [line.quote_line_id for line in left.lines] == [workshop]
    future = date(2027, 6, 1)
    result = orders.create_orders(
        cs,
        made.contract_id,
        OrdersIn(orders=[OrderIn(location=MUNICH, starts_on=future, quote_line_ids=[workshop])]),
    )
    assert [(o.starts_on, len(o.lines)) for o in result.orders] == [(STARTS, 2), (future, 1)]


def test_each_bad_split_is_refused_in_a_sentence_and_nothing_is_saved(
    admin: Context, tmp_path: Path
) -> None:
    """No order for a line, a line twice, an empty order, a start before the contract's or
    after its end, a trial on a service, ending before the start or after the contract, a
    stranger's line: one sentence each."""
    made = two_locations(admin, tmp_path)
    platform, workshop, report = made.line_ids
    cs = admin.as_user("cs")

    def order(*ids: int, starts: date = STARTS, trials: dict[int, date] | None = None) -> OrderIn:
        return OrderIn(starts_on=starts, quote_line_ids=list(ids), trial_ends_on=trials or {})

    bad = [
        (OrdersIn(orders=[order(platform, report)]), "Line 2 (Workshop) is in no order"),
        (
            OrdersIn(orders=[order(platform, workshop), order(workshop, report)]),
            "Line 2 (Workshop) is in two orders",
        ),
        (
            OrdersIn(orders=[order(platform, workshop, report)], later=[report]),
            "is in two orders (or in one and also left for later)",
        ),
        (
            OrdersIn(orders=[order(platform, workshop, report), order()]),
            "An order needs at least one line.",
        ),
        (OrdersIn(orders=[], later=[platform, workshop, report]), "Put at least one line"),
        (
            OrdersIn(orders=[order(platform, workshop, report, starts=date(2026, 12, 31))]),
            "An order cannot start before its contract, on 01 Jan 2027.",
        ),
        (
            OrdersIn(orders=[order(platform, workshop, report, starts=date(2028, 1, 2))]),
            "An order cannot start after its contract ends, on 01 Jan 2028.",
        ),
        (
            OrdersIn(
                orders=[order(platform, workshop, report, trials={workshop: date(2027, 2, 1)})]
            ),
            "Line 2 (Workshop) is not a subscription",
        ),
        (
            OrdersIn(orders=[order(platform, workshop, report, trials={platform: STARTS})]),
            "must end after the line starts",
        ),
        (
            OrdersIn(
                orders=[order(platform, workshop, report, trials={platform: date(2028, 1, 2)})]
            ),
            "must end by the contract's end, on 01 Jan 2028.",
        ),
        (
            OrdersIn(orders=[order(platform, workshop, report, 999_999)]),
            "Quote line 999999 is not one of contract",
        ),
    ]
    before = counts(admin)
    for data, sentence in bad:
        with pytest.raises(InvalidInput) as refused:
            orders.create_orders(cs, made.contract_id, data)
        assert sentence in refused.value.message, sentence
    assert counts(admin) == before
    with pytest.raises(PermissionDenied):
        orders.create_orders(
            admin.as_user("kam"), made.contract_id, confirmed(cs, made.contract_id)
        )
    assert counts(admin) == before


def test_a_contract_not_finalised_cannot_be_ordered(admin: Context, tmp_path: Path) -> None:
    """Until it is finalised a contract's lines are shown but no order is proposed or made."""
    made = two_locations(admin, tmp_path)
    cs = admin.as_user("cs")
    data = confirmed(cs, made.contract_id)
    with admin.database.write_session() as session:
        contract = session.get(Contract, made.contract_id)
        assert contract is not None
        contract.status = ContractStatus.SENT_FOR_SIGNATURE
        contract.finalised_at = None
        session.commit()
    assert split.split_preview(cs, made.contract_id).orders == []
    before = counts(admin)
    with pytest.raises(InvalidInput, match="is not finalised: finalise it before ordering"):
        orders.create_orders(cs, made.contract_id, data)
    assert counts(admin) == before


def test_a_line_already_ordered_is_refused_even_when_a_race_hides_it(
    admin: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ordered lines are refused by name; two people ordering at once cannot both succeed:
    the ordered line's primary key refuses the second, in a sentence, with nothing saved."""
    made = two_locations(admin, tmp_path)
    cs = admin.as_user("cs")
    data = confirmed(cs, made.contract_id, SplitBy.LOCATION)
    orders.create_orders(cs, made.contract_id, data)
    before = counts(admin)
    with pytest.raises(InvalidInput, match=r"Line 1 \(Platform\) is already ordered in SO-"):
        orders.create_orders(cs, made.contract_id, data)

    # The second person read the lines before the first saved: to them all look unordered.
    def every_line(uow: UnitOfWork, contract: Contract) -> list[QuoteLine]:
        return list(
            uow.session.scalars(select(QuoteLine).where(QuoteLine.quote_id == contract.quote_id))
        )

    monkeypatch.setattr(orders, "lines_to_order", every_line)
    with pytest.raises(InvalidInput) as refused:
        orders.create_orders(cs, made.contract_id, data)
    assert refused.value.message == orders.RACED
    assert counts(admin) == before


def test_a_cancelled_draft_frees_its_lines_and_an_activated_order_cannot_be_cancelled(
    admin: Context, tmp_path: Path
) -> None:
    """Cancelling a draft lets its lines be ordered again (the order's audit trail names
    them); an activated order is locked."""
    made = two_locations(admin, tmp_path)
    cs = admin.as_user("cs")
    first = orders.create_orders(cs, made.contract_id, confirmed(cs, made.contract_id)).orders[0]
    result = orders.cancel_order(cs, first.order_id, first.version)
    assert result.orders[0].status is OrderStatus.CANCELLED
    released = [
        entry.after
        for entry in audit.trail(admin, RecordType.ORDER, first.order_id)
        if entry.action == "fulfilment.cancel_order:released_lines"
    ]
    assert released == [{"quote_line_ids": sorted(made.line_ids)}]
    assert len(split.split_preview(cs, made.contract_id).lines) == 3
    again = orders.create_orders(cs, made.contract_id, confirmed(cs, made.contract_id)).orders[1]
    activated = orders.activate_order(cs, again.order_id, again.version).orders[1]
    before = counts(admin)
    with pytest.raises(InvalidInput, match="is activated and locked: revise it to change it"):
        orders.cancel_order(cs, activated.order_id, activated.version)
    with pytest.raises(InvalidInput, match="is cancelled and cannot change"):
        orders.activate_order(cs, first.order_id, result.orders[0].version)
    assert counts(admin) == before
    listed = order_views.contract_orders(cs, made.contract_id)
    assert [o.status for o in listed.orders] == [OrderStatus.CANCELLED, OrderStatus.ACTIVATED]
