"""A SKU's combinations with other SKUs, walked with Pilot: an admin declares, is refused
beside the field, and deletes; everyone else only reads them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input, Label, Select

from acctmgr.app import AcctmgrApp
from acctmgr.domain.catalogue import SkuRelationKind, SkuRuleConsequence
from acctmgr.models import SkuRelation
from acctmgr.screens.catalogue.sku_relations import SkuRelationsDialog
from acctmgr.screens.catalogue.skus import SkuScreen
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.widgets.record_table import RecordTable
from tests.ui_support import build_app, footer_keys, settle

SIZE = (110, 30)


async def _open_session_replay(app: AcctmgrApp, pilot: object) -> SkuScreen:
    await settle(app, pilot)
    app.go("catalogue")
    await settle(app, pilot)
    await pilot.press(*"replay")  # type: ignore[attr-defined]
    await settle(app, pilot)
    assert app.screen.query_one("#skus", RecordTable).texts(0) == ["ADD-REPLAY"]
    await pilot.press("enter")  # type: ignore[attr-defined]  # from the search box to the list
    await settle(app, pilot)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, SkuScreen)
    return screen


async def test_an_admin_declares_and_deletes_a_combination(tmp_path: Path, office: Path) -> None:
    """Ctrl+U lists the SKU's combinations; Ctrl+N declares one (a SKU of its own is refused
    beside the field), Ctrl+D deletes the highlighted one after a yes."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await _open_session_replay(app, pilot)
        assert "Combinations with other SKUs" in footer_keys(app)
        await pilot.press("ctrl+u")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, SkuRelationsDialog)
        assert dialog.query_one(RecordTable).row_count == 0
        assert "Delete the combination" not in footer_keys(app)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        form.query_one("#other_sku", Input).value = "add-replay"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form  # refused: the dialog stays, with the sentence by the field
        error = str(form.query_one("#other_sku-error", Label).render())
        assert "cannot require or exclude itself" in error
        form.query_one("#other_sku", Input).value = "EXA-ESS"
        form.query_one("#kind", Select).value = SkuRelationKind.EXCLUDES.value
        form.query_one("#consequence", Select).value = SkuRuleConsequence.APPROVAL.value
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        back: object = app.screen  # the list again (not narrowed by the checks above)
        assert back is dialog
        table = dialog.query_one(RecordTable)
        assert table.texts(0) == ["EXA-ESS"]
        assert table.texts(1) == [
            "Session Replay add-on and Experience Analytics Essentials cannot be on one quote."
        ]
        assert table.texts(2) == ["needs approval"]
        with app.context.database.read_session() as session:
            stored = session.scalars(select(SkuRelation)).one()
            assert (stored.kind, stored.consequence) == (
                SkuRelationKind.EXCLUDES,
                SkuRuleConsequence.APPROVAL,
            )
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        again: object = app.screen
        assert again is dialog
        assert table.row_count == 0
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, SkuScreen)
    with app.context.database.read_session() as session:
        assert session.scalars(select(SkuRelation)).all() == []


async def test_others_read_the_combinations_but_cannot_change_them(
    tmp_path: Path, office: Path
) -> None:
    """An account executive opens the list, without the keys that change it."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await _open_session_replay(app, pilot)
        await pilot.press("ctrl+u")
        await settle(app, pilot)
        assert isinstance(app.screen, SkuRelationsDialog)
        assert not {"Add a combination", "Delete the combination"} & footer_keys(app)
