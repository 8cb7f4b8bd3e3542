"""The outbox, for admins: what was sent, what waits for a retry and why, and what failed."""

from __future__ import annotations

from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from acctmgr.domain.documents import EmailStatus
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.services.mail import outbox as outbox_service
from acctmgr.services.mail.outbox import EmailView, OutboxRow
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable
from acctmgr.widgets.text import content, day, fields, lines, plain, prose, safe

PAGE = 100
# The filter `f` steps through: everything, then one status at a time.
FILTERS: tuple[EmailStatus | None, ...] = (None, *EmailStatus)


def _when(value: datetime | None) -> str:
    return day(value)


def _next_attempt(row: OutboxRow) -> str:
    return _when(row.next_attempt_at) if row.status is EmailStatus.QUEUED else ""


class OutboxScreen(AcctmgrScreen):
    """Every e-mail acctmgr sends, newest first (a header or F12 sorts); the highlighted one's
    error shows below."""

    TITLE = "Outbox"
    BINDINGS = [
        Binding("f7", "retry", "Send again (a failed one)"),
        Binding("f", "filter", "Filter by status"),
        Binding("f5", "refresh", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, OutboxRow] = {}
        self._filter = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the outbox…", id="outbox-summary")
        yield RecordTable(
            ("Status", 7),
            ("To", 18),
            "Subject",
            ("Tries", 5),
            ("Next attempt", 17),
            "Last error",
            id="outbox-table",
            sorts=("status", "to", "subject", "attempts", "next_attempt", "error"),
        )
        yield Static("", id="outbox-error")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(RecordTable).focus()
        self.refresh_outbox()

    def on_screen_resume(self) -> None:
        self.refresh_outbox()

    @property
    def status(self) -> EmailStatus | None:
        return FILTERS[self._filter]

    @work(exclusive=True, group="outbox")
    async def refresh_outbox(self) -> None:
        sort = self.query_one(RecordTable).sort or outbox_service.NEWEST_FIRST
        rows = await self.call(outbox_service.outbox, self.status, PAGE, sort=sort)
        if rows is None:
            return
        self._rows = {str(row.id): row for row in rows}
        which = f"{self.status.value} e-mails" if self.status else "e-mails"
        first = "newest" if sort == outbox_service.NEWEST_FIRST else "first"
        shown = f"the {first} {PAGE} " if len(rows) == PAGE else ""
        self.query_one("#outbox-summary", Static).update(
            f"Showing {shown}{which}; f filters by status, F7 sends a failed one again."
            if rows
            else f"There are no {which} in the outbox."
        )
        table = self.query_one(RecordTable)
        table.show(
            (
                str(row.id),
                [
                    plain(row.status.value, "bold red" if row.status is EmailStatus.FAILED else ""),
                    plain(row.to_addresses),
                    plain(row.subject),
                    plain(row.attempts),
                    plain(_next_attempt(row)),
                    plain(row.last_error),
                ],
            )
            for row in rows
        )
        self._show_error(table.selected_key)

    @on(RecordTable.SortChanged)
    def _sorted(self) -> None:
        self.refresh_outbox()

    def _show_error(self, key: str | None) -> None:
        row = self._rows.get(key or "")
        self.query_one("#outbox-error", Static).update(
            content(row.last_error) if row is not None else ""
        )

    @on(RecordTable.RowHighlighted)
    def _highlighted(self, event: RecordTable.RowHighlighted) -> None:
        self._show_error(event.key)

    @on(RecordTable.RowSelected)
    def _open(self, event: RecordTable.RowSelected) -> None:
        if event.key in self._rows:
            self.app.push_screen(EmailScreen(int(event.key)))

    async def action_retry(self) -> None:
        row = self._rows.get(self.query_one(RecordTable).selected_key or "")
        if row is None:
            return
        if await retry(self, row.id, row.version):
            self.refresh_outbox()

    def action_filter(self) -> None:
        self._filter = (self._filter + 1) % len(FILTERS)
        self.refresh_outbox()

    def action_refresh(self) -> None:
        self.refresh_outbox()


async def retry(screen: AcctmgrScreen, email_id: int, version: int) -> bool:
    """Queue a failed e-mail again; the service says why when it cannot."""
    queued = await screen.call(outbox_service.retry_email, email_id, version)
    if queued is None:
        return False
    # The subject is customer text: shown as letters, never as markup.
    screen.notify(f"Queued again for the worker's next pass: {safe(queued.subject)}")
    return True


class EmailScreen(AcctmgrScreen):
    """One e-mail as it is sent: headers, attachments, the text, and its delivery state."""

    TITLE = "E-mail"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f7", "retry", "Send again (a failed one)"),
    ]

    def __init__(self, email_id: int) -> None:
        super().__init__()
        self.email_id = email_id
        self.email: EmailView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="email-view", can_focus=True):
            yield Static("Loading…", id="email-headers")
            yield Static("", id="email-body")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#email-view").focus()
        self.load()

    @work(exclusive=True, group="email")
    async def load(self) -> None:
        email = await self.call(outbox_service.email, self.email_id)
        if email is None:
            return
        self.email = email
        self.sub_title = email.subject
        attachments = ", ".join(
            f"{a.filename} ({a.media_type}, {a.size:,} bytes)" for a in email.attachments
        )
        state = email.status.value + (f", {email.attempts} failed tries" if email.attempts else "")
        rows = [
            ("To", email.to_addresses),
            ("Cc", email.cc_addresses or "—"),
            ("Subject", email.subject),
            ("Message-ID", email.message_id),
            ("Attachments", attachments or "none"),
            ("Status", state),
            ("Queued", _when(email.created_at)),
        ]
        if email.sent_at:
            rows.append(("Sent", _when(email.sent_at)))
        if email.status is EmailStatus.QUEUED:
            rows.append(("Next attempt", _when(email.next_attempt_at)))
        if email.last_error:
            rows.append(("Last error", email.last_error))
        self.query_one("#email-headers", Static).update(fields(rows, width=12))
        self.query_one("#email-body", Static).update(
            lines(["", "—" * 40, ""]) + prose(email.body_text)
        )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self.email is not None and self.email.status is EmailStatus.FAILED
        return True

    async def action_retry(self) -> None:
        if self.email is not None and await retry(self, self.email.id, self.email.version):
            self.load()
