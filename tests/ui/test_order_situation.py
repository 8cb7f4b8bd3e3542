"""The order situation opened by the KAM from a key account, at 80x24: the upsell suggestions
ranked with their reasons, the sections below, and Enter on a suggestion."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, update
from textual.command import CommandList

from acctmgr.domain.billing import InvoiceStatus
from acctmgr.domain.contracts import SubscriptionKind, SubscriptionStatus
from acctmgr.models import Account, Contract, Invoice, Sku, Subscription, User
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.dialog import FormDialog
from acctmgr.screens.key_accounts.offer import OfferScreen
from acctmgr.screens.key_accounts.situation import OrderSituationScreen
from acctmgr.services.kernel.context import Context
from acctmgr.widgets.record_table import RecordTable
from tests.conftest import NOW
from tests.ui.accounts.test_account_forms import save_dialog, type_into
from tests.ui_support import build_app, notifications, settle, until

SIZE = (80, 24)
TODAY = NOW.date()


def make_key_account(context: Context) -> int:
    """Northwind (the office's first customer, under contract) becomes Kim's key account, with
    a trial of the Professional plan ending in 10 days and an invoice overdue."""
    with context.database.write_session() as session:
        account_id = session.scalars(select(Account.id).order_by(Account.id)).first()
        kam = session.scalar(select(User.id).where(User.login == "kam"))
        pro = session.scalar(select(Sku.current_version_id).where(Sku.code == "EXA-PRO"))
        contract_id = session.scalar(select(Contract.id).where(Contract.account_id == account_id))
        assert account_id
        assert kam
        assert pro
        assert contract_id
        session.execute(
            update(Account)
            .where(Account.id == account_id)
            .values(key_account_manager_id=kam, contact_cadence_days=14)
        )
        session.add_all(
            [
                Subscription(
                    account_id=account_id,
                    contract_id=contract_id,
                    sku_version_id=pro,
                    kind=SubscriptionKind.TEST,
                    status=SubscriptionStatus.ACTIVE,
                    quantity=1,
                    currency="USD",
                    starts_on=TODAY - timedelta(days=20),
                    ends_on=TODAY + timedelta(days=10),
                    created_at=NOW,
                ),
                Invoice(
                    number="IN-900001",
                    account_id=account_id,
                    status=InvoiceStatus.SENT,
                    issued_on=date(2026, 10, 1),
                    due_on=date(2026, 10, 31),
                    currency="USD",
                    total_minor=2_400_00,
                    created_at=NOW,
                ),
            ]
        )
        session.commit()
    return int(account_id)


def text_of(screen: OrderSituationScreen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_the_kam_reads_the_order_situation_before_a_call(
    tmp_path: Path, office: Path
) -> None:
    """o on the key account opens its order situation: the trial ending first among the
    suggestions, its reason in full below, the overdue invoice among the sections, and Enter
    on the suggestion says which offer line it makes."""
    app = build_app(tmp_path, "kam", office)
    account_id = make_key_account(app.context)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        shown = notifications(app)
        await settle(app, pilot)
        app.open_account(account_id)
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        await pilot.press("o")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, OrderSituationScreen) and app.screen.suggestions,
            "the order situation with its suggestions",
        )
        screen = app.screen
        assert isinstance(screen, OrderSituationScreen)
        heading = text_of(screen, "#situation-heading")
        assert screen.sub_title == "Northwind Traders Ltd"
        assert heading.startswith("Kim Keyaccount · contact every 14 days, last ")
        table = screen.query_one("#upsell", RecordTable)
        trial = next(key for key in table.keys if key.startswith("trial-"))
        assert table.keys[0] == trial
        assert text_of(screen, "#suggestion-reason") == (
            "The trial of Experience Analytics Professional ends on 03 Dec 2026 (in 10 days); "
            "offer EXA-PRO paid before it lapses."
        )
        invoices = text_of(screen, "#invoices-text")
        assert "IN-900001 sent, due 31 Oct 2026: 2,400.00 USD OVERDUE" in invoices
        assert "Trial: Experience Analytics Professional (EXA-PRO)" in text_of(
            screen, "#subscriptions-text"
        )
        assert "notice by" in text_of(screen, "#contracts-text")
        # Readable at 80x24: the suggestions and the reason are on screen, whole.
        for selector in ("#upsell", "#suggestion-reason", "#situation-sections"):
            region = screen.query_one(selector).region
            assert region.height > 0, selector
            assert region.right <= SIZE[0], selector
            assert region.bottom <= SIZE[1] - 1, selector  # above the footer
        # Enter puts the suggestion on the KAM's draft offer of the account, and opens it.
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, OfferScreen), "the offer")
        assert shown[-1] == '1 x EXA-PRO is on the offer "Upsell".'
        opened = app.screen
        assert isinstance(opened, OfferScreen)
        offer = opened.offer
        assert offer is not None
        assert [(line.sku_code, line.quantity) for line in offer.quote.lines] == [("EXA-PRO", 1)]
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)


async def test_the_palette_offers_the_order_situation_of_the_account_on_screen(
    tmp_path: Path, office: Path
) -> None:
    """On an account, Ctrl+P and "order situation" offer it for that account by name."""
    app = build_app(tmp_path, "kam", office)
    account_id = make_key_account(app.context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_account(account_id)
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"order situation of")
        await pilot.pause(0.5)
        await settle(app, pilot)
        best = app.screen.query_one(CommandList).get_option_at_index(0)
        assert str(best.prompt).startswith("Order situation of Northwind Traders Ltd")
        await pilot.press("enter")
        await until(
            app, pilot, lambda: isinstance(app.screen, OrderSituationScreen), "the situation"
        )
        assert app.screen.sub_title == "Northwind Traders Ltd"


async def test_the_kam_sets_the_contact_cadence(tmp_path: Path, office: Path) -> None:
    """k asks every how many days; 400 is refused beside the field, 21 is saved and shown."""
    app = build_app(tmp_path, "kam", office)
    account_id = make_key_account(app.context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(OrderSituationScreen(account_id))
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, OrderSituationScreen) and app.screen.situation,
            "the order situation",
        )
        await pilot.press("k")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the cadence form")
        await type_into(pilot, app, "days", "400")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert str(app.screen.query_one("#days-error").render()) == (
            "A contact cadence is 1 to 365 days; leave it empty for none."
        )
        await type_into(pilot, app, "days", "21")
        await save_dialog(app, pilot)
        await until(
            app,
            pilot,
            lambda: "every 21 days" in str(app.screen.query_one("#situation-heading").render()),
            "the new cadence shown",
        )
    with app.context.database.read_session() as session:
        stored = session.scalar(
            select(Account.contact_cadence_days).where(Account.id == account_id)
        )
    assert stored == 21


async def test_the_cadence_is_offered_only_to_the_accounts_kam(
    tmp_path: Path, office: Path
) -> None:
    """The account executive reading the situation is not offered k."""
    app = build_app(tmp_path, "ae", office)
    account_id = make_key_account(app.context)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(OrderSituationScreen(account_id))
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, OrderSituationScreen) and app.screen.situation,
            "the order situation",
        )
        assert app.screen.check_action("set_cadence", ()) is False
