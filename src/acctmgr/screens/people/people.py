"""People, for admins: every user with their roles and segment, added, changed, deactivated
and reactivated here.

The list is searched and paged in the database as you type (login, name or e-mail). Each form
reads the user again before it opens, so it starts from what is stored; the service checks it
all once more on Ctrl+S, and a refusal stays beside its field.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Input, Static

from acctmgr.domain.roles import Role
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.catalogue.forms import RecordFormScreen
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.screens.people.replace_approver import replace_in_approvals
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import deactivation, directory
from acctmgr.services.people import users as user_service
from acctmgr.services.people.directory import PersonRow
from acctmgr.services.people.users import UserDetails, UserIn, UserView, role_names
from acctmgr.widgets.form import FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.search_box import SearchBox
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
    """Type to search users; n adds one, e changes the highlighted one, F8 (de)activates."""

    TITLE = "People"
    AUTO_FOCUS = "#people-search"
    BINDINGS = [
        Binding("ctrl+f", "focus_search", "Search"),
        Binding("n", "new_user", "New user"),
        Binding("e", "edit_user", "Edit"),
        Binding("f8", "toggle_active", "Deactivate or reactivate"),
        Binding("ctrl+g", "replace_approver", "Replace in approvals"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._generation = 0
        self._exhausted = False
        self._rows: dict[str, PersonRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield SearchBox(
            placeholder="Search login, name or e-mail", id="people-search", compact=True
        )
        yield RecordTable(
            ("Login", 10), ("Name", 18), ("E-mail", 20), "Roles", ("Seg.", 5), ("", 6), id="people"
        )
        yield Static("", id="people-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.search()

    def on_screen_resume(self) -> None:
        self.search()

    @on(Input.Changed, "#people-search")
    def _text_changed(self) -> None:
        self.search()

    @on(Input.Submitted, "#people-search")
    def _text_submitted(self) -> None:
        self.query_one("#people", RecordTable).focus()

    def search(self) -> None:
        """Start a new search from the first page; older answers become stale."""
        self._generation += 1
        self._exhausted = False
        self.fetch(self._generation, 0)

    @work(group="people-search")
    async def fetch(self, generation: int, offset: int) -> None:
        text = self.query_one("#people-search", Input).value
        rows = await self.call(directory.search_people, text, limit=PAGE, offset=offset)
        if rows is None or generation != self._generation:
            return
        table = self.query_one("#people", RecordTable)
        if offset == 0:
            self._rows = {row.login: row for row in rows}
            table.show(_row(row) for row in rows)
        else:
            self._rows.update({row.login: row for row in rows})
            table.append(_row(row) for row in rows)
        self._exhausted = len(rows) < PAGE
        shown = table.row_count
        noun = "user" if shown == 1 else "users"
        self.query_one("#people-status", Static).update(
            f"{shown} {noun}" if self._exhausted else f"{shown} {noun} shown, more below",
            layout=False,
        )
        self.refresh_bindings()

    @on(RecordTable.RowHighlighted, "#people")
    def _near_the_end(self, event: RecordTable.RowHighlighted) -> None:
        table = self.query_one("#people", RecordTable)
        if not self._exhausted and event.index >= table.row_count - 10:
            self._exhausted = True  # until this page answers
            self.fetch(self._generation, table.row_count)
        self.refresh_bindings()

    @on(RecordTable.RowSelected, "#people")
    def _open(self) -> None:
        self.action_edit_user()

    def _highlighted(self) -> PersonRow | None:
        key = self.query_one("#people", RecordTable).selected_key
        return self._rows.get(key) if key else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_user", "edit_user") and isinstance(self.focused, Input):
            return False  # letters belong to the search box while it has focus
        if action in ("edit_user", "toggle_active", "replace_approver"):
            return self._highlighted() is not None
        return True

    def action_focus_search(self) -> None:
        self.query_one("#people-search", Input).focus()

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
