"""The territory of use picked on a quote with Pilot: typing completes a name from the list,
the quote stores its code, and what is not on the list is refused beside the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input

from acctmgr.app import AcctmgrApp
from acctmgr.models import Quote
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.dialog import FormDialog
from acctmgr.screens.sales.quote import QuoteScreen
from tests.ui.sales.test_quote import a_new_customer
from tests.ui_support import build_app, settle

SIZE = (100, 30)


def stored_territory(app: AcctmgrApp, quote_id: int) -> str:
    with app.context.database.read_session() as session:
        quote = session.get(Quote, quote_id)
        assert quote is not None
        return quote.territory


async def type_into(app: AcctmgrApp, pilot: Any, selector: str, text: str) -> Input:
    field = app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await settle(app, pilot)
    return field


async def press(app: AcctmgrApp, pilot: Any, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(app, pilot)
    await settle(app, pilot)


async def test_a_territory_is_picked_from_the_list_and_stored_as_its_code(
    tmp_path: Path, office: Path
) -> None:
    """ae types "deu" on a new quote and "osterr" on its editor: each completes to the German
    name (the account writes de_DE), → takes it, and the quote stores DE, then AT; "Mars
    colony" is refused beside the field and the stored territory stays."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(AccountScreen(a_new_customer(app)))
        await settle(app, pilot)
        await press(app, pilot, "q")
        assert isinstance(app.screen, FormDialog)
        await type_into(app, pilot, "#starts_on", "2027-01-01")
        field = await type_into(app, pilot, "#territory", "deu")
        await press(app, pilot, "right")
        assert field.value == "Deutschland"
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, QuoteScreen)
        quote_id = app.screen.quote.id
        assert stored_territory(app, quote_id) == "DE"
        assert app.screen.query_one("#territory", Input).value == "Deutschland"

        field = await type_into(app, pilot, "#territory", "osterr")
        await press(app, pilot, "right")
        assert field.value == "Österreich"
        await press(app, pilot, "ctrl+s")
        assert stored_territory(app, quote_id) == "AT"
        assert app.screen.quote.territory_name == "Österreich"

        await type_into(app, pilot, "#territory", "Mars colony")
        await press(app, pilot, "ctrl+s")
        error = str(app.screen.query_one("#territory-error").render())
        assert (
            error == "Pick the territory from the list; 'Mars colony' is not a country or region."
        )
        assert stored_territory(app, quote_id) == "AT"


async def test_a_quote_without_lines_saves_the_territory_typed(
    tmp_path: Path, office: Path
) -> None:
    """A customer's second quote has no lines yet: Ctrl+S keeps the territory typed (it was
    dropped while the screen said "Quote saved.")."""
    app = build_app(tmp_path, "ae", office)
    account_id = a_new_customer(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(AccountScreen(account_id))
        await settle(app, pilot)
        for _ in range(2):  # the first takes the starter pack; the second starts empty
            await press(app, pilot, "q")
            await type_into(app, pilot, "#starts_on", "2027-01-01")
            await press(app, pilot, "ctrl+s")
            assert isinstance(app.screen, QuoteScreen)
            quote_id = app.screen.quote.id
            if app.screen.quote.lines:
                await press(app, pilot, "escape")
        screen = app.screen
        assert isinstance(screen, QuoteScreen)
        assert screen.quote.lines == []
        await type_into(app, pilot, "#territory", "osterr")
        await press(app, pilot, "right", "ctrl+s")
        assert stored_territory(app, quote_id) == "AT"
        assert app.screen.query_one("#territory", Input).value == "Österreich"
