"""People, for admins: every user with their roles and segment, added, changed, deactivated
and reactivated here.

The list (the shared ``SearchList``) is searched, sorted and paged in the database as you
type (login, name or e-mail). Each form
reads the user again before it opens, so it starts from what is stored; the service checks it
all once more on Ctrl+S, and a refusal stays beside its field.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header

from acctmgr.domain.roles import Role
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.catalogue.forms import RecordFormScreen
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.screens.people.replace_approver import replace_in_approvals
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.sorting import Sort
from acctmgr.services.people import deactivation, directory
from acctmgr.services.people import users as user_service
from acctmgr.services.people.directory import PersonRow
from acctmgr.services.people.users import UserDetails, UserIn, UserView, role_names
from acctmgr.widgets.form import FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.search_list import SearchList
from acctmgr.widgets.text import plain

PAGE = 100
ROLES_HINT = "Admin, Finance (names or codes: ae, cms, kam…)"
USER_FIELDS = [
    FormField("login", "Login", placeholder="lower case, e.g. jdoe"),
    FormField("name", "Full name"),
    FormField("email", "E-mail", placeholder="name@example.com"),
    FormField("roles", "Roles", placeholder=ROLES_HINT),
    FormField("segment_code", "Segment code", placeholder="SMB; empty for none"),
]
ROLES_INTRO = "Roles, separated by commas: " + ", ".join(role.label for role in Role) + "."


class PeopleScreen(AcctmgrScreen):
    """Type to search users; a header (or F12) sorts; Ctrl+N adds one, Enter changes the
    highlighted one, F8 (de)activates, F11 lists who approves for whom."""

    TITLE = "People"
    AUTO_FOCUS = "#people-search"
    BINDINGS = [
        Binding("ctrl+n", "new_user", "Add a user"),
        Binding("f8", "toggle_active", "Deactivate or reactivate"),
        Binding("ctrl+y", "replace_approver", "Replace in approvals"),
        Binding("f11", "delegations", "Delegations (who approves for whom)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        table = RecordTable(
            ("Login", 10),
            ("Name", 18),
            ("E-mail", 20),
            "Roles",
            ("Seg.", 5),
            ("", 6),
            id="people",
            sorts=("login", "name", "email", None, "segment", "active"),
            sort=directory.BY_LOGIN,
        )
        self.people: SearchList[PersonRow] = SearchList(
            table,
            self._load,
            _row,
            box_id="people-search",
            status_id="people-status",
            placeholder="Search login, name or e-mail",
            noun=("user", "users"),
            page=PAGE,
        )

    def compose(self) -> ComposeResult:
        yield Header()
        yield self.people
        yield KeysFooter()

    def on_mount(self) -> None:
        self.people.search()

    def on_screen_resume(self) -> None:
        self.people.search(to_top=False)

    def search(self) -> None:
        """Show the users again as stored, the cursor staying on its user."""
        self.people.search(to_top=False)

    async def _load(
        self, text: str, sort: Sort | None, offset: int, limit: int
    ) -> Sequence[PersonRow] | None:
        return await self.call(
            directory.search_people,
            text,
            limit=limit,
            offset=offset,
            sort=sort or directory.BY_LOGIN,
        )

    @on(RecordTable.RowSelected, "#people")
    def _open(self) -> None:
        self.action_edit_user()

    def _highlighted(self) -> PersonRow | None:
        return self.people.highlighted()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_user", "toggle_active", "replace_approver"):
            return self._highlighted() is not None
        return True

    def action_new_user(self) -> None:
        self.app.push_screen(
            RecordFormScreen("New user", ROLES_INTRO, USER_FIELDS, UserIn, _create),
            self._saved,
        )

    @work(group="people-edit")
    async def action_edit_user(self) -> None:
        row = self._highlighted()
        if row is None:
            return
        fresh = await self.call(directory.person, row.login)
        if fresh is None:
            return

        def save(context: Context, data: UserDetails) -> UserView:
            return user_service.update_user(context, fresh.login, data, fresh.version)

        values = {
            "login": fresh.login,
            "name": fresh.name,
            "email": fresh.email,
            "roles": role_names(fresh.roles),
            "segment_code": fresh.segment_code or "",
        }
        form = RecordFormScreen(
            f"Edit {fresh.login}", ROLES_INTRO, USER_FIELDS, UserDetails, save, values, ("login",)
        )
        self.app.push_screen(form, self._saved)

    def _saved(self, user: UserView | None) -> None:
        if user is not None:
            self.notify(f"Saved {user.login} ({user.name}).")
            self.search()
            self.query_one("#people", RecordTable).move_to(user.login)

    @work(group="people-active")
    async def action_toggle_active(self) -> None:
        row = self._highlighted()
        if row is None:
            return
        if row.active:
            question = f"Deactivate {row.name} ({row.login})?"
            detail = "They can no longer sign in, decide or be given work; their history stays."
            if not await self.app.push_screen_wait(ConfirmScreen(question, detail)):
                return
            done = await self.call(deactivation.deactivate_user, row.login)
            if done is not None:
                self.notify(f"Deactivated {row.login}.")
                held = len(done.to_reassign)
                question = f"{held} open approvals wait on {row.name} alone. Replace them now?"
                if held and await self.app.push_screen_wait(ConfirmScreen(question)):
                    await replace_in_approvals(self, row.login, row.name)
        else:
            back = await self.call(deactivation.reactivate_user, row.login)
            if back is not None:
                self.notify(f"Reactivated {row.login}: they can sign in again.")
        self.search()

    def action_delegations(self) -> None:
        from acctmgr.screens.people.delegations import DelegationsScreen

        self.app.push_screen(DelegationsScreen())

    @work(group="people-replace")
    async def action_replace_approver(self) -> None:
        row = self._highlighted()
        if row is not None:
            await replace_in_approvals(self, row.login, row.name)


def _create(context: Context, data: UserIn) -> UserView:
    return user_service.create_user(context, data)


def _row(row: PersonRow) -> Row:
    style = "" if row.active else "dim"
    return (
        row.login,
        [
            plain(row.login, style),
            plain(row.name, style),
            plain(row.email, style),
            plain(role_names(row.roles), style),
            plain(row.segment_code or "", style),
            plain("" if row.active else "off", style),
        ],
    )
