"""People and the company identity walked with Pilot, as an admin and as somebody else."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input, Label

from acctmgr.app import AcctmgrApp
from acctmgr.models import AuditEvent, CompanyIdentity, Role, User
from acctmgr.screens.catalogue.forms import RecordFormScreen
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.screens.my_day import MyDayScreen
from acctmgr.screens.people.people import PeopleScreen
from acctmgr.widgets.record_table import RecordTable
from tests.ui_support import build_app, footer_keys, settle, until

SIZE = (80, 24)


def stored(app: AcctmgrApp, login: str) -> User:
    with app.context.database.read_session() as session:
        return session.scalars(select(User).where(User.login == login)).one()


def actions_on(app: AcctmgrApp, login: str) -> list[str]:
    user_id = stored(app, login).id
    with app.context.database.read_session() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "user", AuditEvent.entity_id == user_id)
                .order_by(AuditEvent.id)
            )
        )


async def fill(app: AcctmgrApp, values: dict[str, str]) -> None:
    form = app.screen
    assert isinstance(form, RecordFormScreen)
    for name, value in values.items():
        form.query_one(f"#{name}", Input).value = value


async def test_an_admin_adds_edits_deactivates_and_reactivates_a_user(
    tmp_path: Path, office: Path
) -> None:
    """F9 on My day opens People; Ctrl+N adds a user (a taken e-mail refused beside its field),
    Enter changes their roles and segment, F8 deactivates (after y) and reactivates; each is
    stored and audited."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "People" in footer_keys(app)
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, PeopleScreen)
        app.screen.query_one("#people", RecordTable).focus()
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        await fill(
            app,
            {
                "login": "newbie",
                "name": "Nia Newbie",
                "email": "ae@office.example",
                "roles": "Finance",
                "segment_code": "",
            },
        )
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, RecordFormScreen)  # refused: nothing saved, nothing lost
        assert "already the address of ae" in str(form.query_one("#email-error", Label).render())
        await fill(app, {"email": "nia@office.example"})
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, PeopleScreen), "back to People")
        user = stored(app, "newbie")
        assert (user.name, user.email, user.segment_id) == (
            "Nia Newbie",
            "nia@office.example",
            None,
        )
        assert {held.role for held in user.roles} == {Role.FINANCE}

        people = app.screen
        assert isinstance(people, PeopleScreen)
        people.query_one("#people-search", Input).value = "newbie"
        await settle(app, pilot)
        table = people.query_one("#people", RecordTable)
        assert table.texts(0) == ["newbie"]
        table.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, RecordFormScreen)
        assert form.query_one("#login", Input).disabled
        assert form.query_one("#roles", Input).value == "Finance"
        await fill(app, {"roles": "Finance, cms", "segment_code": "mid"})
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: app.screen is people, "back to People")
        user = stored(app, "newbie")
        assert {held.role for held in user.roles} == {Role.FINANCE, Role.CONTRACT_MANAGER}
        assert user.segment_id is not None

        await pilot.press("f8")
        for _ in range(5):  # not settle: the worker waits for the answer
            await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await until(app, pilot, lambda: not stored(app, "newbie").active, "deactivated")
        await until(app, pilot, lambda: table.texts(5) == ["off"], "shown as off")
        await pilot.press("f8")
        await until(app, pilot, lambda: stored(app, "newbie").active, "reactivated")
    assert actions_on(app, "newbie") == [
        "users.create",
        "users.update",
        "users.deactivate",
        "users.reactivate",
    ]


async def test_people_and_the_company_are_not_offered_to_others(
    tmp_path: Path, office: Path
) -> None:
    """An Account Executive's My day has no People key, and the palette offers neither People
    nor the company identity."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, MyDayScreen)
        assert "People" not in footer_keys(app)
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, MyDayScreen)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"company identity")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, RecordFormScreen)


async def test_an_admin_edits_the_company_identity_from_the_palette(
    tmp_path: Path, office: Path
) -> None:
    """The palette's "Edit company identity" opens the form; a bad e-mail is refused beside it;
    saved, the one row holds what was typed."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"Edit company identity")
        await settle(app, pilot)
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, RecordFormScreen), "the form")
        values = {
            "name": "Northwind Analytics GmbH",
            "address": "Leopoldstraße 12, 80802 München, DE",
            "registration_number": "HRB 123456",
            "vat_number": "DE123456789",
            "email": "orders",
        }
        await fill(app, values)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, RecordFormScreen)
        assert "looks like" in str(form.query_one("#email-error", Label).render())
        await fill(app, {"email": "orders@northwind.example"})
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, MyDayScreen), "back to My day")
    with app.context.database.read_session() as session:
        [row] = session.scalars(select(CompanyIdentity)).all()
        assert (row.name, row.vat_number, row.email) == (
            "Northwind Analytics GmbH",
            "DE123456789",
            "orders@northwind.example",
        )
