"""An admin whose company identity is unset is led to it from My day, and sets it there."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import select

from acctmgr.models import CompanyIdentity
from acctmgr.screens.catalogue.forms import RecordFormScreen
from acctmgr.screens.my_day import MyDayScreen
from acctmgr.services.company.my_day import SET_THE_IDENTITY
from acctmgr.widgets.record_table import RecordTable
from tests.conftest import sealed
from tests.ui.people.test_people import fill
from tests.ui_support import build_app, settle, until

SIZE = (80, 24)


def _unset_office(tmp_path: Path, office: Path) -> Path:
    """A copy of the office whose admin has not set the company's identity."""
    path = tmp_path / "unset.db"
    shutil.copy(office, path)
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("DELETE FROM company_identity")
    return sealed(path)


async def test_my_day_leads_the_admin_to_set_the_company_identity(
    tmp_path: Path, office: Path
) -> None:
    """The admin's My day lists "Set the company's name and address" first; Enter opens the
    company identity form, and once it is saved the line is gone and the row holds the name."""
    app = build_app(tmp_path, "admin", _unset_office(tmp_path, office))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, MyDayScreen)
        table = app.screen.query_one("#table-setup", RecordTable)
        assert app.screen.focused is table
        assert table.keys == ["setup-company-identity"]
        assert table.texts(1) == [SET_THE_IDENTITY]
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, RecordFormScreen), "the form")
        await fill(app, {"name": "Northwind Analytics GmbH", "address": "Leopoldstraße 12"})
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, MyDayScreen), "back to My day")
        await until(
            app,
            pilot,
            lambda: not app.screen.query_one("#section-setup").display,
            "the setup line gone",
        )
    with app.context.database.read_session() as session:
        [row] = session.scalars(select(CompanyIdentity)).all()
        assert (row.name, row.address) == ("Northwind Analytics GmbH", "Leopoldstraße 12")
