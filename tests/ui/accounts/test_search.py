"""The accounts list: found without accents or case, and an NA/RA's members searched apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input

from acctmgr.app import AcctmgrApp
from acctmgr.models import AccountKind
from acctmgr.screens.accounts.search import AccountsScreen
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn
from acctmgr.services.kernel.context import Context
from acctmgr.widgets.record_table import RecordTable
from tests.ui_support import build_app, settle

SIZE = (80, 24)


def _create(app: AcctmgrApp, name: str, **fields: object) -> int:
    admin = Context(app.context.database, app.context.clock, "admin")
    return account_service.create_account(
        admin, AccountIn(name=name, segment_code="MID", **fields)
    ).id


async def _accounts(app: AcctmgrApp, pilot: Any) -> RecordTable:
    await settle(app, pilot)
    await pilot.press("f3")
    await settle(app, pilot)
    assert isinstance(app.screen, AccountsScreen)
    return app.screen.query_one("#accounts", RecordTable)


async def test_typing_a_city_without_its_accent_finds_it(tmp_path: Path, office: Path) -> None:
    """ "koln" typed in the accounts search lists the customer in Köln."""
    app = build_app(tmp_path, "admin", office)
    _create(app, "Rheinland Versand", billing_city="Köln")
    async with app.run_test(size=SIZE) as pilot:
        table = await _accounts(app, pilot)
        await pilot.press(*"koln")
        await settle(app, pilot)
        assert table.texts(0) == ["Rheinland Versand"]
        assert "Köln" in table.texts(3)[0]


async def test_the_members_of_an_na_are_listed_whatever_text_found_it(
    tmp_path: Path, office: Path
) -> None:
    """Ctrl+G on a National Account found by its name lists all its members, and letters typed
    on the list then search among them."""
    app = build_app(tmp_path, "admin", office)
    group = _create(app, "Rhein Gruppe", kind=AccountKind.NATIONAL)
    _create(app, "Rhein Köln Süd", parent_id=group, billing_city="Köln")
    _create(app, "Rhein Bonn", parent_id=group, billing_city="Bonn")
    async with app.run_test(size=SIZE) as pilot:
        table = await _accounts(app, pilot)
        await pilot.press(*"gruppe", "enter")
        await settle(app, pilot)
        assert table.texts(0) == ["Rhein Gruppe"]
        await pilot.press("ctrl+g")
        await settle(app, pilot)
        assert table.texts(0) == ["Rhein Bonn", "Rhein Köln Süd"]
        box = app.screen.query_one("#account-search", Input)
        assert box.value == ""
        assert table.has_focus
        await pilot.press(*"KOLN")
        await settle(app, pilot)
        assert (box.value, box.has_focus) == ("KOLN", True)
        assert table.texts(0) == ["Rhein Köln Süd"]
