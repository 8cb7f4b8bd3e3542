"""An admin replaces a Segment Leader in approvals from the People list, with Pilot."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.widgets import Label, Static

from acctmgr.models import Approval, ApprovalStatus, Role, User
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.screens.people.people import PeopleScreen
from acctmgr.services.approvals import inbox
from acctmgr.services.people import users as user_service
from acctmgr.widgets.form import Form
from acctmgr.widgets.record_table import RecordTable
from tests.ui_support import build_app, notifications, settle, until

SIZE = (80, 24)


def open_approvals_of(app: object, login: str) -> int:
    database = app.context.database  # type: ignore[attr-defined]
    with database.read_session() as session:
        user = session.scalars(select(User).where(User.login == login)).one()
        return len(
            list(
                session.scalars(
                    select(Approval.id).where(
                        Approval.approver_id == user.id,
                        Approval.status == ApprovalStatus.PENDING,
                    )
                )
            )
        )


async def test_an_admin_replaces_a_leader_after_a_refusal_beside_the_choice(
    tmp_path: Path, office: Path
) -> None:
    """Ctrl+Y on Lee Leader: Fin Ance is refused beside the choice (no Segment Leader);
    Lou Leader is accepted, the changes are listed, y makes them, and the open approvals
    are Lou's."""
    app = build_app(tmp_path, "admin", office)
    user_service.create_user(
        app.context,
        user_service.UserIn(
            login="leader2",
            name="Lou Leader",
            email="lou@office.example",
            segment_code="MID",
            roles=frozenset({Role.SEGMENT_LEADER}),
        ),
    )
    waiting = open_approvals_of(app, "leader")
    assert waiting > 0
    shown = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, PeopleScreen)
        table = app.screen.query_one("#people", RecordTable)
        table.focus()
        table.move_to("leader")
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        dialog.query_one(Form).fill({"replacement": "finance"})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is dialog  # refused, and still open with the choice
        error = str(dialog.query_one("#replacement-error", Label).render())
        assert "Fin Ance is no Segment Leader" in error
        assert open_approvals_of(app, "leader") == waiting

        dialog.query_one(Form).fill({"replacement": "leader2"})
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, ConfirmScreen), "the changes")
        assert f"Make these {waiting} changes, Lee Leader → Lou Leader?" in str(
            app.screen.query_one(".dialog-title", Static).render()
        )
        await pilot.press("y")
        await until(app, pilot, lambda: isinstance(app.screen, PeopleScreen), "People again")
        await settle(app, pilot)
    assert open_approvals_of(app, "leader") == 0
    assert open_approvals_of(app, "leader2") == waiting
    assert len(inbox.inbox(app.context.as_user("leader2"))) == waiting
    assert f"Lou Leader now holds what Lee Leader held: {waiting} changes." in shown
