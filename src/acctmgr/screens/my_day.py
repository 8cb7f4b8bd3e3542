"""My day: the home screen, shaped by the roles of the person signed in."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Header, Static

from acctmgr.domain.records import RecordType
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.services.fulfilment.order_day import KEY_PREFIX as ACTIVATE_KEY
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Urgency
from acctmgr.services.key_accounts.finalise_day import KEY_PREFIX as FINALISE_KEY
from acctmgr.services.my_day import day as my_day_service
from acctmgr.services.my_day.day import SECTIONS, MyDay
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.text import content, plain

URGENCY_STYLE = {Urgency.OVERDUE: "bold $error", Urgency.TODAY: "bold", Urgency.SOON: ""}
URGENCY_LABEL = {Urgency.OVERDUE: "overdue", Urgency.TODAY: "today", Urgency.SOON: ""}
# Trials ending and entitlements about to expire open the account's entitlements on a date.
ENTITLED = (RecordType.SUBSCRIPTION, RecordType.ENTITLEMENT)


class MyDayScreen(AcctmgrScreen):
    """One list per area's section; Enter opens the record of the highlighted line."""

    TITLE = "My day"
    BINDINGS = [
        Binding("d", "done", "Mark done"),
        Binding("ctrl+z", "undo_done", "Undo done (reopen)"),
        Binding("s", "schedule", "New task"),
        Binding("r", "reschedule", "Reschedule", show=False),
        Binding("f5", "refresh", "Refresh", show=False),
        Binding("f9", "people", "People"),
        # Before the focused table's own Up and Down, so they can go on to the next section.
        Binding("down", "step(1)", "Down", show=False, priority=True),
        Binding("up", "step(-1)", "Up", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[str, MyDayItem] = {}
        self._admin = False
        # The task last marked done here, with its version then, for Ctrl+Z.
        self._last_done: tuple[MyDayItem, int] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading your day…", id="my-day-summary")
        yield Static("", id="my-day-banner")  # who approves for whom today
        for section in SECTIONS:
            key = section.key
            with Vertical(id=f"section-{key}", classes="my-day-section"):
                yield Static(section.title, classes="section-title", id=f"title-{key}")
                yield RecordTable(("When", 14), ("What", 40), "Detail", id=f"table-{key}")
        yield KeysFooter()

    def on_mount(self) -> None:
        day = self.acctmgr.take_first_day()
        if day is None:
            self.refresh_day()
        else:
            self.show_day(day)
            self.call_after_refresh(self.acctmgr.warm_up)

    def on_screen_resume(self) -> None:
        if self._items:
            self.refresh_day()

    @work(exclusive=True, group="my-day")
    async def refresh_day(self) -> None:
        day = await self.call(my_day_service.my_day)
        if day is not None:
            self.show_day(day)

    def show_day(self, day: MyDay) -> None:
        self._items.clear()
        if day.is_admin != self._admin:
            self._admin = day.is_admin
            self.refresh_bindings()
        self.query_one("#my-day-summary", Static).update(
            content(f"{day.user_name} · {', '.join(day.roles)} · {day.today:%A %d %B %Y}")
        )
        banner = self.query_one("#my-day-banner", Static)
        banner.update(content("\n".join(day.banners)))
        banner.display = bool(day.banners)
        first_visible = None
        read = {section.key: section for section in day.sections}
        for declared in SECTIONS:
            key = declared.key
            found = read.get(key)
            items = found.items if found else []
            section = self.query_one(f"#section-{key}")
            # Sections a role never fills (renewals for an approver) stay out of the way.
            section.display = bool(items) or (found is not None and found.always_shown)
            section.set_class(not items, "empty")
            shown = f"{len(items)}+" if len(items) >= LIST_LIMIT else len(items)
            self.query_one(f"#title-{key}", Static).update(f"{declared.title} ({shown})")
            self.query_one(f"#table-{key}", RecordTable).show(self._rows(items))
            for item in items:
                self._items[item.key] = item
            if items and first_visible is None:
                first_visible = key
        focused = self.focused
        # Textual focused the first table when the screen was composed, which may be of a
        # section this day hides (the admins' setup): then the first shown one takes it.
        parent = focused.parent if isinstance(focused, RecordTable) else None
        if first_visible and not (parent is not None and parent.display):
            self.query_one(f"#table-{first_visible}", RecordTable).focus()

    def _rows(self, items: list[MyDayItem]) -> list[Row]:
        rows: list[Row] = []
        for item in items:
            style = URGENCY_STYLE[item.urgency].replace("$error", "red")
            when = f"{item.when:%d %b}" if item.when else ""
            label = URGENCY_LABEL[item.urgency]
            rows.append(
                (
                    item.key,
                    [
                        plain(f"{when} {label}".strip(), style),
                        plain(item.title, style),
                        plain(item.detail),
                    ],
                )
            )
        return rows

    def _highlighted(self) -> MyDayItem | None:
        table = self.focused
        if not isinstance(table, RecordTable):
            return None
        key = table.selected_key
        return self._items.get(key) if key else None

    @on(RecordTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def action_step(self, delta: int) -> None:
        """Down past a section's last row goes on to the next section shown, Up past its first
        back to the previous one's last row: the day reads as one list."""
        table = self.focused
        if not isinstance(table, RecordTable):
            return
        if 0 <= table.cursor_row + delta < table.row_count:
            table.action_move(delta)
            return
        shown = [
            each
            for each in self.query(RecordTable)
            if each.row_count and each.parent is not None and each.parent.display
        ]
        index = shown.index(table) + delta if table in shown else -1
        if 0 <= index < len(shown):
            target = shown[index]
            target.focus()
            target.action_to(0 if delta > 0 else -1)
            target.scroll_visible()

    @on(RecordTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "people":
            return self._admin
        if action in ("done", "reschedule"):
            item = self._highlighted()
            return item is not None and item.record_type is RecordType.ACTIVITY
        if action == "undo_done":
            return self._last_done is not None
        return True

    def action_open(self) -> None:
        item = self._highlighted()
        if item is None:
            return
        if item.record_type is RecordType.COMPANY_IDENTITY:
            self.acctmgr.edit_company_identity()
            return
        if item.record_type is RecordType.ACTIVITY:
            from acctmgr.screens.accounts.activity import (
                ActivityScreen,  # not needed to show the day
            )

            self.app.push_screen(ActivityScreen(item.record_id))
            return
        if item.record_type is RecordType.RETENTION_CASE:
            from acctmgr.screens.retention.case import CaseScreen

            self.app.push_screen(CaseScreen(item.record_id))
            return
        if item.record_type is RecordType.OFFER:
            from acctmgr.screens.key_accounts.offer import OfferScreen

            self.app.push_screen(OfferScreen(item.record_id))
            return
        if item.record_type is RecordType.QUOTE:
            from acctmgr.screens.approvals.inbox import ApprovalScreen

            self.app.push_screen(ApprovalScreen(None, record=(item.record_type, item.record_id)))
            return
        if item.record_type is RecordType.CONTRACT and item.key.startswith(FINALISE_KEY):
            from acctmgr.screens.key_accounts.finalise import FinaliseScreen

            self.app.push_screen(FinaliseScreen(item.record_id))
            return
        if item.record_type is RecordType.OVERAGE_LINE:
            from acctmgr.screens.fulfilment.usage import OverageReviewScreen

            self.app.push_screen(OverageReviewScreen())
            return
        if item.record_type is RecordType.CONTRACT and item.key.startswith(ACTIVATE_KEY):
            from acctmgr.screens.fulfilment.orders import OrdersScreen

            self.app.push_screen(OrdersScreen(item.record_id))
            return
        if item.record_type in ENTITLED and item.account_id is not None:
            from acctmgr.screens.fulfilment.entitlements import EntitlementsScreen

            self.app.push_screen(EntitlementsScreen(item.account_id))
            return
        if item.account_id is None:
            self.notify("This item has no account to open.", severity="warning")
            return
        self.acctmgr.open_account(item.account_id)

    @work(exclusive=True, group="my-day-task")
    async def action_done(self) -> None:
        item = self._highlighted()
        if item is None or item.record_type is not RecordType.ACTIVITY:
            self.notify("Only tasks and reminders can be marked done.", severity="warning")
            return
        from acctmgr.screens.accounts import task_dialogs  # loaded after My day has painted

        done = await task_dialogs.mark_done(self, item.record_id, item.version, item.title)
        if done is not None:
            self._last_done = (item, done)
            self.refresh_bindings()
        self.refresh_day()

    def action_people(self) -> None:
        """People, the admins' screen of users (the F9 key of My day)."""
        self.acctmgr.go("people")

    @work(exclusive=True, group="my-day-task")
    async def action_undo_done(self) -> None:
        if self._last_done is None:
            return
        from acctmgr.screens.accounts import task_dialogs

        item, version = self._last_done
        self._last_done = None
        self.refresh_bindings()
        await task_dialogs.undo_done(self, item.record_id, version, item.title)
        self.refresh_day()

    @work(exclusive=True, group="my-day-task")
    async def action_reschedule(self) -> None:
        item = self._highlighted()
        if item is None or item.record_type is not RecordType.ACTIVITY:
            return
        from acctmgr.screens.accounts import task_dialogs
        from acctmgr.services.accounts import activities

        task = await self.call(activities.activity, item.record_id)
        if task is None:
            return
        if await task_dialogs.reschedule(self, task.id, task.version, task.due_at, task.subject):
            self.refresh_day()

    @work(exclusive=True, group="my-day-task")
    async def action_schedule(self) -> None:
        """A new task about the highlighted line's record (or its account), or a personal one."""
        from acctmgr.screens.accounts import task_dialogs

        choices = []
        item = self._highlighted()
        if item is not None and item.record_type in task_dialogs.FOLLOWED:
            choices.append(task_dialogs.about(item.record_type, item.record_id, item.title))
        if item is not None and item.account_id is not None:
            task = item.record_type is RecordType.ACTIVITY
            label = f"The account {item.detail}" if task and item.detail else "Its account"
            choices.append(task_dialogs.about(RecordType.ACCOUNT, item.account_id, label))
        choices.append(task_dialogs.PERSONAL)
        if await task_dialogs.schedule_task(self, choices):
            self.refresh_day()

    def action_refresh(self) -> None:
        self.refresh_day()
