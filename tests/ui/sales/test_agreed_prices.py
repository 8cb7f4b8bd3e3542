"""The agreed prices of a key account walked with Pilot: its KAM opens them from the account
(p) or the palette, is told beside the field what is wrong, and agrees a price that is stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import Input

from acctmgr.app import AcctmgrApp
from acctmgr.models import Account, AgreedPrice, Sku, SkuKind
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.dialog import FormDialog
from acctmgr.screens.sales.agreed_prices import AgreedPricesScreen
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn
from acctmgr.services.sales.quote_views import QuoteLineView, QuoteView
from acctmgr.widgets.quote_form import totals_text
from acctmgr.widgets.record_table import RecordTable
from tests import factories
from tests.ui_support import build_app, settle

SIZE = (100, 30)


def a_key_account(app: AcctmgrApp) -> int:
    """A Mid-market account in USD whose Key Account Manager is kam."""
    admin = app.context.as_user("admin")
    account = account_service.create_account(
        admin, AccountIn(name="Keystone Media", segment_code="MID", owner_login="ae")
    )
    with app.context.database.write_session() as session:
        row = session.get(Account, account.id)
        assert row is not None
        row.key_account_manager_id = factories.user_id(app.context, "kam")
        session.commit()
    return account.id


async def press(app: AcctmgrApp, pilot: Any, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(app, pilot)
    await settle(app, pilot)


async def type_into(app: AcctmgrApp, pilot: Any, selector: str, text: str) -> None:
    field = app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)


def error_of(app: AcctmgrApp, field: str) -> str:
    return str(app.screen.query_one(f"#{field}-error").render())


async def test_the_kam_agrees_a_price_from_the_account_screen(tmp_path: Path, office: Path) -> None:
    """p on the account opens its agreed prices; n agrees one: a bad discount and a missing
    last day are named beside their fields, then the price is stored and listed."""
    app = build_app(tmp_path, "kam", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        account_id = a_key_account(app)
        await app.push_screen(AccountScreen(account_id))
        await settle(app, pilot)
        await press(app, pilot, "p")
        assert isinstance(app.screen, AgreedPricesScreen)
        await press(app, pilot, "n")
        assert isinstance(app.screen, FormDialog)
        assert app.screen.query_one("#valid_from", Input).value == "2026-11-23"  # today
        await type_into(app, pilot, "#sku_code", "exa-ess")
        await type_into(app, pilot, "#discount_pct", "0")
        await type_into(app, pilot, "#valid_from", "2027-01-01")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, FormDialog)
        assert "is required" in error_of(app, "valid_until")
        await type_into(app, pilot, "#valid_until", "2027-12-31")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, FormDialog)
        assert "more than 0% and at most 100%" in error_of(app, "discount_pct")
        await type_into(app, pilot, "#discount_pct", "12.5")
        await type_into(app, pilot, "#note", "Agreed at the annual review")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, AgreedPricesScreen)
        table = app.screen.query_one("#agreed-prices", RecordTable)
        assert table.texts(0) == ["EXA-ESS"]
        assert table.texts(1) == ["12.5% off the list price"]

    with app.context.database.read_session() as session:
        stored = session.execute(
            select(AgreedPrice, Sku.code).join(Sku, Sku.id == AgreedPrice.sku_id)
        ).one()
    agreed, code = stored
    assert code == "EXA-ESS"
    assert (agreed.account_id, agreed.currency) == (account_id, "USD")
    assert (agreed.discount_pct, agreed.price_minor) == (Decimal("12.5"), None)
    assert (agreed.valid_from, agreed.valid_until) == (date(2027, 1, 1), date(2027, 12, 31))
    assert agreed.note == "Agreed at the annual review"
    assert agreed.created_by_id == factories.user_id(app.context, "kam")


async def test_the_palette_opens_an_account_s_agreed_prices(tmp_path: Path, office: Path) -> None:
    """ "Agreed prices of …" in the palette opens that account's agreed prices."""
    app = build_app(tmp_path, "kam", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        account_id = a_key_account(app)
        await press(app, pilot, "ctrl+p")
        await pilot.press(*"Keystone")
        await settle(app, pilot)
        await pilot.pause(0.3)  # the palette searches the accounts as it is typed
        await press(app, pilot, "down")
        await press(app, pilot, "enter")
        screen = app.screen
        assert isinstance(screen, AgreedPricesScreen)
        assert screen.account_id == account_id
        assert screen.sub_title == "Keystone Media"


def test_the_quote_editor_says_which_lines_have_an_agreed_price() -> None:
    """A line whose discount is the agreed price's says so beside its kind; the others do not."""
    lines = [
        QuoteLineView(
            id=position,
            position=position,
            sku_code=code,
            kind=SkuKind.SUBSCRIPTION,
            description=f"{code} v1",
            quantity=1,
            list_price_minor=1_000_00,
            discount_pct=Decimal(30 if agreed else 0),
            net_minor=700_00 if agreed else 1_000_00,
            on_catalogue=True,
            statement_of_work="",
            consume_by=None,
            agreed_price=agreed,
        )
        for position, code, agreed in ((1, "PLATFORM", True), (2, "ADDON", False))
    ]
    # Only what the totals read: a whole quote view is the services' to build.
    read: dict[str, Any] = {
        "currency": "USD",
        "lines": lines,
        "list_total_minor": 2_000_00,
        "net_total_minor": 1_700_00,
        "reduction_minor": None,
        "approvals_needed": [],
    }
    quote = QuoteView.model_construct(**read)
    text = totals_text(quote, None)
    assert "1. PLATFORM v1 (subscription, agreed price)" in text
    assert "2. ADDON v1 (subscription)" in text
