"""Customer Services orders a finalised contract on screen: from the finalise screen to the
split preview, a trial end, two orders split by location, each activated after a question,
a revision of one, and what the customer is entitled to on later dates."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input

from acctmgr.app import AcctmgrApp
from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.domain.contracts import SubscriptionKind, SubscriptionStatus
from acctmgr.domain.fulfilment import OrderStatus
from acctmgr.domain.roles import Role
from acctmgr.models import Entitlement, ErpExport, Order, OrderedLine, OrderLine, Subscription
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.screens.fulfilment.entitlements import EntitlementsScreen
from acctmgr.screens.fulfilment.orders import OrdersScreen
from acctmgr.screens.key_accounts.finalise import FinaliseScreen
from acctmgr.services.fulfilment.orders import create_orders
from acctmgr.services.kernel.context import Context
from acctmgr.widgets.record_table import RecordTable
from tests import factories
from tests.conftest import NOW
from tests.fulfilment_support import Finalised, finalised_contract
from tests.services.fulfilment.orders_support import (
    BERLIN,
    LATER_START,
    MUNICH,
    confirmed,
    two_locations,
)
from tests.ui.sales.test_quote import type_into
from tests.ui_support import build_app, notifications, settle, until, while_waiting

SIZE = (80, 24)
TRIAL_END = date(2027, 1, 31)


def office_with_a_finalised_contract(
    tmp_path: Path, office: Path, plain: bool = False
) -> tuple[Path, Finalised]:
    """The office with Customer Services and a finalised contract: two locations and a later
    line, or ``plain`` (no line given a location nor a start)."""
    template = tmp_path / "template.db"
    shutil.copy(office, template)
    database = Database(f"sqlite:///{template}")
    try:
        admin = Context(database, AdjustableClock(NOW), "admin")
        # The office has its KAM already; "cs" is who finalised the contract.
        factories.hire(admin, ("cs", "Cas Service", None, Role.CUSTOMER_SERVICES))
        made = (
            finalised_contract(admin, tmp_path)
            if plain
            else two_locations(admin, tmp_path, staff=False)
        )
    finally:
        database.dispose()
    return template, made


def table(app: AcctmgrApp, name: str) -> RecordTable:
    return app.screen.query_one(f"#{name}", RecordTable)


async def test_customer_services_splits_and_activates_the_orders(
    tmp_path: Path, office: Path
) -> None:
    """By location, the platform with a trial and the workshop go into two orders; each is
    activated after a question, and starts its subscription, entitlement and ERP export."""
    template, made = office_with_a_finalised_contract(tmp_path, office)
    app = build_app(tmp_path, "cs", template)
    shown = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(FinaliseScreen(made.contract_id))
        await until(app, pilot, lambda: app.screen.check_action("orders", ()) is True, "final")
        await pilot.press("ctrl+g")
        await until(
            app,
            pilot,
            lambda: (
                isinstance(app.screen, OrdersScreen) and table(app, "to-order-table").row_count == 3
            ),
            "the lines to order",
        )
        assert table(app, "to-order-table").texts(4) == ["1", "1", "1"]  # one order by default
        await pilot.press("g")
        await until(
            app, pilot, lambda: table(app, "to-order-table").texts(4) == ["1", "2", "1"], "split"
        )
        table(app, "to-order-table").focus()
        await pilot.press("k")  # the platform, first line
        await while_waiting(pilot, lambda: isinstance(app.screen, FormDialog), "the trial end")
        app.screen.query_one("#trial_ends_on", Input).value = TRIAL_END.isoformat()
        await pilot.press("ctrl+s")
        await until(
            app,
            pilot,
            lambda: table(app, "to-order-table").texts(5)[0] == "31 Jan 2027",
            "the trial end shown",
        )
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "2 draft orders made" in " ".join(shown), "the orders")
        await until(app, pilot, lambda: table(app, "to-order-table").row_count == 0, "ordered")

        orders = table(app, "orders-table")
        assert orders.has_focus  # made, the orders are what comes next
        for key in [k for k in orders.keys if k.startswith("order-")]:
            orders.move_to(key)
            await pilot.press("A")
            await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asked")
            await pilot.press("y")
            await until(app, pilot, lambda: shown[-1].endswith("is activated."), "activated")
        await until(
            app, pilot, lambda: table(app, "orders-table").texts(1).count("Activated") == 2, "both"
        )
        # A change is a revision: one more workshop in Munich from 1 June, as a draft.
        second = [k for k in orders.keys if k.startswith("order-")][1]
        orders.move_to(second)
        await pilot.press("e")
        await while_waiting(pilot, lambda: isinstance(app.screen, FormDialog), "the revision")
        workshop_line = [k for k in orders.keys if k.startswith(second.replace("order", "line"))]
        quantity = f"#qty-{workshop_line[0].rsplit('-', 1)[1]}"
        app.screen.query_one("#effective_on", Input).value = "2027-06-01"
        app.screen.query_one(quantity, Input).value = "2"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "A draft revision" in shown[-1], "the revision made")
        await until(
            app,
            pilot,
            lambda: "Draft, revision 2" in table(app, "orders-table").texts(1),
            "shown, under the number the ERP knows",
        )
        listed = table(app, "orders-table")
        numbers = [listed.texts(0)[i] for i, k in enumerate(listed.keys) if k.startswith("order")]
        assert numbers[1] == numbers[2]  # the revision of the second order, under its number

        # What the customer is entitled to then: in January the platform's trial (Berlin);
        # in March, the trial over unconfirmed, the workshop of the Munich order.
        app.open_account(made.account_id)
        await settle(app, pilot)
        await pilot.press("E")
        await until(app, pilot, lambda: isinstance(app.screen, EntitlementsScreen), "entitled")
        for day, subscriptions, services in (
            ("2027-01-15", [("Trial, from 01 Jan 2027", numbers[0])], []),  # to be started
            ("2027-03-15", [], [numbers[1]]),
        ):
            await type_into(app, pilot, "#on", day)
            await pilot.press("enter")
            await until(
                app,
                pilot,
                lambda day=day: (
                    str(app.screen.sub_title) == f"on {date.fromisoformat(day):%d %b %Y}"
                ),
                f"the entitlements on {day}",
            )
            await settle(app, pilot)
            running = table(app, "entitled-subscriptions")
            assert list(zip(running.texts(1), running.texts(5), strict=True)) == subscriptions
            assert table(app, "entitled-services").texts(6) == services

    with app.context.database.read_session() as session:
        stored = session.scalars(select(Order).where(Order.revision == 1).order_by(Order.id)).all()
        assert [(o.location, o.starts_on, o.status) for o in stored] == [
            (BERLIN, date(2027, 1, 1), OrderStatus.ACTIVATED),
            (MUNICH, LATER_START, OrderStatus.ACTIVATED),
        ]
        revision = session.scalars(select(Order).where(Order.revision == 2)).one()
        assert (revision.supersedes_id, revision.status) == (stored[1].id, OrderStatus.DRAFT)
        lines = session.scalars(
            select(OrderLine).where(OrderLine.order_id != revision.id).order_by(OrderLine.id)
        ).all()
        assert [(line.order_id, line.quote_line_id, line.trial_ends_on) for line in lines] == [
            (stored[0].id, made.line_ids[0], TRIAL_END),
            (stored[0].id, made.line_ids[2], None),
            (stored[1].id, made.line_ids[1], None),
        ]
        assert sorted(session.scalars(select(OrderedLine.quote_line_id))) == sorted(made.line_ids)
        subscription = session.scalars(
            select(Subscription).where(Subscription.contract_id == made.contract_id)
        ).one()
        assert (subscription.kind, subscription.status, subscription.ends_on) == (
            SubscriptionKind.TEST,
            SubscriptionStatus.PENDING,
            TRIAL_END,
        )
        entitlement = session.scalars(
            select(Entitlement).where(Entitlement.contract_id == made.contract_id)
        ).one()
        assert (entitlement.order_line_id, entitlement.starts_on) == (lines[2].id, LATER_START)
        exports = session.scalars(select(ErpExport).order_by(ErpExport.id)).all()
        assert [json.loads(e.payload)["order_number"] for e in exports] == [
            o.number for o in stored
        ]


async def test_the_orders_open_from_my_day_and_from_the_account(
    tmp_path: Path, office: Path
) -> None:
    """A draft order is in My day's Orders to activate, whose Enter opens the contract's
    orders (focused, as nothing is left to order; a later line shows its own start); the
    account's Contracts tab opens them too (Ctrl+G)."""
    template, made = office_with_a_finalised_contract(tmp_path, office)
    database = Database(f"sqlite:///{template}")
    try:
        cs = Context(database, AdjustableClock(NOW), "cs")
        create_orders(cs, made.contract_id, confirmed(cs, made.contract_id))
    finally:
        database.dispose()
    app = build_app(tmp_path, "cs", template)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        listed = app.screen.query_one("#table-orders_to_activate", RecordTable)
        assert listed.texts(1)[0].startswith("SO-")
        listed.focus()
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, OrdersScreen), "from My day")
        assert app.screen.contract_id == made.contract_id  # type: ignore[attr-defined]
        # Nothing is left to order: the orders have the keys, A asks about the draft.
        await until(app, pilot, lambda: table(app, "orders-table").has_focus, "orders focused")
        # One order from 1 Jan; its workshop, sold from 1 Mar, shows that start.
        assert f"{LATER_START:%d %b %Y}" in table(app, "orders-table").texts(3)
        await pilot.press("A")
        await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asked")
        await pilot.press("n")
        await until(app, pilot, lambda: isinstance(app.screen, OrdersScreen), "not activated")
        await pilot.press("escape")
        await settle(app, pilot)
        app.open_account(made.account_id)
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        app.screen.query_one("#contracts-table", RecordTable).focus()
        await pilot.press("ctrl+g")
        await until(app, pilot, lambda: isinstance(app.screen, OrdersScreen), "from the account")
        assert app.screen.contract_id == made.contract_id  # type: ignore[attr-defined]
