"""The ERP exports, for admins: what went to the drop folder, and what waits and why."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from acctmgr.domain.fulfilment import ExportStatus
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.services.fulfilment import erp_export as export_service
from acctmgr.services.fulfilment.erp_export import ExportRow
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable
from acctmgr.widgets.text import content, day, plain

PAGE = 100
# The filter `f` steps through: everything, then one status at a time.
FILTERS: tuple[ExportStatus | None, ...] = (None, *ExportStatus)


def why(row: ExportRow) -> str:
    """The highlighted export in words: what it is, what it replaces, and why it waits."""
    said = row.document + (f", replacing {row.replaces_key}" if row.replaces_key else "")
    if row.status is ExportStatus.WRITTEN:
        return f"{said}: written as {row.file_name} on {day(row.written_at)}."
    if row.status is ExportStatus.WRITING:
        return f"{said}: a worker is writing it now."
    if not row.last_error:
        return f"{said}: the worker writes it on its next pass."
    when = f"again at {day(row.waits_until)}" if row.waits_until else "again on the next pass"
    tries = f"{row.attempts} failed {'try' if row.attempts == 1 else 'tries'}"
    return f"{said}: waiting, to be tried {when} ({tries} so far). {row.last_error}"


class ExportsScreen(AcctmgrScreen):
    """Every ERP export, newest first (a header or F12 sorts); the highlighted one's state and
    the reason it waits show below."""

    TITLE = "ERP exports"
    BINDINGS = [
        # It sends nothing itself: it lifts the back-off, and the worker's next pass writes it.
        Binding("f7", "retry", "Send on the next pass"),
        Binding("f", "filter", "Filter by status"),
        Binding("f5", "refresh", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, ExportRow] = {}
        self._filter = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the ERP exports…", id="exports-summary")
        yield RecordTable(
            ("Status", 7),
            ("Key", 20),
            ("Failed", 6),  # failed tries: a written export that went first time shows 0
            ("Written", 17),
            "Last error",
            id="exports-table",
            opens=False,
            sorts=("status", "key", "attempts", "written", "error"),
        )
        yield Static("", id="exports-why")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(RecordTable).focus()
        self.refresh_exports()

    def on_screen_resume(self) -> None:
        self.refresh_exports()

    @property
    def status(self) -> ExportStatus | None:
        return FILTERS[self._filter]

    @work(exclusive=True, group="erp-exports")
    async def refresh_exports(self) -> None:
        sort = self.query_one(RecordTable).sort or export_service.NEWEST_FIRST
        rows = await self.call(export_service.exports, self.status, PAGE, sort=sort)
        if rows is None:
            return
        self._rows = {str(row.id): row for row in rows}
        which = f"{self.status.value} exports" if self.status else "exports"
        first = "newest" if sort == export_service.NEWEST_FIRST else "first"
        shown = f"the {first} {PAGE} " if len(rows) == PAGE else ""
        self.query_one("#exports-summary", Static).update(
            f"Showing {shown}{which}; f filters by status, F7 sends a waiting one on the next pass."
            if rows
            else f"There are no {which} for the ERP."
        )
        table = self.query_one(RecordTable)
        table.show(
            (
                str(row.id),
                [
                    plain(row.status.value, "bold red" if row.last_error else ""),
                    plain(row.idempotency_key),
                    plain(row.attempts),
                    plain(day(row.written_at)),
                    plain(row.last_error),
                ],
            )
            for row in rows
        )
        self._show_why(table.selected_key)

    @on(RecordTable.SortChanged)
    def _sorted(self) -> None:
        self.refresh_exports()

    def _show_why(self, key: str | None) -> None:
        row = self._rows.get(key or "")
        self.query_one("#exports-why", Static).update(content(why(row)) if row else "")

    @on(RecordTable.RowHighlighted)
    def _highlighted(self, event: RecordTable.RowHighlighted) -> None:
        self._show_why(event.key)

    async def action_retry(self) -> None:
        row = self._rows.get(self.query_one(RecordTable).selected_key or "")
        if row is None:
            return
        queued = await self.call(export_service.retry_export, row.id, row.version)
        if queued is not None:
            self.notify(f"Written on the worker's next pass: {queued.document}.")
            self.refresh_exports()

    def action_filter(self) -> None:
        self._filter = (self._filter + 1) % len(FILTERS)
        self.refresh_exports()

    def action_refresh(self) -> None:
        self.refresh_exports()
