"""The approval rules screen: an Admin moves Finance's discount threshold; others only read."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input

from acctmgr.models import ApprovalRule
from acctmgr.screens.approvals.rules import ApprovalRulesScreen
from acctmgr.screens.dialog import FormDialog
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.widgets.record_table import RecordTable
from tests.ui_support import build_app, settle, until

SIZE = (100, 30)


async def test_an_admin_changes_the_discount_threshold(tmp_path: Path, office: Path) -> None:
    """An Admin moves Finance's threshold on screen; an unknown fact is named beside it."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.go("rules")  # the palette's "Open approval rules"
        await settle(app, pilot)
        assert isinstance(app.screen, ApprovalRulesScreen)
        table = app.screen.query_one(RecordTable)
        assert table.texts()[3] == approval_rules.DISCOUNT_RULE
        table.focus()
        await pilot.press("down", "down", "down", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog)
        condition = app.screen.query_one("#condition", Input)
        assert condition.value == "discount_pct > 30"
        condition.value = ""
        condition.focus()
        await pilot.press(*"discount > 20", "ctrl+s")
        await settle(app, pilot)
        assert "There is no fact called discount" in str(
            app.screen.query_one("#condition-error").render()
        )
        condition.value = ""
        await pilot.press(*"discount_pct > 20")
        name = app.screen.query_one("#name", Input)
        name.value = "Discounts above 20% need Finance"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: not isinstance(app.screen, FormDialog), "dialog closed")
        await until(
            app,
            pilot,
            lambda: "Discounts above 20% need Finance" in app.screen.query_one(RecordTable).texts(),
            "the table shows the new name",
        )
    with app.context.database.read_session() as session:
        rule = session.scalars(
            select(ApprovalRule).where(ApprovalRule.name == "Discounts above 20% need Finance")
        ).one()
        assert rule.condition == {"field": "discount_pct", "op": ">", "value": "20"}
        assert rule.active


async def test_a_seller_reads_the_rules_but_cannot_change_them(
    tmp_path: Path, office: Path
) -> None:
    """A seller sees every rule but cannot add or edit one, and is told why."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(ApprovalRulesScreen())
        await settle(app, pilot)
        assert len(app.screen.query_one(RecordTable).texts()) == len(approval_rules.DEFAULT_RULES)
        await pilot.press("n")
        app.screen.query_one(RecordTable).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ApprovalRulesScreen)
        assert "Only an Admin changes rules." in str(app.screen.query_one("#rules-hint").render())
