"""A new task on an account's quote and on a retention case, walked with Pilot at 80x24."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.widgets import Select

from acctmgr.domain.records import RecordType
from acctmgr.models import Activity, Quote, RetentionCase
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.dialog import FormDialog
from acctmgr.screens.retention.case import CaseScreen
from acctmgr.widgets.record_table import RecordTable
from tests.ui.accounts.test_account_forms import SIZE, save_dialog, type_into
from tests.ui_support import build_app, settle, until


async def test_a_task_follows_up_a_quote_chosen_on_the_account(
    tmp_path: Path, office: Path
) -> None:
    """s on the account offers its quotes; the task saved follows the chosen quote, for the
    colleague picked."""
    app = build_app(tmp_path, "cms", office)
    with app.context.database.read_session() as session:
        quote_id, account_id = session.execute(
            select(Quote.id, Quote.account_id).order_by(Quote.id).limit(1)
        ).one()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_account(account_id)
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        await pilot.press("s")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the task form")
        app.screen.query_one("#about", Select).value = f"quote:{quote_id}"
        app.screen.query_one("#assignee_login", Select).value = "ae"
        await type_into(pilot, app, "subject", "Chase the signature")
        await save_dialog(app, pilot)
        await settle(app, pilot)
    with app.context.database.read_session() as session:
        task = session.scalars(
            select(Activity).where(Activity.subject == "Chase the signature")
        ).one()
        assert (task.record_type, task.record_id, task.account_id) == (
            RecordType.QUOTE,
            quote_id,
            account_id,
        )
        assert task.assigned_to_id != task.created_by_id


async def test_a_task_follows_up_the_case_it_was_scheduled_on(tmp_path: Path, office: Path) -> None:
    """s on a retention case schedules a task on the case, shown on its timeline."""
    app = build_app(tmp_path, "cms", office)
    with app.context.database.read_session() as session:
        case_id = session.scalars(select(RetentionCase.id).order_by(RetentionCase.id)).first()
    assert case_id is not None
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(CaseScreen(case_id))
        await settle(app, pilot)
        await pilot.press("s")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the task form")
        await type_into(pilot, app, "subject", "Ask the AE about usage")
        await save_dialog(app, pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        timeline = screen.query_one("#case-timeline", RecordTable)
        await until(
            app,
            pilot,
            lambda: any("Ask the AE about usage" in text for text in timeline.texts(2)),
            "the task on the case's timeline",
        )
    with app.context.database.read_session() as session:
        task = session.scalars(
            select(Activity).where(Activity.subject == "Ask the AE about usage")
        ).one()
        assert (task.record_type, task.record_id) == (RecordType.RETENTION_CASE, case_id)
