"""F-keys go to their mode's home, and the palette offers every action of the screen."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.accounts.search import AccountsScreen
from acctmgr.screens.my_day import MyDayScreen
from acctmgr.screens.sales.quote import QuoteScreen
from acctmgr.services.sales import quotes
from acctmgr.services.sales.quote_views import QuoteView
from tests.ui.sales.test_quote_races import a_first_quote
from tests.ui_support import build_app, notifications, settle


async def test_f3_on_an_open_account_goes_back_to_the_accounts_list(
    tmp_path: Path, office: Path
) -> None:
    """Drilled into an account from Accounts, F3 shows the list again, and F2 My day."""
    app = build_app(tmp_path, "ae", office)
    quote = a_first_quote(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        await app.push_screen(AccountScreen(quote.account_id))
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountsScreen)
        await pilot.press("f2")
        await settle(app, pilot)
        assert isinstance(app.screen, MyDayScreen)


async def test_going_home_never_drops_a_quote_typed_but_not_saved(
    tmp_path: Path, office: Path
) -> None:
    """F2 over a quote with a changed quantity stays, and says how to keep the change."""
    app = build_app(tmp_path, "ae", office)
    quote = a_first_quote(app)
    shown = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(QuoteScreen(quote))
        await settle(app, pilot)
        app.screen.query_one(f"#qty_{quote.lines[0].id}", Input).value = "7"
        await pilot.press("f2")
        await settle(app, pilot)
        assert isinstance(app.screen, QuoteScreen)
        assert any("not saved yet" in message for message in shown), shown
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("f2")
        await settle(app, pilot)
        assert isinstance(app.screen, MyDayScreen)


async def test_the_palette_runs_the_actions_of_the_quote_screen(
    tmp_path: Path, office: Path
) -> None:
    """The palette lists the quote's actions (submit, send, add a line) and runs one."""
    app = build_app(tmp_path, "ae", office)
    quote = a_first_quote(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(QuoteScreen(quote))
        await settle(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Submit for approval", "Send the PO", "Add from catalogue"} <= titles, titles
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"Submit for approval")
        await settle(app, pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.pause(0.3)
        await settle(app, pilot)
    stored: QuoteView = quotes.get_quote(app.context.as_user("ae"), quote.id)
    assert stored.status.value != "draft", stored.status


async def test_a_refused_value_is_selected_so_the_correction_replaces_it(
    tmp_path: Path, office: Path
) -> None:
    """A discount of 135 is refused beside its field; typing 35 then gives 35, not 13535."""
    app = build_app(tmp_path, "ae", office)
    quote = a_first_quote(app)
    line = next(
        line for line in quote.lines if line.kind is not None and line.kind.value != "included"
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(QuoteScreen(quote))
        await settle(app, pilot)
        field = app.screen.query_one(f"#disc_{line.id}", Input)
        field.focus()
        field.value = "135"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("3", "5")
        assert field.value == "35"
