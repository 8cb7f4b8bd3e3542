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
from acctmgr.services.approvals.inbox import InboxItem, RequestView
from acctmgr.services.kernel.money import format_money
from acctmgr.services.sales import quotes
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable
from acctmgr.widgets.text import day, fields, lines, percentage, plain


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
                    # Approvals they decide as a delegate say for whom.
                    plain(
                        item.record_label
                        + (f" (for {item.on_behalf_of})" if item.on_behalf_of else "")
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
    """One request: the quote, its totals and the case's ask; A approves, R rejects."""

    TITLE = "Approval"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+a", "approve", "Approve", priority=True),
        Binding("ctrl+r", "reject", "Reject (comment needed)", priority=True),
    ]

    def __init__(self, request_id: int | None, *, quote_id: int | None = None) -> None:
        super().__init__()
        self.request_id = request_id
        self.quote_id = quote_id
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
        if self.request_id is None and self.quote_id is not None:
            latest = await self.call(approval_inbox.latest_for, RecordType.QUOTE, self.quote_id)
            if latest is None:
                self.notify("This quote was never submitted for approval.", severity="warning")
                self.dismiss()
                return
            self.request_id = latest.id
        request = await self.call(approval_inbox.request_view, self.request_id)
        if request is None:
            return
        self.request = request
        self.sub_title = request.record_label
        quote = (
            await self.call(quotes.get_quote, request.record_id)
            if request.record_type is RecordType.QUOTE
            else None
        )
        currency = quote.currency if quote else str(request.facts.get("currency") or "")

        self.query_one("#approval-summary", Static).update(
            fields(
                _summary(
                    request, currency, yearly=bool(quote and quote.reduction_minor is not None)
                )
            )
        )
        if quote is not None:
            self.query_one("#approval-lines", Static).update(lines(["", *_quote_lines(quote), ""]))
        tiers = [
            f"Tier {a.tier} · {a.rule}: {a.approver} — {a.status.value}"
            + (f" by {a.decided_by}" if a.decided_by else "")
            + (f" ({a.turnaround.sentence})" if a.turnaround.sentence else "")
            + (f": {a.comment}" if a.comment else "")
            for a in request.approvals
        ]
        self.query_one("#approval-tiers", Static).update(lines(["", *tiers]))
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


def _summary(request: RequestView, currency: str, *, yearly: bool) -> list[tuple[str, str]]:
    """The request in a few facts: what, who submitted it, where it stands, the totals."""
    facts = request.facts

    def money(key: str) -> str:
        value = facts.get(key)
        return format_money(int(value), currency) if value is not None else "—"

    return [
        ("Record", request.record_label),
        (
            "Submitted",
            f"by {request.submitted_by}, {day(request.submitted_at)}",
        ),
        (
            "Status",
            request.status.value + ("" if request.mine else "  (nothing for you to decide)"),
        ),
        # A rate reduction's figures are a year's; a first order's may be one-off items.
        ("Net total", money("net_total_minor") + (" a year" if yearly else "")),
        ("Reduction", money("reduction_minor")),
        ("Top discount", percentage(facts.get("discount_pct"))),
    ]


def _quote_lines(quote: QuoteView) -> list[str]:
    """Each line of the quote with its list price, discount and net, and its SOW."""
    rows = [f"  Territory of use: {quote.territory_name or '(not set)'}"]
    for line in quote.lines:
        # The whole description, wrapped: an approver decides on what they can read.
        rows.append(
            f"  {line.quantity} x {line.description}"
            + ("" if line.on_catalogue else " — outside the catalogue")
        )
        rows.append(
            f"      list {format_money(line.list_price_minor, quote.currency)}, "
            f"{percentage(line.discount_pct)} off, "
            f"net {format_money(line.net_minor, quote.currency)}"
        )
        if line.statement_of_work:
            rows.append(f"      SOW: {line.statement_of_work}")
    return rows
