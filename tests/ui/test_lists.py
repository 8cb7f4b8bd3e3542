"""The searched lists (accounts, people, catalogue): a header click or F12 sorts by its column
and again reverses it, and letters typed on a list go into its search."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.catalogue.skus import CatalogueScreen
from acctmgr.screens.commands import screen_actions
from acctmgr.screens.people.people import PeopleScreen
from acctmgr.widgets.record_table import RecordTable
from tests.ui.accounts.test_search import _accounts
from tests.ui_support import build_app, settle

SIZE = (100, 30)
# Where each column's header is on the accounts list: Name (30 wide) from x=1, then NA/RA (5),
# iSeries (9) and City (18), a blank column between each.
CITY_X = 1 + 31 + 6 + 10


def header(table: RecordTable) -> str:
    return table.render_line(0).text


async def test_a_header_click_sorts_the_accounts_by_its_column_and_again_reverses_them(
    tmp_path: Path, office: Path
) -> None:
    """Clicked, the City header lists the accounts by city (▲); clicked again, the other way
    (▼); the names were in another order before."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        table = await _accounts(app, pilot)
        by_name = table.texts(3)
        assert "Name ▲" in header(table)
        await pilot.click("#accounts", offset=(CITY_X + 1, 0))
        await settle(app, pilot)
        cities = [city.lower() for city in table.texts(3)]
        assert cities == sorted(cities) != [city.lower() for city in by_name]
        assert "City ▲" in header(table)
        assert "Name ▲" not in header(table)
        await pilot.click("#accounts", offset=(CITY_X + 1, 0))
        await settle(app, pilot)
        assert [city.lower() for city in table.texts(3)] == sorted(cities, reverse=True)
        assert "City ▼" in header(table)


async def test_f12_reverses_the_sort_and_then_sorts_by_the_next_column(
    tmp_path: Path, office: Path
) -> None:
    """On the people list F12 turns the login order around (from the search box too, and the
    palette offers it there), then sorts by name."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, PeopleScreen)
        table = app.screen.query_one("#people", RecordTable)
        assert app.screen.query_one("#people-search", Input).has_focus
        assert "Sort" in {command.title for command in screen_actions(app, app.screen)}
        logins = table.texts(0)
        assert logins == sorted(logins)
        await pilot.press("f12")
        await settle(app, pilot)
        assert table.texts(0) == logins[::-1]
        assert "Login ▼" in header(table)
        table.focus()
        await pilot.press("f12")
        await settle(app, pilot)
        names = [name.lower() for name in table.texts(1)]
        assert names == sorted(names)
        assert "Name ▲" in header(table)


async def test_letters_typed_on_the_accounts_list_search_for_them(
    tmp_path: Path, office: Path
) -> None:
    """Typing "Northwind" with the list focused fills the search box and finds Northwind; Down
    goes back to the list, and Enter opens it."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        table = await _accounts(app, pilot)
        table.focus()
        await pilot.press(*"Northwind")
        await settle(app, pilot)
        box = app.screen.query_one("#account-search", Input)
        assert (box.value, box.has_focus) == ("Northwind", True)
        assert table.texts(0) == ["Northwind Traders Ltd"]
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)


async def test_letters_once_bound_on_the_catalogue_and_people_lists_search_instead(
    tmp_path: Path, office: Path
) -> None:
    """v, p and n on the catalogue list, and n and e on the people list, are typed into the
    search (no longer retired SKUs shown, packages or new forms opened)."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.go("catalogue")
        await settle(app, pilot)
        catalogue = app.screen
        assert isinstance(catalogue, CatalogueScreen)
        catalogue.query_one("#skus", RecordTable).focus()
        await pilot.press(*"vpn")
        await settle(app, pilot)
        assert app.screen is catalogue
        assert catalogue.query_one("#catalogue-search", Input).value == "vpn"
        assert "F10 shows retired ones" in str(catalogue.query_one("#catalogue-status").render())
        await pilot.press("f2")
        await settle(app, pilot)
        await pilot.press("f9")
        await settle(app, pilot)
        people = app.screen
        assert isinstance(people, PeopleScreen)
        table = people.query_one("#people", RecordTable)
        table.focus()
        await pilot.press(*"ne")
        await settle(app, pilot)
        assert app.screen is people
        assert people.query_one("#people-search", Input).value == "ne"
        found = zip(table.texts(0), table.texts(1), table.texts(2), strict=True)
        assert table.row_count
        assert all("ne" in " ".join(row).lower() for row in found)
