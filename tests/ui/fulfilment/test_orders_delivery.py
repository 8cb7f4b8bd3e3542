"""The orders screen at 80x24: Customer Services sets a line's delivery (refused beside the
field at once when outside the contract), splits by it, creates and activates every draft in
one question; others see the orders without the keys to act; the footer promises no Enter
the screen does not do."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input, Label

from acctmgr.app import AcctmgrApp
from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.domain.fulfilment import OrderStatus
from acctmgr.models import Order, QuoteLine
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.screens.fulfilment.orders import OrdersScreen, to_order_title
from acctmgr.services.fulfilment import orders, revisions
from acctmgr.services.fulfilment.order_views import ContractOrders
from acctmgr.services.fulfilment.revisions import RevisionIn
from acctmgr.services.fulfilment.split import SplitBy, SplitPreview
from acctmgr.services.kernel.context import Context
from tests.conftest import NOW
from tests.services.fulfilment.orders_support import confirmed
from tests.ui.fulfilment.test_orders_screen import office_with_a_finalised_contract, table
from tests.ui_support import build_app, notifications, settle, until, while_waiting

SIZE = (80, 24)
ACTING = ("split", "later", "set_delivery", "create", "activate", "activate_all", "cancel_draft")


def footer_keys(app: AcctmgrApp) -> set[str]:
    return {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}


async def test_a_line_set_for_another_place_and_day_makes_a_second_order(
    tmp_path: Path, office: Path
) -> None:
    """k (or Enter) on a line: a start before the contract is refused beside the field, the
    dialog open; Hamburg from 1 April is shown; by location it is a second order; both made
    and activated in one question; the quote is as accepted."""
    template, made = office_with_a_finalised_contract(tmp_path, office, plain=True)
    app = build_app(tmp_path, "cs", template)
    shown = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(OrdersScreen(made.contract_id))
        await until(app, pilot, lambda: table(app, "to-order-table").row_count == 3, "lines")
        assert "select" not in footer_keys(app)  # no "Open" that would do nothing
        await pilot.press("enter")
        await while_waiting(pilot, lambda: isinstance(app.screen, FormDialog), "set delivery")
        app.screen.query_one("#location", Input).value = "Hamburg"
        app.screen.query_one("#starts_on", Input).value = "2026-12-01"
        await pilot.press("ctrl+s")
        error = "#starts_on-error"
        await while_waiting(
            pilot, lambda: app.screen.query_one(error, Label).has_class("shown"), "refused"
        )
        assert "before the contract" in str(app.screen.query_one(error, Label).render())
        app.screen.query_one("#starts_on", Input).value = "2027-04-01"
        await pilot.press("ctrl+s")
        await until(
            app, pilot, lambda: table(app, "to-order-table").texts(2)[0] == "Hamburg", "shown"
        )
        assert table(app, "to-order-table").texts(3)[0] == "01 Apr 2027"
        await pilot.press("g")
        await until(
            app, pilot, lambda: table(app, "to-order-table").texts(4) == ["1", "2", "2"], "split"
        )
        heading = str(app.screen.query_one("#orders-heading").render())
        assert "Preview: by location" in heading
        assert "3 lines in 2 orders" in str(app.screen.query_one("#to-order-title").render())
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "2 draft orders made" in " ".join(shown), "made")
        await until(app, pilot, lambda: table(app, "orders-table").has_focus, "orders next")
        assert "set_delivery" not in footer_keys(app)  # Enter on an order offers nothing
        await pilot.press("C")  # cancel: asked, saying what it means, and not done
        await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "cancel?")
        said = str(app.screen.query_one(".dialog-text").render())
        assert "stays listed as cancelled" in said
        assert "ordered again" in said
        await pilot.press("n")
        await until(app, pilot, lambda: isinstance(app.screen, OrdersScreen), "kept")
        await pilot.press("D")
        await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asked")
        assert "2 draft orders" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("y")
        await until(app, pilot, lambda: "2 orders activated." in shown, "activated")

    with app.context.database.read_session() as session:
        stored = session.scalars(select(Order).order_by(Order.id)).all()
        assert [(o.location, o.status) for o in stored] == [
            ("Hamburg", OrderStatus.ACTIVATED),
            ("", OrderStatus.ACTIVATED),
        ]
        quoted = session.get(QuoteLine, made.line_ids[0])
        assert quoted is not None
        assert (quoted.location, quoted.starts_on) == ("", None)


async def test_others_see_the_orders_without_the_keys_to_act(tmp_path: Path, office: Path) -> None:
    """Only Customer Services orders: Finance is shown no key the service would refuse."""
    template, made = office_with_a_finalised_contract(tmp_path, office, plain=True)
    app = build_app(tmp_path, "finance", template)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(OrdersScreen(made.contract_id))
        await until(app, pilot, lambda: table(app, "to-order-table").row_count == 3, "lines")
        assert [a for a in ACTING if app.screen.check_action(a, ())] == []
        await pilot.press("k")
        await settle(app, pilot)
        assert isinstance(app.screen, OrdersScreen)  # nothing asked


def test_a_contract_started_before_orders_says_so() -> None:
    """A contract with no quote lines to order and no orders says why in one sentence."""
    day = NOW.date()
    preview = SplitPreview(
        contract_id=1,
        number="CT-0000012",
        account_name="Old GmbH",
        currency="EUR",
        starts_on=day,
        finalised=True,
        split_by=SplitBy.NONE,
        lines=[],
        orders=[],
        later=[],
    )
    listed = ContractOrders(
        contract_id=1,
        number="CT-0000012",
        account_id=1,
        account_name="Old GmbH",
        currency="EUR",
        starts_on=day,
        ends_on=day,
        finalised=True,
        may_order=True,
        orders=[],
    )
    assert to_order_title(preview, listed) == (
        "This contract has no quote lines to order: its subscriptions were started before "
        "acctmgr took orders."
    )


async def test_a_revision_past_its_date_is_refused_before_asking(
    tmp_path: Path, office: Path
) -> None:
    """A draft revision whose effective date has passed: A (and D) say why, and ask nothing."""
    template, made = office_with_a_finalised_contract(tmp_path, office, plain=True)
    database = Database(f"sqlite:///{template}")
    try:
        cs = Context(database, AdjustableClock(NOW), "cs")
        (draft,) = orders.create_orders(
            cs, made.contract_id, confirmed(cs, made.contract_id)
        ).orders
        (order,) = orders.activate_order(cs, draft.order_id, draft.version).orders
        platform = order.lines[0].order_line_id
        change = RevisionIn(effective_on=order.starts_on, quantities={platform: 2})
        revisions.revise_order(cs, order.order_id, order.version, change)
    finally:
        database.dispose()
    app = build_app(tmp_path, "cs", template)
    shown = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        clock = app.context.clock
        assert isinstance(clock, AdjustableClock)
        clock.set(datetime(2027, 1, 5, 9, tzinfo=UTC))
        app.push_screen(OrdersScreen(made.contract_id))
        await until(app, pilot, lambda: table(app, "orders-table").row_count > 0, "orders")
        listed = table(app, "orders-table")
        listed.focus()
        listed.move_to([k for k in listed.keys if k.startswith("order-")][-1])
        for key in ("A", "D"):
            shown.clear()
            await pilot.press(key)
            await settle(app, pilot)
            assert isinstance(app.screen, OrdersScreen), key  # nothing asked
            assert any("which has passed" in message for message in shown), key
