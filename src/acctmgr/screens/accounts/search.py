"""The accounts list: search as you type, filter by segment and by National/Regional parent.

Every keystroke asks the database for one page (searched, ordered and paged in SQL); moving
near the end of the list fetches the next page. A newer keystroke makes older answers stale,
and stale answers are dropped, so the list always shows the latest text.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Header, Input, Select, Static

from acctmgr.domain.accounts import AccountKind
from acctmgr.screens.accounts.account_forms import open_new_account
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.services.accounts import search as account_search
from acctmgr.services.accounts.search import AccountQuery, AccountRow
from acctmgr.services.people import users as user_service
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.search_box import SearchBox
from acctmgr.widgets.text import content, counted, safe

PAGE = 100
KIND_LABEL = {AccountKind.CUSTOMER: "", AccountKind.NATIONAL: "NA", AccountKind.REGIONAL: "RA"}


class AccountsScreen(AcctmgrScreen):
    """Type to search by name, iSeries number, city, or a contact's name or e-mail address,
    accents and case aside; Enter opens the account."""

    TITLE = "Accounts"
    AUTO_FOCUS = "#account-search"
    BINDINGS = [
        Binding("ctrl+f", "focus_search", "Search"),
        Binding("ctrl+n", "new_account", "Add account"),
        Binding("u", "members", "Accounts under this NA/RA"),
        Binding("backspace", "clear_parent", "Clear NA/RA filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._generation = 0
        self._rows: dict[str, AccountRow] = {}
        self._exhausted = False
        self._under: AccountRow | None = None
        self._segment_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="account-filters"):
            yield SearchBox(
                placeholder="Search name, iSeries no., city, contact",
                id="account-search",
                compact=True,
            )
            yield Select[int]([], prompt="All segments", id="segment-filter", compact=True)
        yield Static("", id="parent-filter")
        yield RecordTable(
            ("Name", 30),
            ("NA/RA", 5),
            ("iSeries", 9),
            ("City", 18),
            ("Segment", 11),
            ("Under", 24),
            id="accounts",
        )
        yield Static("", id="accounts-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load_segments()
        self.search()

    @work(group="segments")
    async def load_segments(self) -> None:
        segments = await self.call(user_service.list_segments)
        if segments:
            select = self.query_one("#segment-filter", Select)
            select.set_options((segment.name, segment.id) for segment in segments)

    @on(Input.Changed, "#account-search")
    def _text_changed(self) -> None:
        self.search()

    @on(Input.Submitted, "#account-search")
    def _text_submitted(self) -> None:
        self.query_one("#accounts", RecordTable).focus()

    @on(Select.Changed, "#segment-filter")
    def _segment_changed(self, event: Select.Changed) -> None:
        self._segment_id = event.value if isinstance(event.value, int) else None
        self.search()

    def account_query(self, offset: int = 0) -> AccountQuery:
        return AccountQuery(
            text=self.query_one("#account-search", Input).value,
            segment_id=self._segment_id,
            parent_id=self._under.id if self._under else None,
            offset=offset,
            limit=PAGE,
        )

    def search(self) -> None:
        """Start a new search from the first page; older answers become stale."""
        self._generation += 1
        self._exhausted = False
        self.fetch(self._generation, self.account_query())

    @work(group="account-search")
    async def fetch(self, generation: int, query: AccountQuery) -> None:
        page = await self.call(account_search.search_accounts, query)
        if page is None or generation != self._generation:
            return
        table = self.query_one("#accounts", RecordTable)
        rows = [self._row(item) for item in page.items]
        if query.offset == 0:
            self._rows = {str(item.id): item for item in page.items}
            table.show(rows)
            if table.row_count:
                table.move_cursor(row=0)
        else:
            self._rows.update({str(item.id): item for item in page.items})
            table.append(rows)
        self._exhausted = len(page.items) < query.limit
        shown = table.row_count
        # The status line has a fixed size (app.tcss): no need to lay the screen out again.
        self.query_one("#accounts-status", Static).update(
            counted(shown, "account")
            if self._exhausted
            else f"{counted(shown, 'account')} shown, more below",
            layout=False,
        )

    def _row(self, item: AccountRow) -> Row:
        # Plain strings (made safe), not Text: the table makes Text only for the lines it paints.
        return (
            str(item.id),
            [
                safe(item.name),
                KIND_LABEL[item.kind],
                safe(item.iseries_number or ""),
                safe(", ".join(part for part in (item.billing_city, item.billing_country) if part)),
                safe(item.segment_name),
                safe(item.parent_name or ""),
            ],
        )

    @on(RecordTable.RowHighlighted, "#accounts")
    def _near_the_end(self, event: RecordTable.RowHighlighted) -> None:
        table = self.query_one("#accounts", RecordTable)
        if not self._exhausted and event.index >= table.row_count - 10:
            self._exhausted = True  # until this page answers
            self.fetch(self._generation, self.account_query(offset=table.row_count))

    @on(RecordTable.RowSelected, "#accounts")
    def _open(self, event: RecordTable.RowSelected) -> None:
        self.acctmgr.open_account(int(event.key))

    @work(exclusive=True, group="new-account")
    async def action_new_account(self) -> None:
        await open_new_account(self)

    def action_focus_search(self) -> None:
        self.query_one("#account-search", Input).focus()

    def action_members(self) -> None:
        key = self.query_one("#accounts", RecordTable).selected_key
        row = self._rows.get(key) if key else None
        if row is None or row.kind == AccountKind.CUSTOMER:
            self.notify("Highlight a National or Regional Account to see its members.")
            return
        self._under = row
        self.query_one("#parent-filter", Static).update(
            content(f"Under {row.name} (Backspace clears)")
        )
        # The text found the NA/RA, not its members: kept, it would hide most or all of them.
        box = self.query_one("#account-search", Input)
        with box.prevent(Input.Changed):
            box.value = ""
        self.search()

    def action_clear_parent(self) -> None:
        if self._under is None:
            return
        self._under = None
        self.query_one("#parent-filter", Static).update("")
        self.search()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Letters belong to the search box while it has focus.
        return not (action in ("members", "clear_parent") and isinstance(self.focused, Input))
