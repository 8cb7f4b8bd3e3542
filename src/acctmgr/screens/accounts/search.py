"""The accounts list: search as you type, sort by any column, filter by segment and by
National/Regional parent.

The list is the shared ``SearchList``: every keystroke or sort asks the database for one page
(searched, sorted and paged in SQL), a letter typed on the table goes into the search, and
moving near the end fetches the next page.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Input, Select, Static

from acctmgr.domain.accounts import AccountKind
from acctmgr.screens.accounts.account_forms import open_new_account
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.services.accounts import search as account_search
from acctmgr.services.accounts.search import BY_NAME, AccountQuery, AccountRow
from acctmgr.services.kernel.sorting import Sort
from acctmgr.services.people import users as user_service
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.search_list import SearchList
from acctmgr.widgets.text import content, safe

PAGE = 100
KIND_LABEL = {AccountKind.CUSTOMER: "", AccountKind.NATIONAL: "NA", AccountKind.REGIONAL: "RA"}


class AccountsScreen(AcctmgrScreen):
    """Type to search by name, iSeries number, city, or a contact's name or e-mail address,
    accents and case aside; a header (or F12) sorts; Enter opens the account."""

    TITLE = "Accounts"
    AUTO_FOCUS = "#account-search"
    BINDINGS = [
        Binding("ctrl+n", "new_account", "Add account"),
        Binding("ctrl+g", "members", "Go to NA/RA members"),
        Binding("backspace", "clear_parent", "Clear NA/RA filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._under: AccountRow | None = None
        self._segment_id: int | None = None
        table = RecordTable(
            ("Name", 30),
            ("NA/RA", 5),
            ("iSeries", 9),
            ("City", 18),
            ("Segment", 11),
            ("Under", 24),
            id="accounts",
            sorts=("name", "kind", "iseries", "city", "segment", "parent"),
            sort=BY_NAME,
        )
        self.accounts: SearchList[AccountRow] = SearchList(
            table,
            self._load,
            _row,
            box_id="account-search",
            status_id="accounts-status",
            placeholder="Search name, iSeries no., city, contact",
            noun=("account", "accounts"),
            beside=[Select[int]([], prompt="All segments", id="segment-filter", compact=True)],
            under=[Static("", id="parent-filter")],
            page=PAGE,
        )

    def compose(self) -> ComposeResult:
        yield Header()
        yield self.accounts
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load_segments()
        self.accounts.search()

    @work(group="segments")
    async def load_segments(self) -> None:
        segments = await self.call(user_service.list_segments)
        if segments:
            select = self.query_one("#segment-filter", Select)
            select.set_options((segment.name, segment.id) for segment in segments)

    @on(Select.Changed, "#segment-filter")
    def _segment_changed(self, event: Select.Changed) -> None:
        self._segment_id = event.value if isinstance(event.value, int) else None
        self.accounts.search()

    def account_query(self, text: str, sort: Sort | None, offset: int, limit: int) -> AccountQuery:
        return AccountQuery(
            text=text,
            segment_id=self._segment_id,
            parent_id=self._under.id if self._under else None,
            offset=offset,
            limit=limit,
            sort=sort or BY_NAME,
        )

    async def _load(
        self, text: str, sort: Sort | None, offset: int, limit: int
    ) -> Sequence[AccountRow] | None:
        query = self.account_query(text, sort, offset, limit)
        page = await self.call(account_search.search_accounts, query)
        return page.items if page is not None else None

    @on(RecordTable.RowSelected, "#accounts")
    def _open(self, event: RecordTable.RowSelected) -> None:
        self.acctmgr.open_account(int(event.key))

    @work(exclusive=True, group="new-account")
    async def action_new_account(self) -> None:
        await open_new_account(self)

    def action_members(self) -> None:
        row = self.accounts.highlighted()
        if row is None or row.kind == AccountKind.CUSTOMER:
            self.notify("Highlight a National or Regional Account to see its members.")
            return
        self._under = row
        self.query_one("#parent-filter", Static).update(
            content(f"Under {row.name} (Backspace clears)")
        )
        # The text found the NA/RA, not its members: kept, it would hide most or all of them.
        self.accounts.set_text("")
        self.accounts.search()

    def action_clear_parent(self) -> None:
        if self._under is None:
            return
        self._under = None
        self.query_one("#parent-filter", Static).update("")
        self.accounts.search()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Backspace belongs to the search box while it has focus, and its keys to the footer.
        return not (action in ("members", "clear_parent") and isinstance(self.focused, Input))


def _row(item: AccountRow) -> Row:
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
