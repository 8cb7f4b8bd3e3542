"""A task or reminder on its own: what it is, when it is due, and its account."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Header, Static

from acctmgr.screens.accounts import task_dialogs
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.services.accounts import activities as activity_service
from acctmgr.services.accounts.activities import ActivityView
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.text import content, day, fields


class ActivityScreen(AcctmgrScreen):
    """Shows one activity; d marks it done (Ctrl+Z undoes that), r moves it, o opens its
    account."""

    TITLE = "Task"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("d", "done", "Mark done"),
        Binding("ctrl+z", "undo_done", "Undo done (reopen)"),
        Binding("r", "reschedule", "Reschedule"),
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
        yield KeysFooter()

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
        found = self.activity
        if action == "done":
            return found is not None and found.mine and found.done_at is None
        if action == "undo_done":
            return found is not None and found.mine and found.done_at is not None
        if action == "reschedule":
            return found is not None and found.can_reschedule
        return True

    @work(group="activity-edit")
    async def action_done(self) -> None:
        found = self.activity
        if found is None:
            return
        if await task_dialogs.mark_done(self, found.id, found.version, found.subject):
            self.load()

    @work(group="activity-edit")
    async def action_undo_done(self) -> None:
        found = self.activity
        if found is None:
            return
        if await task_dialogs.undo_done(self, found.id, found.version, found.subject):
            self.load()

    @work(group="activity-edit")
    async def action_reschedule(self) -> None:
        found = self.activity
        if found is None:
            return
        if await task_dialogs.reschedule(
            self, found.id, found.version, found.due_at, found.subject
        ):
            self.load()

    def action_open_account(self) -> None:
        if self.activity is not None and self.activity.account_id is not None:
            self.acctmgr.open_account(self.activity.account_id)
