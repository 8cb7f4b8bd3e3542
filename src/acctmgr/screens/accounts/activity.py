"""A task or reminder on its own: what it is, when it is due, and its account."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Static

from acctmgr.screens.base import AcctmgrScreen
from acctmgr.services.accounts import activities as activity_service
from acctmgr.services.accounts.activities import ActivityView
from acctmgr.widgets.text import content, day, fields


class ActivityScreen(AcctmgrScreen):
    """Shows one activity; d marks it done, o opens its account."""

    TITLE = "Task"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("d", "done", "Mark done"),
        Binding("o", "open_account", "Open account"),
    ]

    def __init__(self, activity_id: int) -> None:
        super().__init__()
        self.activity_id = activity_id
        self.activity: ActivityView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="dialog"):
            yield Static("Loading…", id="activity-subject", classes="dialog-title")
            yield Static("", id="activity-details")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(group="activity")
    async def load(self) -> None:
        found = await self.call(activity_service.activity, self.activity_id)
        if found is None:
            self.dismiss()
            return
        self.activity = found
        self.sub_title = found.kind.value.capitalize()
        self.query_one("#activity-subject", Static).update(content(found.subject))
        lines = [
            ("Due", day(found.due_at) or "—"),
            ("Done", day(found.done_at) or "not yet"),
            ("Account", found.account_name or "—"),
            ("Assigned to", found.assigned_to or "—"),
            ("Created by", found.created_by),
            ("Outcome", found.outcome or "—"),
            ("Notes", found.notes or "—"),
        ]
        self.query_one("#activity-details", Static).update(fields(lines, width=12))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_account":
            return self.activity is not None and self.activity.account_id is not None
        if action == "done":
            return self.activity is not None and self.activity.done_at is None
        return True

    @work(group="activity")
    async def action_done(self) -> None:
        if self.activity is None:
            return
        done = await self.call(
            activity_service.complete_activity, self.activity.id, self.activity.version
        )
        if done is not None:
            self.notify(f"Done: {self.activity.subject}")
            self.dismiss()

    def action_open_account(self) -> None:
        if self.activity is not None and self.activity.account_id is not None:
            self.acctmgr.open_account(self.activity.account_id)
