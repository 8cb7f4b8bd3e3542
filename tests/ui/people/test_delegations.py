"""Setting a delegate from the palette, the delegate deciding in F4, and the admins' list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from textual.widgets import Label, Static

from acctmgr.app import AcctmgrApp
from acctmgr.models import ApprovalDecision, Delegation, Role, User
from acctmgr.screens.approvals.inbox import ApprovalScreen, ApprovalsScreen
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.screens.my_day import MyDayScreen
from acctmgr.screens.people.delegations import DelegationsScreen
from acctmgr.screens.people.people import PeopleScreen
from acctmgr.services.people import users as user_service
from acctmgr.services.people.delegations import DelegationIn, set_delegate
from acctmgr.widgets.form import Form
from acctmgr.widgets.record_table import RecordTable
from tests.ui_support import build_app, notifications, run_from_palette, settle, until

SIZE = (100, 30)
DAYS = {"starts_on": "2026-11-23", "ends_on": "2026-12-12"}


def delegations(app: AcctmgrApp) -> list[tuple[str, str, bool]]:
    with app.context.database.read_session() as session:
        rows = session.scalars(select(Delegation).order_by(Delegation.id)).all()
        login = {u.id: u.login for u in session.scalars(select(User))}
        return [(login[r.user_id], login[r.delegate_id], r.revoked_at is None) for r in rows]


def on_behalf_votes(app: AcctmgrApp) -> list[tuple[str, str]]:
    with app.context.database.read_session() as session:
        login = {u.id: u.login for u in session.scalars(select(User))}
        votes = session.scalars(
            select(ApprovalDecision).where(ApprovalDecision.on_behalf_of_id.is_not(None))
        )
        return [(login[v.user_id], login[v.on_behalf_of_id or 0]) for v in votes]


async def test_a_leader_sets_a_delegate_who_then_decides_in_the_inbox(
    tmp_path: Path, office: Path
) -> None:
    """The leader names Erin (warned, and says no), then Lou (no warning, saved); Lou's F4
    lists the leader's approvals "for Lee Leader" and his approval is recorded on behalf."""
    app = build_app(tmp_path, "leader", office)
    user_service.create_user(
        app.context.as_user("admin"),
        user_service.UserIn(
            login="leader2",
            name="Lou Leader",
            email="lou@office.example",
            segment_code="MID",
            roles=frozenset({Role.SEGMENT_LEADER}),
        ),
    )
    shown = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_from_palette(app, pilot, "Set a delegate")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the form")
        dialog = app.screen
        dialog.query_one(Form).fill({"delegate_login": "leader", **DAYS})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is dialog  # refused beside the field
        error = str(dialog.query_one("#delegate_login-error", Label).render())
        assert "Nobody can be your own delegate" in error

        dialog.query_one(Form).fill({"delegate_login": "ae", **DAYS})
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, ConfirmScreen), "the warning")
        warning = str(app.screen.query(".dialog-text").first(Static).render())
        assert "Erin Executive is not a Segment Leader in Mid-market" in warning
        await pilot.press("n")
        await until(app, pilot, lambda: isinstance(app.screen, MyDayScreen), "My day again")
        assert delegations(app) == []

        await run_from_palette(app, pilot, "Set a delegate")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the form again")
        app.screen.query_one(Form).fill({"delegate_login": "leader2", **DAYS})
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: delegations(app) != [], "the delegation saved")
        await until(app, pilot, lambda: isinstance(app.screen, MyDayScreen), "My day")
    assert delegations(app) == [("leader", "leader2", True)]
    assert "Lou Leader approves your approvals too from 23 Nov to 12 Dec." in shown

    lou = build_app(tmp_path, "leader2")
    async with lou.run_test(size=SIZE) as pilot:
        await settle(lou, pilot)
        banner = str(lou.screen.query_one("#my-day-banner", Static).render())
        assert "You approve for Lee Leader until 12 Dec." in banner
        await pilot.press("f4")
        await settle(lou, pilot)
        assert isinstance(lou.screen, ApprovalsScreen)
        table = lou.screen.query_one(RecordTable)
        assert table.row_count > 0
        assert all(text.endswith("(for Lee Leader)") for text in table.texts(1))
        table.focus()
        await pilot.press("enter")
        await until(lou, pilot, lambda: isinstance(lou.screen, ApprovalScreen), "the request")
        await settle(lou, pilot)
        await pilot.press("ctrl+a")
        await until(lou, pilot, lambda: on_behalf_votes(lou) != [], "the approval")
    assert on_behalf_votes(lou) == [("leader2", "leader")]


async def test_an_admin_lists_and_revokes_delegations_from_people(
    tmp_path: Path, office: Path
) -> None:
    """F11 on People lists every delegation; Ctrl+N names Erin's; Ctrl+X and y revoke it."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, PeopleScreen)
        await pilot.press("f11")
        await settle(app, pilot)
        assert isinstance(app.screen, DelegationsScreen)
        await pilot.press("ctrl+n")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the form")
        app.screen.query_one(Form).fill({"user_login": "ae", "delegate_login": "cms", **DAYS})
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: delegations(app) != [], "the delegation")
        await until(app, pilot, lambda: isinstance(app.screen, DelegationsScreen), "the list")
        table = app.screen.query_one(RecordTable)
        await until(app, pilot, lambda: table.row_count == 1, "the row")
        assert table.texts(0) == ["Erin Executive"]
        table.focus()
        await pilot.press("ctrl+x")
        await until(app, pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await until(app, pilot, lambda: table.row_count == 0, "the row gone")
    assert delegations(app) == [("ae", "cms", False)]


async def test_anyone_reads_and_revokes_their_delegations_from_the_palette(
    tmp_path: Path, office: Path
) -> None:
    """Casey, standing in for Erin, opens "My delegations" and declines it with Ctrl+X, y."""
    app = build_app(tmp_path, "cms", office)
    set_delegate(
        app.context.as_user("ae"),
        DelegationIn(
            delegate_login="cms", starts_on=date(2026, 11, 23), ends_on=date(2026, 12, 12)
        ),
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_from_palette(app, pilot, "My delegations")
        await until(app, pilot, lambda: isinstance(app.screen, DelegationsScreen), "the list")
        table = app.screen.query_one(RecordTable)
        await until(app, pilot, lambda: table.row_count == 1, "the row")
        assert table.texts(0) == ["Erin Executive"]
        table.focus()
        await pilot.press("ctrl+x")
        await until(app, pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await until(app, pilot, lambda: table.row_count == 0, "the row gone")
    assert delegations(app) == [("ae", "cms", False)]
