"""Usage and overage: an account's months used against what is included (u from the
account), and the overage queue Finance and Customer Services review before invoices bill it
(My day's "Overage to review" opens it)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.dialog import FormDialog
from acctmgr.services.fulfilment import overage_review, usage_views
from acctmgr.services.fulfilment.usage_views import OverageRow, UsageMonth
from acctmgr.widgets.form import FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.text import content, counted, money, plain, safe

SELECTED = "✓"
NOT_PRICED = (
    "Not priced: this month's usage came in before acctmgr priced overage, so it has no "
    "overage line to review or bill."
)


def _month_key(month: UsageMonth) -> str:
    return f"{month.metric}:{month.month:%Y-%m}"


class AccountUsageScreen(AcctmgrScreen):
    """The account's last months of usage, newest first, each with its overage line; the
    highlighted line's review shows below."""

    TITLE = "Usage and overage"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f5", "refresh", "Refresh"),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self._months: dict[str, UsageMonth] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading usage…", id="usage-heading")
        yield RecordTable(
            ("Month", 8),
            ("Metric", 10),
            ("Used", 13),
            ("Included", 13),
            ("Overage", 16),
            ("Status", 9),
            id="usage-table",
            opens=False,
        )
        yield Static("", id="usage-review")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(RecordTable).focus()
        self.load()

    @work(exclusive=True, group="account-usage")
    async def load(self) -> None:
        usage = await self.call(usage_views.account_usage, self.account_id)
        if usage is None:
            return
        self.sub_title = usage.account_name
        self._months = {_month_key(month): month for month in usage.months}
        self.query_one("#usage-heading", Static).update(
            content(f"Usage of {usage.account_name} against what its plan includes")
            if usage.months
            else content(f"No usage of {usage.account_name} has been imported yet.")
        )
        table = self.query_one(RecordTable)
        table.show(_usage_row(month) for month in usage.months)
        self._show_review(table.selected_key)

    def _show_review(self, key: str | None) -> None:
        month = self._months.get(key or "")
        line = month.overage if month else None
        text = ""
        if month is not None and month.not_priced:
            text = NOT_PRICED
        elif line is not None and line.reviewed_by:
            note = f": {line.review_note}" if line.review_note else ""
            text = f"{line.status.label} by {line.reviewed_by}{note}"
        self.query_one("#usage-review", Static).update(content(text))

    @on(RecordTable.RowHighlighted, "#usage-table")
    def _highlighted(self, event: RecordTable.RowHighlighted) -> None:
        self._show_review(event.key)

    def action_refresh(self) -> None:
        self.load()


def _usage_row(month: UsageMonth) -> Row:
    line = month.overage
    return (
        _month_key(month),
        [
            plain(f"{month.month:%b %Y}"),
            plain(month.metric.replace("_", " ")),
            plain(f"{month.used:,}"),
            plain("" if month.included is None else f"{month.included:,}"),
            money(line.amount_minor, line.currency)
            if line
            else plain("not priced" if month.not_priced else "", "italic"),
            plain(line.status.label) if line else plain(""),
        ],
    )


class OverageReviewScreen(AcctmgrScreen):
    """Overage lines waiting for review, oldest month first: approve the highlighted one,
    select several with space and approve them together, or waive one with a note."""

    TITLE = "Overage to review"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("space", "toggle_line", "Select or unselect the line"),
        Binding("a", "approve", "Approve the highlighted line"),
        Binding("ctrl+a", "approve_selected", "Approve the selected lines", priority=True),
        Binding("W", "waive", "Waive with a note"),
        Binding("f5", "refresh", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, OverageRow] = {}
        self._selected: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the overage to review…", id="overage-summary")
        yield RecordTable(
            ("", 1),
            ("Month", 8),
            ("Account", 24),
            ("Used", 11),
            ("Included", 11),
            ("Overage", 16),
            id="overage-table",
            opens=False,
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(RecordTable).focus()
        self.refresh_queue()

    @work(exclusive=True, group="overage-queue")
    async def refresh_queue(self) -> None:
        rows = await self.call(usage_views.overage_to_review)
        if rows is None:
            return
        self._rows = {str(row.id): row for row in rows}
        self._selected &= set(self._rows)
        self._show()

    def _show(self) -> None:
        count = len(self._rows)
        summary = (
            f"{counted(count, 'line')} to review; {len(self._selected)} selected. a approves "
            "the highlighted line, space selects, Ctrl+A approves the selected, W waives."
            if count
            else "No overage is waiting for review."
        )
        self.query_one("#overage-summary", Static).update(content(summary))
        self.query_one(RecordTable).show(
            (key, self._cells(key, row)) for key, row in self._rows.items()
        )

    def _cells(self, key: str, row: OverageRow) -> list[Text]:
        return [
            plain(SELECTED if key in self._selected else ""),
            plain(f"{row.month:%b %Y}"),
            plain(row.account_name),
            plain(f"{row.used:,}"),
            plain(f"{row.included:,}"),
            money(row.amount_minor, row.currency),
        ]

    def _highlighted(self) -> OverageRow | None:
        return self._rows.get(self.query_one(RecordTable).selected_key or "")

    def action_toggle_line(self) -> None:
        table = self.query_one(RecordTable)
        key = table.selected_key
        if key is None or key not in self._rows:
            return
        self._selected ^= {key}
        self._show()
        table.move_cursor(row=table.cursor_row + 1)

    @work(group="overage-review")
    async def action_approve(self) -> None:
        row = self._highlighted()
        if row is None:
            return
        done = await self.call(overage_review.approve_overage, row.id, row.version)
        if done is not None:
            self.notify(f"Approved: {safe(row.account_name)}, {row.month:%B %Y}.")
        self.refresh_queue()

    @work(group="overage-review")
    async def action_approve_selected(self) -> None:
        chosen = [(row.id, row.version) for key, row in self._rows.items() if key in self._selected]
        if not chosen:
            self.notify("Select lines with space first, or press a to approve the highlighted one.")
            return
        done = await self.call(overage_review.approve_overages, chosen)
        if done is not None:
            self._selected.clear()
            self.notify(f"Approved {counted(len(done), 'line')}.")
        self.refresh_queue()

    def action_waive(self) -> None:
        row = self._highlighted()
        if row is None:
            return

        async def save(typed: dict[str, str]) -> OverageRow:
            waived: OverageRow = await self.run_service(
                overage_review.waive_overage, row.id, row.version, typed.get("note", "")
            )
            return waived

        def waived(done: OverageRow | None) -> None:
            if done is not None:
                self.notify(f"Waived: {safe(done.account_name)}, {done.month:%B %Y}.")
                self.refresh_queue()

        dialog = FormDialog(
            f"Waive {row.month:%B %Y} of {row.account_name}",
            [FormField("note", "Why", placeholder="e.g. a tracking fault on our side")],
            save,
            intro="A waived line is never invoiced; the note says why, for whoever asks later.",
            save_label="Waive it",
        )
        self.app.push_screen(dialog, waived)

    def action_refresh(self) -> None:
        self.refresh_queue()
