"""The People screen walked by an admin: add a user, change their roles, deactivate them and
bring them back; a seller reads the list and changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input, Select

from acctmgr.app import AcctmgrApp
from acctmgr.domain.records import RecordType
from acctmgr.models import AuditEvent, Role, User
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.screens.people.users import PeopleScreen
from acctmgr.widgets.record_table import RecordTable
from tests.ui_support import build_app, footer_keys, settle, until, while_waiting

SIZE = (80, 24)


async def test_an_admin_adds_changes_deactivates_and_reactivates_a_user(
    tmp_path: Path, office: Path
) -> None:
    """n adds Nora as a CMS of Small business, Enter makes her a KAM too, F8 deactivates her
    after a yes and F8 again lets her sign in; each change is stored and audited."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(PeopleScreen())
        await until(app, pilot, lambda: app.screen.query_one(RecordTable).row_count > 0, "rows")
        await pilot.press("n")
        await while_waiting(pilot, lambda: isinstance(app.screen, FormDialog), "the form")
        for name, value in (
            ("login", "nora"),
            ("name", "Nora Newman"),
            ("email", "nora@office.example"),
            ("roles", "cms"),
        ):
            app.screen.query_one(f"#{name}", Input).value = value
        app.screen.query_one("#segment_code", Select).value = "SMB"
        await pilot.press("ctrl+s")
        await while_waiting(pilot, lambda: isinstance(app.screen, PeopleScreen), "the list")
        await settle(app, pilot)
        table = app.screen.query_one(RecordTable)
        assert "nora" in table.texts()

        table.focus()
        table.move_to("nora")
        await pilot.press("enter")
        await while_waiting(pilot, lambda: isinstance(app.screen, FormDialog), "the edit form")
        app.screen.query_one("#roles", Input).value = "cms, kam"
        await pilot.press("ctrl+s")
        await while_waiting(pilot, lambda: isinstance(app.screen, PeopleScreen), "the list")
        await settle(app, pilot)

        app.screen.query_one(RecordTable).move_to("nora")
        await pilot.press("f8")
        await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await while_waiting(pilot, lambda: _active(app, "nora") is False, "nora deactivated")
        await settle(app, pilot)
        app.screen.query_one(RecordTable).move_to("nora")
        await pilot.press("f8")
        await while_waiting(pilot, lambda: _active(app, "nora") is True, "nora back")
    with app.context.database.read_session() as session:
        nora = session.scalars(select(User).where(User.login == "nora")).one()
        assert (nora.name, nora.email, nora.active) == ("Nora Newman", "nora@office.example", True)
        assert {role.role for role in nora.roles} == {
            Role.CONTRACT_MANAGER,
            Role.KEY_ACCOUNT_MANAGER,
        }
        assert nora.segment is not None
        assert nora.segment.code == "SMB"
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == RecordType.USER, AuditEvent.entity_id == nora.id
            )
        ).all()
    for done in ("users.create", "users.update", "users.deactivate", "users.reactivate"):
        assert any(action.startswith(done) for action in actions), (done, actions)


async def test_a_seller_reads_people_but_is_offered_no_change(tmp_path: Path, office: Path) -> None:
    """An AE sees the list; the keys that add or deactivate are not offered."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(PeopleScreen())
        await until(app, pilot, lambda: app.screen.query_one(RecordTable).row_count > 0, "rows")
        assert not {"New user", "Deactivate or reactivate"} & footer_keys(app)


def _active(app: AcctmgrApp, login: str) -> bool | None:
    with app.context.database.read_session() as session:
        return session.scalar(select(User.active).where(User.login == login))
