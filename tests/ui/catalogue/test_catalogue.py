"""The catalogue screens walked with Pilot: search, open, revise, packages, and read-only staff."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.widgets import Checkbox, Input, Label

from acctmgr.models import Package, Sku, SkuVersion
from acctmgr.screens.catalogue.forms import RecordFormScreen
from acctmgr.screens.catalogue.packages import PackagesScreen
from acctmgr.screens.catalogue.skus import CatalogueScreen, SkuScreen
from acctmgr.widgets.record_table import RecordTable
from tests.ui_support import build_app, footer_keys, run_from_palette, settle

SIZE = (80, 24)


async def test_an_admin_searches_opens_and_revises_a_sku(tmp_path: Path, office: Path) -> None:
    """Search narrows the list; the revision form is prefilled; saving stores version N+1."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await run_from_palette(app, pilot, "Catalogue")
        assert isinstance(app.screen, CatalogueScreen)
        await pilot.press(*"audit")
        await settle(app, pilot)
        table = app.screen.query_one("#skus", RecordTable)
        assert table.texts(0) == ["SRV-AUDIT"]
        await pilot.press("enter")  # from the search box to the list
        await settle(app, pilot)
        assert "Add a SKU" in footer_keys(app)
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SkuScreen)
        assert screen.sku is not None
        assert screen.sku.current.number == 2
        assert "Edit (as a new version)" in footer_keys(app)
        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, RecordFormScreen)
        assert form.query_one("#code", Input).disabled
        assert form.query_one("#contents", Input).value.startswith("1 journey")
        # A bad field is named beside it, and nothing is stored.
        form.query_one("#name", Input).value = "  "
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, RecordFormScreen)
        assert "The name is required." in str(form.query_one("#name-error", Label).render())
        form.query_one("#name", Input).value = "UX Audit"
        form.query_one("#contents", Input).value = "2 journeys; written report; readout meeting"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        back: object = app.screen  # the SKU screen again (not narrowed by the checks above)
        assert back is screen
        assert screen.sku is not None
        assert screen.sku.current.number == 3
        heading = str(screen.query_one("#sku-heading").render())
        assert "version 3" in heading
        assert screen.query_one("#sku-versions", RecordTable).texts(0) == ["3", "2", "1"]
    with app.context.database.read_session() as session:
        sku = session.scalars(select(Sku).where(Sku.code == "SRV-AUDIT")).one()
        versions = {v.number: v for v in sku.versions}
        assert sorted(versions) == [1, 2, 3]
        assert sku.current_version_id == versions[3].id
        assert versions[3].contents == "2 journeys; written report; readout meeting"
        assert versions[2].contents == "1 journey; written report; impact estimate; readout meeting"
        assert {p.currency for p in versions[3].prices} == {p.currency for p in versions[2].prices}


async def test_an_admin_creates_a_sku_and_marks_a_starter_pack(
    tmp_path: Path, office: Path
) -> None:
    """Ctrl+N publishes a new SKU; in Packages (Ctrl+G), marking GROWTH as starter takes the mark
    from STARTER."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.go("catalogue")
        await settle(app, pilot)
        app.screen.query_one("#skus", RecordTable).focus()
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, RecordFormScreen)
        values = {
            "code": "srv-health",
            "name": "Health Check <b>",
            "description": "A yearly review of the set-up.",
            "contents": "1 review call; written summary",
            "units": "1",
            "consumption_months": "12",
            "prices": "USD 900; EUR 830",
        }
        for name, value in values.items():
            form.query_one(f"#{name}", Input).value = value
        from textual.widgets import Select

        form.query_one("#kind", Select).value = "service"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, SkuScreen)
        assert app.screen.sku is not None
        assert app.screen.sku.code == "SRV-HEALTH"
        assert app.screen.sku.current.name == "Health Check <b>"
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, CatalogueScreen)
        app.screen.query_one("#skus", RecordTable).focus()
        await pilot.press("ctrl+g")
        await settle(app, pilot)
        assert isinstance(app.screen, PackagesScreen)
        packages = app.screen.query_one("#packages", RecordTable)
        packages.move_to(
            next(key for key in packages.keys if "GROWTH" in str(packages.cells(key)[0]))
        )
        await pilot.press("e")
        await settle(app, pilot)
        package_form = app.screen
        assert isinstance(package_form, RecordFormScreen)
        package_form.query_one("#is_starter_pack", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, PackagesScreen)
    with app.context.database.read_session() as session:
        starters = session.scalars(select(Package.code).where(Package.is_starter_pack)).all()
        assert starters == ["GROWTH"]
        created = session.scalars(select(Sku).where(Sku.code == "SRV-HEALTH")).one()
        version = session.get(SkuVersion, created.current_version_id)
        assert version is not None
        assert version.consumption_months == 12


async def test_staff_who_are_not_admins_browse_read_only(tmp_path: Path, office: Path) -> None:
    """A non-admin sees no edit keys, and pressing them changes nothing."""
    app = build_app(tmp_path, "kam", office)
    async with app.run_test(size=SIZE) as pilot:
        await run_from_palette(app, pilot, "Catalogue")
        assert isinstance(app.screen, CatalogueScreen)
        app.screen.query_one("#skus", RecordTable).focus()
        await settle(app, pilot)
        keys = footer_keys(app)
        assert "Go to packages" in keys
        assert "Add a SKU" not in keys
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert isinstance(app.screen, CatalogueScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, SkuScreen)
        assert not {"Edit (as a new version)", "Retire"} & footer_keys(app)
        await pilot.press("e", "delete")
        await settle(app, pilot)
        assert isinstance(app.screen, SkuScreen)
        await pilot.press("escape", "ctrl+g")
        await settle(app, pilot)
        assert isinstance(app.screen, PackagesScreen)
        assert not {"New package", "Edit", "Retire"} & footer_keys(app)
    with app.context.database.read_session() as session:
        assert all(len(sku.versions) <= 2 for sku in session.scalars(select(Sku)))


async def test_a_sku_price_past_the_money_limit_is_refused_beside_the_prices(
    tmp_path: Path, office: Path
) -> None:
    """An admin's new SKU at USD 99999999999999999999 gets a sentence beside the prices and is
    not stored."""
    from textual.widgets import Select

    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.go("catalogue")
        await settle(app, pilot)
        app.screen.query_one("#skus", RecordTable).focus()
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, RecordFormScreen)
        values = {"code": "one-big", "name": "Big", "prices": "USD 99999999999999999999"}
        for name, value in values.items():
            form.query_one(f"#{name}", Input).value = value
        form.query_one("#kind", Select).value = "one_off"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert "The price in USD is at most 20,000,000.00." in str(
            form.query_one("#prices-error", Label).render()
        )
    with app.context.database.read_session() as session:
        assert session.scalars(select(Sku).where(Sku.code == "ONE-BIG")).first() is None
