"""The approvals inbox, and one request with the record it asks about: approve or reject."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, Label, Static

from acctmgr.domain.approvals import Decision
from acctmgr.domain.records import RecordType
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.services.approvals import decisions as approval_decisions
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.approvals.inbox import ApprovalView, InboxItem, RequestView
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable
from acctmgr.widgets.text import day, fields, lines, plain


class ApprovalsScreen(AcctmgrScreen):
    """Everything waiting for my decision, soonest due first (a header or F12 sorts); Enter
    opens one."""

    TITLE = "Approvals"
    BINDINGS = [Binding("f5", "refresh", "Refresh")]

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[str, InboxItem] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading your approvals…", id="approvals-summary")
        yield RecordTable(
            ("Due", 17),
            ("What", 44),
            "Submitted by",
            id="approvals-table",
            sorts=("due", None, "submitted_by"),
            sort=approval_inbox.SOONEST_DUE,
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.refresh_inbox()

    def on_screen_resume(self) -> None:
        self.refresh_inbox()

    @work(exclusive=True, group="inbox")
    async def refresh_inbox(self) -> None:
        sort = self.query_one(RecordTable).sort or approval_inbox.SOONEST_DUE
        items = await self.call(approval_inbox.inbox, sort)
        if items is None:
            return
        self._items = {str(item.approval_id): item for item in items}
        self.query_one("#approvals-summary", Static).update(
            f"{len(items)} waiting for you" if items else "Nothing is waiting for your approval."
        )
        self.query_one(RecordTable).show(
            (
                str(item.approval_id),
                [
                    plain(day(item.due_at) + (" late" if item.overdue else "")),
                    # Approvals they decide as a delegate say for whom; escalated ones say so.
                    plain(
                        item.record_label
                        + (f" (for {item.on_behalf_of})" if item.on_behalf_of else "")
                        + (" (escalated to you)" if item.escalated else "")
                    ),
                    plain(item.submitted_by),
                ],
            )
            for item in items
        )

    @on(RecordTable.SortChanged)
    def _sorted(self) -> None:
        self.refresh_inbox()

    @on(RecordTable.RowSelected)
    def _open(self, event: RecordTable.RowSelected) -> None:
        item = self._items.get(event.key)
        if item is not None:
            self.app.push_screen(ApprovalScreen(item.request_id))

    def action_refresh(self) -> None:
        self.refresh_inbox()


class ApprovalScreen(AcctmgrScreen):
    """One request: the record as its kind sums it up, and its tiers; Ctrl+A approves, Ctrl+R
    rejects. Opened on a request, or on a record (its latest request)."""

    TITLE = "Approval"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+a", "approve", "Approve", priority=True),
        Binding("ctrl+r", "reject", "Reject (comment needed)", priority=True),
    ]

    def __init__(
        self, request_id: int | None, *, record: tuple[RecordType, int] | None = None
    ) -> None:
        super().__init__()
        self.request_id = request_id
        self.record = record
        self.request: RequestView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("Loading…", id="approval-summary")
            yield Static("", id="approval-lines")
            with Horizontal(classes="field"):
                yield Label("Comment", classes="field-label")
                yield Input(
                    placeholder="required to reject; goes back to the submitter",
                    id="comment",
                    compact=True,
                )
            yield Label("", id="comment-error", classes="field-error")
            yield Static("", id="approval-tiers")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="approval")
    async def load(self) -> None:
        if self.request_id is None and self.record is not None:
            latest = await self.call(approval_inbox.latest_for, *self.record)
            if latest is None:
                self.notify(
                    f"This {self.record[0].label} was never submitted for approval.",
                    severity="warning",
                )
                self.dismiss()
                return
            self.request_id = latest.id
        request = await self.call(approval_inbox.request_view, self.request_id)
        if request is None:
            return
        self.request = request
        self.sub_title = request.record_label
        self.query_one("#approval-summary", Static).update(fields(_summary(request)))
        if request.details:
            details = ["", *(f"  {line}" for line in request.details), ""]
            self.query_one("#approval-lines", Static).update(lines(details))
        self.query_one("#approval-tiers", Static).update(
            lines(["", *(_tier_line(approval) for approval in request.approvals)])
        )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "reject"):
            return self.request is not None and self.request.mine is not None
        return True

    async def action_approve(self) -> None:
        await self._decide(Decision.APPROVE)

    async def action_reject(self) -> None:
        await self._decide(Decision.REJECT)

    async def _decide(self, decision: Decision) -> None:
        if self.request is None or self.request.mine is None:
            return
        comment = self.query_one("#comment", Input).value
        error_label = self.query_one("#comment-error", Label)
        error_label.update("")
        if decision is Decision.REJECT and not comment.strip():
            error_label.update(approval_decisions.REJECT_NEEDS_COMMENT)
            self.query_one("#comment", Input).focus()
            return
        status = await self.call(approval_decisions.decide, self.request.mine, decision, comment)
        if status is None:
            self.load()
            return
        verb = "Approved" if decision is Decision.APPROVE else "Rejected"
        self.notify(f"{verb}: {self.request.record_label}.")
        self.dismiss()


def _summary(request: RequestView) -> list[tuple[str, str]]:
    """The request in a few facts: what, who submitted it, where it stands, and what the
    record's kind says of it (a quote's totals)."""
    return [
        ("Record", request.record_label),
        ("Submitted", f"by {request.submitted_by}, {day(request.submitted_at)}"),
        (
            "Status",
            request.status.value + ("" if request.mine else "  (nothing for you to decide)"),
        ),
        *request.summary,
    ]


def _tier_line(approval: ApprovalView) -> str:
    """``Tier 1 · rule: approver — approved by Lee (decided in 2 h): comment``."""
    line = f"Tier {approval.tier} · {approval.rule}: {approval.approver}"
    line += f" — {approval.status.value.replace('_', ' ')}"
    if approval.decided_by:
        line += f" by {approval.decided_by}"
    if approval.escalated_to:
        line += f"; escalated to {', '.join(approval.escalated_to)}"
    if approval.turnaround.sentence:
        line += f" ({approval.turnaround.sentence})"
    if approval.comment:
        line += f": {approval.comment}"
    return line
