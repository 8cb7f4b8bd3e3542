"""The catalogue: search SKUs as you type (the shared ``SearchList``) and sort them by any
column, open one to see its locked content and history.

Everyone signed in can browse, and read a SKU's combinations with others (Ctrl+U); only an Admin
sees the keys that change the catalogue (new SKU, revise, retire, declare or delete a
combination, and the packages' edits). Revising never edits a version: saving the form
publishes the next version, and the screen says which version quotes made before keep.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from acctmgr.domain.catalogue import SkuKind
from acctmgr.domain.roles import Role
from acctmgr.errors import AcctmgrError
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.catalogue.forms import sku_form
from acctmgr.screens.catalogue.sku_relations import SkuRelationsDialog
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.services.catalogue import browsing, form_text
from acctmgr.services.catalogue import skus as catalogue_service
from acctmgr.services.catalogue.browsing import SkuRow, SkuVersionView, SkuView
from acctmgr.services.catalogue.inputs import SkuIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.sorting import Sort
from acctmgr.services.people import users as user_service
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.search_list import SearchList
from acctmgr.widgets.text import day, fields, plain, safe

PAGE = 100
RETIRED_HINT = "; F10 shows retired ones"
ADMIN_ACTIONS = frozenset({"new_sku", "revise", "retire", "new_package", "edit_package"})


async def is_admin(screen: AcctmgrScreen) -> bool:
    """Whether the signed-in user may change the catalogue (asked fresh, off the UI thread)."""
    try:
        me = await asyncio.to_thread(user_service.me, screen.context)
    except AcctmgrError:
        return False
    return Role.ADMIN in me.roles


class CatalogueScreen(AcctmgrScreen):
    """Type to search SKUs by code or name; a header (or F12) sorts; Enter opens one."""

    TITLE = "Catalogue"
    AUTO_FOCUS = "#catalogue-search"
    BINDINGS = [
        Binding("f10", "toggle_retired", "View retired too"),
        Binding("ctrl+g", "packages", "Go to packages"),
        Binding("ctrl+n", "new_sku", "Add a SKU"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._show_retired = False
        self.admin = False
        table = RecordTable(
            ("Code", 12),
            "Name",
            ("Kind", 12),
            ("Ver.", 4),
            ("", 7),
            id="skus",
            sorts=("code", "name", "kind", "version", "retired"),
            sort=browsing.BY_CODE,
        )
        self.skus: SearchList[SkuRow] = SearchList(
            table,
            self._load,
            _row,
            box_id="catalogue-search",
            status_id="catalogue-status",
            placeholder="Search SKU code or name",
            noun=("SKU", "SKUs"),
            page=PAGE,
        )
        self.skus.hint = RETIRED_HINT

    def compose(self) -> ComposeResult:
        yield Header()
        yield self.skus
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load_role()
        self.skus.search()

    def on_screen_resume(self) -> None:
        self.skus.search(to_top=False)

    @work(group="catalogue-role")
    async def load_role(self) -> None:
        self.admin = await is_admin(self)
        self.refresh_bindings()

    async def _load(
        self, text: str, sort: Sort | None, offset: int, limit: int
    ) -> Sequence[SkuRow] | None:
        return await self.call(
            browsing.search_skus,
            text,
            include_retired=self._show_retired,
            limit=limit,
            offset=offset,
            sort=sort or browsing.BY_CODE,
        )

    @on(RecordTable.RowSelected, "#skus")
    def _open(self, event: RecordTable.RowSelected) -> None:
        self.app.push_screen(SkuScreen(int(event.key), admin=self.admin))

    def action_toggle_retired(self) -> None:
        self._show_retired = not self._show_retired
        self.notify(
            "Retired SKUs shown (dimmed)." if self._show_retired else "Retired SKUs hidden."
        )
        self.skus.hint = "" if self._show_retired else RETIRED_HINT
        self.skus.search()

    def action_packages(self) -> None:
        from acctmgr.screens.catalogue.packages import PackagesScreen

        self.app.push_screen(PackagesScreen(admin=self.admin))

    def action_new_sku(self) -> None:
        self.app.push_screen(
            sku_form(
                "New SKU",
                "The description and contents are locked once published: nobody edits them on "
                "a quote, and a change makes a new version.",
                catalogue_service.create_sku,
            ),
            self._created,
        )

    def _created(self, sku: SkuView | None) -> None:
        if sku is not None:
            self.notify(f"Published {sku.code} as version 1.")
            self.app.push_screen(SkuScreen(sku.id, admin=self.admin))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in ADMIN_ACTIONS and not self.admin)


def _row(item: SkuRow) -> Row:
    style = "dim" if item.retired else ""
    return (
        str(item.sku_id),
        [
            plain(item.code, style),
            plain(item.name, style),
            plain(item.kind.label, style),
            plain(str(item.version_number), style),
            plain("retired" if item.retired else "", style),
        ],
    )


class SkuScreen(AcctmgrScreen):
    """One SKU: its current version's locked content, prices, tiers and the version history."""

    TITLE = "SKU"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("e", "revise", "Edit (as a new version)"),
        Binding("delete", "retire", "Retire"),
        Binding("ctrl+u", "combinations", "Combinations with other SKUs"),
    ]

    def __init__(self, sku_id: int, *, admin: bool) -> None:
        super().__init__()
        self.sku_id = sku_id
        self.admin = admin
        self.sku: SkuView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="sku-heading")
        with VerticalScroll(id="sku-details"):
            yield Static("", id="sku-text")
        yield Static("Versions (newest first)", classes="section-title")
        yield RecordTable(("Ver.", 4), "Name", ("Published", 17), ("By", 18), id="sku-versions")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @work(group="sku")
    async def load(self) -> None:
        sku = await self.call(browsing.get_sku, self.sku_id)
        if sku is None:
            self.dismiss()
            return
        self.show_sku(sku)

    def show_sku(self, sku: SkuView) -> None:
        self.sku = sku
        self.sub_title = sku.code
        state = f" · retired {day(sku.retired_at)}" if sku.retired_at else ""
        heading = f"{sku.code} · {sku.current.name} · version {sku.current.number}{state}"
        self.query_one("#sku-heading", Static).update(Text(safe(heading)))
        self.query_one("#sku-text", Static).update(fields(version_facts(sku.current), width=22))
        self.query_one("#sku-versions", RecordTable).show(
            (
                str(version.id),
                [
                    plain(str(version.number)),
                    plain(version.name),
                    plain(day(version.created_at)),
                    plain(version.created_by or ""),
                ],
            )
            for version in sku.versions
        )
        self.refresh_bindings()

    @on(RecordTable.RowSelected, "#sku-versions")
    def _show_version(self, event: RecordTable.RowSelected) -> None:
        if self.sku is None:
            return
        version = next((v for v in self.sku.versions if str(v.id) == event.key), None)
        if version is not None:
            self.query_one("#sku-text", Static).update(
                fields([("Showing version", str(version.number)), *version_facts(version)], 22)
            )

    def action_revise(self) -> None:
        sku = self.sku
        if sku is None:
            return

        def save(context: Context, data: SkuIn) -> SkuView:
            return catalogue_service.revise_sku(context, sku.id, sku.version, data)

        intro = (
            f"Saving publishes version {sku.current.number + 1} of {sku.code}. Quotes, orders "
            f"and contracts made with version {sku.current.number} keep it unchanged."
        )
        self.app.push_screen(
            sku_form(
                f"Revise {sku.code}",
                intro,
                save,
                form_text.sku_form_values(sku.current, sku.code),
                revising=True,
            ),
            self._revised,
        )

    def _revised(self, sku: SkuView | None) -> None:
        if sku is not None:
            self.show_sku(sku)
            previous = sku.versions[1].number if len(sku.versions) > 1 else 1
            self.notify(
                f"Published {sku.code} version {sku.current.number}; what was sold with "
                f"version {previous} keeps it."
            )

    def action_combinations(self) -> None:
        if self.sku is not None:
            self.app.push_screen(SkuRelationsDialog(self.sku, admin=self.admin))

    def action_retire(self) -> None:
        sku = self.sku
        if sku is None:
            return
        self.app.push_screen(
            ConfirmScreen(
                f"Retire {sku.code}?",
                "It can no longer be sold; quotes, orders and contracts that have it keep it.",
            ),
            self._retire_confirmed,
        )

    def _retire_confirmed(self, answer: bool | None) -> None:
        if answer:
            self.retire()

    @work(group="sku")
    async def retire(self) -> None:
        if self.sku is None:
            return
        sku = await self.call(catalogue_service.retire_sku, self.sku.id, self.sku.version)
        if sku is not None:
            self.show_sku(sku)
            self.notify(f"Retired {sku.code}; it can no longer be sold.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("revise", "retire"):
            return self.admin and self.sku is not None and self.sku.retired_at is None
        if action == "combinations":
            return self.sku is not None
        return True


def version_facts(version: SkuVersionView) -> list[tuple[str, Any]]:
    """What a version says, as label/value lines (shown as text, never markup)."""
    months = version.consumption_months
    facts: list[tuple[str, Any]] = [
        ("Kind", version.kind.label),
        ("Description", version.description or "—"),
        ("Contents", version.contents or "—"),
        ("Units", version.units),
    ]
    if version.billing_period_months:
        facts.append(("Billed every", f"{version.billing_period_months} months"))
    if months:
        facts.append(("Use within", f"{months} months of the contract start"))
    if version.included_volume is not None:
        facts.append(("Included volume", f"{version.included_volume:,} a month"))
    for tier in version.tiers:
        each = format_money(tier.unit_price_minor, tier.currency)
        facts.append(("Overage", f"above {tier.from_volume:,}: {each} each"))
    if version.onsite_support:
        facts.append(("On-site support", "yes (Customer Success is consulted)"))
    for price in version.prices:
        amount = format_money(price.list_price_minor, price.currency)
        included = version.kind is SkuKind.INCLUDED
        facts.append(("List price", f"{amount} (included)" if included else amount))
    return facts
