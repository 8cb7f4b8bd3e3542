"""Packages: bundles of SKUs, and which one is the starter pack for new customers."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.catalogue.forms import package_form
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.services.catalogue import form_text
from acctmgr.services.catalogue import packages as package_service
from acctmgr.services.catalogue.inputs import PackageIn
from acctmgr.services.catalogue.packages import PackageView
from acctmgr.services.kernel.context import Context
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable
from acctmgr.widgets.text import content, plain


class PackagesScreen(AcctmgrScreen):
    """The active packages with their items; an Admin creates, edits and retires them."""

    TITLE = "Packages"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("n", "new_package", "New package"),
        Binding("e", "edit_package", "Edit"),
        Binding("delete", "retire_package", "Retire"),
    ]

    def __init__(self, *, admin: bool) -> None:
        super().__init__()
        self.admin = admin
        self._packages: dict[str, PackageView] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield RecordTable(
            ("Code", 12),
            ("Name", 24),
            ("Starter", 7),
            "SKUs",
            id="packages",
            sorts=("code", "name", "starter", None),
            sort=package_service.PACKAGES_BY_CODE,
        )
        yield Static("", id="package-detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @work(group="packages", exclusive=True)
    async def load(self) -> None:
        sort = self.query_one("#packages", RecordTable).sort
        packages = await self.call(
            package_service.list_packages, sort=sort or package_service.PACKAGES_BY_CODE
        )
        if packages is None:
            return
        self._packages = {str(p.id): p for p in packages}
        self.query_one("#packages", RecordTable).show(
            (
                str(p.id),
                [
                    plain(p.code),
                    plain(p.name),
                    plain("yes" if p.is_starter_pack else ""),
                    plain(form_text.items_text(p.items)),
                ],
            )
            for p in packages
        )
        if not packages:
            self.query_one("#package-detail", Static).update("There are no packages yet.")

    @on(RecordTable.SortChanged, "#packages")
    def _sorted(self) -> None:
        self.load()

    @on(RecordTable.RowHighlighted, "#packages")
    def _detail(self, event: RecordTable.RowHighlighted) -> None:
        package = self._packages.get(event.key)
        if package is not None:
            items = "\n".join(
                f"  {item.quantity} x {item.sku_code}  {item.name}" for item in package.items
            )
            self.query_one("#package-detail", Static).update(
                content(f"{package.description}\n{items}".strip("\n"))
                if package.description
                else content(items)
            )

    def _selected(self) -> PackageView | None:
        key = self.query_one("#packages", RecordTable).selected_key
        return self._packages.get(key) if key else None

    def action_new_package(self) -> None:
        self.app.push_screen(package_form("New package", _create), self._saved)

    def action_edit_package(self) -> None:
        package = self._selected()
        if package is None:
            self.notify("Highlight a package to edit.")
            return

        def save(context: Context, data: PackageIn) -> PackageView:
            return package_service.save_package(context, data, package.version)

        values = {
            "code": package.code,
            "name": package.name,
            "description": package.description,
            "items": form_text.items_text(package.items),
            "is_starter_pack": "yes" if package.is_starter_pack else "",
        }
        self.app.push_screen(
            package_form(f"Edit {package.code}", save, values, editing=True), self._saved
        )

    def _saved(self, package: PackageView | None) -> None:
        if package is None:
            return
        before = next((p for p in self._packages.values() if p.is_starter_pack), None)
        if package.is_starter_pack and before is not None and before.code != package.code:
            self.notify(f"{package.code} is now the starter pack; {before.code} no longer is.")
        else:
            self.notify(f"Saved package {package.code}.")
        self.load()

    def action_retire_package(self) -> None:
        package = self._selected()
        if package is None:
            return
        detail = "It is no longer offered."
        if package.is_starter_pack:
            detail += " New customers get no starter pack until another is marked."

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.retire(package)

        self.app.push_screen(ConfirmScreen(f"Retire package {package.code}?", detail), confirmed)

    @work(group="packages-retire")
    async def retire(self, package: PackageView) -> None:
        done = await self.call(package_service.retire_package, package.id, package.version)
        if done is not None:
            self.notify(f"Retired package {done.code}.")
            self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_package", "edit_package", "retire_package"):
            return self.admin
        return True


def _create(context: Context, data: PackageIn) -> PackageView:
    return package_service.save_package(context, data)
