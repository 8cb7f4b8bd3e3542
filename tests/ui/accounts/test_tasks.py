"""Tasks from My day and a task's own screen, walked with Pilot at 80x24: schedule one,
reschedule it, mark it done with an outcome note, undo that; then the stored row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input

from acctmgr.app import AcctmgrApp
from acctmgr.domain.records import RecordType
from acctmgr.models import Activity, AuditEvent, User
from acctmgr.screens.accounts.activity import ActivityScreen
from acctmgr.screens.dialog import FormDialog
from acctmgr.screens.my_day import MyDayScreen
from acctmgr.widgets.record_table import RecordTable
from tests.ui.accounts.test_account_forms import SIZE, assert_fits, save_dialog, type_into
from tests.ui_support import build_app, footer_keys, notifications, settle, until


def stored(app: AcctmgrApp, subject: str) -> Activity | None:
    with app.context.database.read_session() as session:
        found: Activity | None = session.scalars(
            select(Activity).where(Activity.subject == subject)
        ).one_or_none()
        return found


async def test_a_task_scheduled_moved_done_and_undone_from_my_day(
    tmp_path: Path, office: Path
) -> None:
    """s schedules a task on the highlighted task's account, r moves it, d closes it with an
    outcome note, Ctrl+Z reopens it; the row and its audit follow every step."""
    app = build_app(tmp_path, "ae", office)
    shown = notifications(app)
    subject = "Send the renewal figures"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, MyDayScreen)
        due = screen.query_one("#table-due", RecordTable)
        due.focus()
        before = due.row_count
        await pilot.press("s")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the task form")
        assert_fits(app)
        await type_into(pilot, app, "subject", subject)
        await type_into(pilot, app, "due_at", "2026-11-23 15:00")
        await save_dialog(app, pilot)
        await until(app, pilot, lambda: due.row_count == before + 1, "the task listed")
        task = stored(app, subject)
        assert task is not None
        assert task.due_at is not None
        assert task.due_at.replace(tzinfo=UTC) == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
        assert task.account_id is not None
        assert (task.record_type, task.record_id) == (RecordType.ACCOUNT, task.account_id)

        key = f"activity-{task.id}"
        due.move_cursor(row=due.keys.index(key))
        await settle(app, pilot)
        assert {"Mark done", "Reschedule", "New task"} <= footer_keys(app)
        await pilot.press("r")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the move form")
        await type_into(pilot, app, "due_at", "yesterday")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = str(app.screen.query_one("#due_at-error").render())
        assert error.startswith("A due date is written YYYY-MM-DD")
        await type_into(pilot, app, "due_at", "2026-11-25")
        await save_dialog(app, pilot)
        await until(app, pilot, lambda: (stored(app, subject) or task).version == 2, "moved")
        moved = stored(app, subject)
        assert moved is not None
        assert moved.due_at is not None
        assert moved.due_at.day == 25

        due.move_cursor(row=due.keys.index(key))
        await settle(app, pilot)
        await pilot.press("d")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the outcome form")
        await type_into(pilot, app, "outcome", "Sent; they call back Friday")
        await save_dialog(app, pilot)
        await until(app, pilot, lambda: key not in due.keys, "the task left the list")
        done = stored(app, subject)
        assert done is not None
        assert done.done_at is not None
        assert done.outcome == "Sent; they call back Friday"
        assert f"Done: {subject}. Ctrl+Z undoes it." in shown
        assert "Undo done (reopen)" in footer_keys(app)

        await pilot.press("ctrl+z")
        await until(app, pilot, lambda: key in due.keys, "the task back in the list")
        reopened = stored(app, subject)
        assert reopened is not None
        assert (reopened.done_at, reopened.outcome) == (None, "")
        assert "Undo done (reopen)" not in footer_keys(app)

    with app.context.database.read_session() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == RecordType.ACTIVITY, AuditEvent.entity_id == task.id)
            .order_by(AuditEvent.id)
        ).all()
        assert actions == [
            "activities.schedule",
            "activities.reschedule",
            "activities.complete",
            "activities.reopen",
        ]
        assignee = session.get(User, task.assigned_to_id or 0)
        assert assignee is not None
        assert assignee.login == "ae"


async def test_a_done_task_is_reopened_on_its_own_screen(tmp_path: Path, office: Path) -> None:
    """On the task's screen d takes a note and keeps the screen open; Ctrl+Z reopens it."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        due = app.screen.query_one("#table-due", RecordTable)
        due.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ActivityScreen)
        assert screen.activity is not None
        task_id = screen.activity.id
        await pilot.press("d")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the outcome form")
        assert app.screen.query_one("#outcome", Input).value == ""
        await save_dialog(app, pilot)
        await until(
            app, pilot, lambda: bool(screen.activity and screen.activity.done_at), "done shown"
        )
        assert "Undo done (reopen)" in footer_keys(app)
        assert "Mark done" not in footer_keys(app)
        await pilot.press("ctrl+z")
        await until(
            app, pilot, lambda: bool(screen.activity and not screen.activity.done_at), "reopened"
        )
    with app.context.database.read_session() as session:
        row = session.get(Activity, task_id)
        assert row is not None
        assert row.done_at is None
