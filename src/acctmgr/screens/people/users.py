"""The people of this database, for an admin: add someone, change their name, e-mail, segment
and roles, deactivate those who leave and reactivate those who come back.

Everyone else may not open it (the palette and the keys are not offered, and the services
refuse). Enter edits the highlighted person, n adds one, F8 deactivates or reactivates.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from acctmgr.domain.roles import Role
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.services.people import deactivation
from acctmgr.services.people import users as user_service
from acctmgr.services.people.users import SegmentView, UserEdit, UserIn, UserView
from acctmgr.widgets.form import FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.text import counted, plain

ROLE_CODES = ", ".join(f"{role.value} ({role.label})" for role in Role)


class PeopleScreen(AcctmgrScreen):
    """Every user with their roles, segment and whether they may sign in."""

    TITLE = "People"
    BINDINGS = [
        Binding("n", "new_user", "New user"),
        Binding("f8", "toggle_active", "Deactivate or reactivate"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.users: dict[str, UserView] = {}
        self.segments: list[SegmentView] = []
        self.is_admin = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="people-hint")
        yield RecordTable(
            ("Login", 10), ("Name", 18), ("Segment", 13), "Roles", ("Status", 11), id="people"
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(exclusive=True, group="people")
    async def load(self, focus: str | None = None) -> None:
        me = await self.call(user_service.me)
        found = await self.call(user_service.list_users)
        segments = await self.call(user_service.list_segments)
        if me is None or found is None or segments is None:
            return
        self.is_admin = Role.ADMIN in me.roles
        self.segments = segments
        self.users = {user.login: user for user in found}
        active = sum(1 for user in found if user.active)
        self.query_one("#people-hint", Static).update(
            f"{counted(active, 'person', 'people')} may sign in · Enter edits · n adds · "
            "F8 deactivates or reactivates"
            if self.is_admin
            else "Only an Admin changes people."
        )
        table = self.query_one(RecordTable)
        table.show(self._row(user) for user in found)
        if focus is not None:
            table.move_to(focus)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_user", "toggle_active"):
            return self.is_admin
        return True

    def _row(self, user: UserView) -> Row:
        segment = next((s.name for s in self.segments if s.id == user.segment_id), "—")
        roles = ", ".join(sorted(role.label for role in user.roles)) or "none"
        return (
            user.login,
            [
                plain(user.login),
                plain(user.name),
                plain(segment),
                plain(roles),
                plain("active" if user.active else "deactivated"),
            ],
        )

    @on(RecordTable.RowSelected, "#people")
    def _edit(self, event: RecordTable.RowSelected) -> None:
        user = self.users.get(event.key)
        if user is not None and self.is_admin:
            self.edit(user)

    def action_new_user(self) -> None:
        self.edit(None)

    @work(exclusive=True, group="person-edit")
    async def edit(self, user: UserView | None) -> None:
        async def save(values: dict[str, str]) -> UserView:
            segment = values["segment_code"] or None
            roles = user_service.roles_from_text(values["roles"])
            if user is None:
                data = UserIn.model_validate(
                    {
                        "login": values["login"],
                        "name": values["name"],
                        "email": values["email"],
                        "segment_code": segment,
                        "roles": roles,
                    }
                )
                added: UserView = await self.run_service(user_service.create_user, data)
                return added
            edit = UserEdit.model_validate(
                {
                    "name": values["name"],
                    "email": values["email"],
                    "segment_code": segment,
                    "roles": roles,
                }
            )
            changed: UserView = await self.run_service(
                user_service.update_user, user.login, user.version, edit
            )
            return changed

        segments = [("No segment (sees none)", "")] + [(s.name, s.code) for s in self.segments]
        fields = [
            FormField("name", "Name", placeholder="as colleagues know them"),
            FormField("email", "E-mail", placeholder="name@example.com"),
            FormField("segment_code", "Segment", "choice", choices=segments),
            FormField("roles", "Roles", placeholder="codes, e.g. ae, cms"),
        ]
        if user is None:
            fields.insert(0, FormField("login", "Login", placeholder="their OS login, e.g. jdoe"))
        saved = await self.app.push_screen_wait(
            FormDialog(
                f"{user.name} ({user.login})" if user else "New user",
                fields,
                save,
                intro=f"Roles: {ROLE_CODES}.",
                values=self._values(user),
            )
        )
        if saved is not None:
            self.notify(f"Saved: {saved.name}.")
            self.load(saved.login)

    def _values(self, user: UserView | None) -> dict[str, str]:
        if user is None:
            return {"segment_code": ""}
        code = next((s.code for s in self.segments if s.id == user.segment_id), "")
        return {
            "name": user.name,
            "email": user.email,
            "segment_code": code,
            "roles": ", ".join(sorted(role.value for role in user.roles)),
        }

    @work(exclusive=True, group="person-edit")
    async def action_toggle_active(self) -> None:
        key = self.query_one(RecordTable).selected_key
        user = self.users.get(key or "")
        if user is None:
            return
        if user.active:
            question = f"Deactivate {user.name}?"
            detail = (
                "They can no longer sign in, decide approvals or be given work; what they did "
                "stays under their name."
            )
            if not await self.app.push_screen_wait(ConfirmScreen(question, detail)):
                return
            done = await self.call(deactivation.deactivate_user, user.login)
            if done is not None:
                waiting = len(done.to_reassign)
                self.notify(
                    f"{user.name} is deactivated."
                    + (
                        f" {counted(waiting, 'approval')} waited on them alone: hand "
                        f"{'it' if waiting == 1 else 'them'} over."
                        if waiting
                        else ""
                    )
                )
        else:
            back = await self.call(deactivation.reactivate_user, user.login)
            if back is not None:
                self.notify(f"{user.name} may sign in again.")
        self.load(user.login)
