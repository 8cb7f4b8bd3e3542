"""The entitlements of an account on a date, at 80x24: u on the account opens them on today,
] moves a month on, and Customer Success logs a delivered workshop with l."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import Input

from acctmgr.app import AcctmgrApp
from acctmgr.domain.contracts import SubscriptionKind, SubscriptionStatus
from acctmgr.models import (
    Account,
    Contract,
    Entitlement,
    EntitlementUse,
    Order,
    OrderLine,
    OrderStatus,
    Sku,
    Subscription,
)
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.screens.fulfilment.entitlements import EntitlementsScreen
from acctmgr.services.kernel.context import Context
from acctmgr.widgets.record_table import RecordTable
from tests.conftest import NOW
from tests.ui.accounts.test_account_forms import save_dialog, type_into
from tests.ui.test_order_situation import make_key_account
from tests.ui_support import build_app, notifications, settle, until

SIZE = (80, 24)


def entitle(context: Context) -> int:
    """Northwind (the office's first customer) runs EXA-PRO until 30 Nov 2026 and has 4
    workshops (EXA-ESS stands in for the service) to use by 31 Dec 2026, 1 used."""
    with context.database.write_session() as session:
        account_id = session.scalars(select(Account.id).order_by(Account.id)).first()
        pro = session.scalar(select(Sku.current_version_id).where(Sku.code == "EXA-PRO"))
        contract_id = session.scalar(select(Contract.id).where(Contract.account_id == account_id))
        assert account_id
        assert pro
        session.add_all(
            [
                Subscription(
                    account_id=account_id,
                    contract_id=contract_id,
                    sku_version_id=pro,
                    kind=SubscriptionKind.PAID,
                    status=SubscriptionStatus.ACTIVE,
                    quantity=2,
                    net_price_minor=900_00,
                    currency="USD",
                    starts_on=date(2026, 1, 1),
                    ends_on=date(2026, 11, 30),
                    created_at=NOW,
                ),
                Entitlement(
                    account_id=account_id,
                    contract_id=contract_id,
                    sku_version_id=pro,
                    quantity=4,
                    consumed=1,
                    starts_on=date(2026, 6, 1),
                    consume_by=date(2026, 12, 31),
                    created_at=NOW,
                ),
            ]
        )
        session.commit()
        return int(account_id)


def keys_of(screen: EntitlementsScreen, selector: str) -> list[str]:
    return list(screen.query_one(selector, RecordTable).keys)


async def open_entitlements(app: AcctmgrApp, pilot: Any) -> EntitlementsScreen:
    """From the account screen, E opens its entitlements on today."""
    assert isinstance(app.screen, AccountScreen)
    await pilot.press("E")
    await until(
        app,
        pilot,
        lambda: isinstance(app.screen, EntitlementsScreen) and app.screen.entitled,
        "the entitlements of today",
    )
    assert isinstance(app.screen, EntitlementsScreen)
    return app.screen


async def test_customer_success_reads_a_later_date_and_logs_a_workshop(
    tmp_path: Path, office: Path
) -> None:
    """u opens today's entitlements: the subscription and the workshops; ] shows a month on,
    when the subscription has ended; l logs 2 workshops after 5 is refused beside its field."""
    app = build_app(tmp_path, "success", office)
    account_id = entitle(app.context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_account(account_id)
        await settle(app, pilot)
        screen = await open_entitlements(app, pilot)
        assert screen.sub_title == "on 23 Nov 2026"
        assert screen.entitled is not None
        ours = [s for s in screen.entitled.subscriptions if s.net_price_minor == 900_00]
        assert [(s.sku_code, s.quantity, s.ends_on) for s in ours] == [
            ("EXA-PRO", 2, date(2026, 11, 30))
        ]
        (service,) = screen.services.values()
        assert (service.left, service.used) == (3, 1)
        for selector in ("#entitled-on", "#entitled-subscriptions", "#entitled-services"):
            region = screen.query_one(selector).region
            assert region.height > 0, selector
            assert region.right <= SIZE[0], selector
            assert region.bottom <= SIZE[1] - 1, selector  # above the footer
        await pilot.press("right_square_bracket")
        await until(app, pilot, lambda: screen.sub_title == "on 23 Dec 2026", "a month on")
        assert screen.entitled is not None
        assert all(s.net_price_minor != 900_00 for s in screen.entitled.subscriptions)
        assert screen.query_one("#on", Input).value == "2026-12-23"
        # A date typed, then Enter: before the workshops started, only the subscription.
        await type_into(pilot, app, "on", "2026-05-15")
        await pilot.press("enter")
        await until(app, pilot, lambda: screen.sub_title == "on 15 May 2026", "the typed date")
        assert screen.services == {}
        await pilot.press("full_stop")
        await until(app, pilot, lambda: screen.sub_title == "on 16 May 2026", "a day on")
        await pilot.press("left_square_bracket", "left_square_bracket")
        await until(app, pilot, lambda: screen.sub_title == "on 16 Mar 2026", "two months back")
        await type_into(pilot, app, "on", "2026-12-23")
        await pilot.press("enter")
        await until(app, pilot, lambda: screen.sub_title == "on 23 Dec 2026", "back a month on")
        await pilot.press("ctrl+l")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the use dialog")
        await type_into(pilot, app, "quantity", "5")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert str(app.screen.query_one("#quantity-error").render()).startswith(
            "Only 3 of 4 units of "
        )
        await type_into(pilot, app, "quantity", "2")
        await save_dialog(app, pilot)
        await until(
            app,
            pilot,
            lambda: [s.left for s in screen.services.values()] == [1],
            "the workshops left",
        )
    with app.context.database.read_session() as session:
        uses = session.execute(select(EntitlementUse.delivered_on, EntitlementUse.quantity)).all()
    assert uses == [(date(2026, 11, 23), 2)]


async def test_a_trial_ending_opens_from_my_day_on_the_entitlements(
    tmp_path: Path, office: Path
) -> None:
    """The KAM's My day lists the trial ending in 10 days; Enter on it opens the account's
    entitlements on today, the trial among the subscriptions; y and y again confirm it, and a
    paid subscription of its order line follows from tomorrow."""
    app = build_app(tmp_path, "kam", office)
    account_id = make_key_account(app.context)
    trial_id = ordered_trial(app.context, account_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#table-trials_ending", RecordTable)
        assert len(table.keys) == 1
        table.focus()
        await pilot.press("enter")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, EntitlementsScreen) and app.screen.entitled,
            "the entitlements of the trial's account",
        )
        screen = app.screen
        assert isinstance(screen, EntitlementsScreen)
        assert screen.account_id == account_id
        assert screen.entitled is not None
        assert [s.sku_code for s in screen.entitled.subscriptions if s.trial] == ["EXA-PRO"]
        subscriptions = screen.query_one("#entitled-subscriptions", RecordTable)
        subscriptions.focus()
        subscriptions.cursor_row = subscriptions.keys.index(str(trial_id))
        await pilot.press("y")
        await until(app, pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await until(app, pilot, lambda: app.screen is screen, "back on the entitlements")
        await settle(app, pilot)
    with app.context.database.read_session() as session:
        paid = session.execute(
            select(Subscription.kind, Subscription.starts_on, Subscription.net_price_minor).where(
                Subscription.replaces_id == trial_id
            )
        ).all()
    assert paid == [(SubscriptionKind.PAID, date(2026, 11, 24), 1_500_00)]


def ordered_trial(context: Context, account_id: int) -> int:
    """The account's trial carried out by an activated order's line, at 1,500.00 a year."""
    with context.database.write_session() as session:
        trial = session.scalars(
            select(Subscription).where(
                Subscription.account_id == account_id, Subscription.kind == SubscriptionKind.TEST
            )
        ).one()
        order = Order(
            number="SO-900001",
            contract_id=trial.contract_id,
            account_id=account_id,
            starts_on=trial.starts_on,
            status=OrderStatus.ACTIVATED,
            created_at=NOW,
            lines=[
                OrderLine(
                    position=1,
                    sku_version_id=trial.sku_version_id,
                    quantity=1,
                    list_price_minor=1_500_00,
                    unit_net_minor=1_500_00,
                    net_minor=1_500_00,
                    trial_ends_on=trial.ends_on,
                )
            ],
        )
        session.add(order)
        session.flush()
        trial.order_id, trial.order_line_id = order.id, order.lines[0].id
        session.commit()
        return trial.id


async def test_a_trial_not_started_reads_the_same_on_both_screens_and_is_not_asked_about(
    tmp_path: Path, office: Path
) -> None:
    """A trial waiting for 01 Dec 2026 reads "Trial" and "from 01 Dec 2026" on the account's
    Subscriptions tab and on its entitlements (titled with the account's name) on that day;
    y on it says why it cannot be confirmed yet, with no question first."""
    app = build_app(tmp_path, "kam", office)
    shown = notifications(app)
    account_id = make_key_account(app.context)
    trial_id = ordered_trial(app.context, account_id)
    with app.context.database.write_session() as session:
        trial = session.get(Subscription, trial_id)
        assert trial is not None
        trial.status, trial.starts_on = SubscriptionStatus.PENDING, date(2026, 12, 1)
        name = session.get_one(Account, account_id).name
        session.commit()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_account(account_id)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        await pilot.press("4")
        await settle(app, pilot)
        tab = screen.query_one("#subscriptions-table", RecordTable)
        row = tab.keys.index(str(trial_id))
        assert (tab.texts(1)[row], tab.texts(2)[row]) == ("Trial", "from 01 Dec 2026")
        entitlements = await open_entitlements(app, pilot)
        assert entitlements.title == f"Entitlements of {name}"
        await type_into(pilot, app, "on", "2026-12-01")
        await pilot.press("enter")
        await until(app, pilot, lambda: entitlements.sub_title == "on 01 Dec 2026", "its day")
        table = entitlements.query_one("#entitled-subscriptions", RecordTable)
        assert table.texts(1)[table.keys.index(str(trial_id))] == "Trial, from 01 Dec 2026"
        table.focus()
        table.cursor_row = table.keys.index(str(trial_id))
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is entitlements  # no question was put
        assert "This trial starts on 01 Dec 2026; it can be confirmed once it runs." in shown
