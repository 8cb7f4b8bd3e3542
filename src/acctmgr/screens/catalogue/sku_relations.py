"""A SKU's combinations with other SKUs, over its screen: which it requires or excludes on a
quote, and whether a quote breaking that is refused or needs approval.

Everyone sees them (a seller meets them as refusals and approvals); only an Admin adds one
(Ctrl+N, in a small form) or deletes the highlighted one (Ctrl+D, after a yes).
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from acctmgr.domain.catalogue import SkuRelationKind, SkuRuleConsequence
from acctmgr.screens.base import AcctmgrModal
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.services.catalogue import sku_relations
from acctmgr.services.catalogue.browsing import SkuView
from acctmgr.services.catalogue.sku_relations import SkuRelationIn, SkuRelationView
from acctmgr.widgets.form import FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable
from acctmgr.widgets.text import plain, prose

RELATION_FIELDS = [
    FormField(
        "kind",
        "This SKU",
        kind="choice",
        choices=(
            ("requires (needs it on the same quote)", SkuRelationKind.REQUIRES.value),
            ("excludes (never on one quote with it)", SkuRelationKind.EXCLUDES.value),
        ),
    ),
    FormField("other_sku", "Other SKU", placeholder="its code, e.g. SUP-PREM"),
    FormField(
        "consequence",
        "A quote breaking it",
        kind="choice",
        choices=(
            ("is refused", SkuRuleConsequence.REFUSE.value),
            ("needs approval", SkuRuleConsequence.APPROVAL.value),
        ),
    ),
]
APPROVAL_HINT = (
    "A quote breaking a combination that needs approval gets the fact sku_rule_broken; an "
    "approval rule on it (Open approval rules) says who approves."
)


class SkuRelationsDialog(AcctmgrModal):
    """The SKU's combinations; dismisses with nothing (what changed is saved as it goes)."""

    DEFAULT_CSS = """
    SkuRelationsDialog { align: center middle; }
    SkuRelationsDialog > Vertical {
        width: 100; max-width: 100%; height: 20; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    SkuRelationsDialog RecordTable { height: 1fr; }
    SkuRelationsDialog #relations-hint { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("ctrl+n", "add_relation", "Add a combination"),
        Binding("ctrl+d", "remove_relation", "Delete the combination"),
        Binding("escape", "close", "Back"),
    ]

    def __init__(self, sku: SkuView, *, admin: bool) -> None:
        super().__init__()
        self.sku = sku
        self.admin = admin
        self.relations: dict[str, SkuRelationView] = {}

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = f"Combinations of {self.sku.code}"
            yield RecordTable(("Other SKU", 12), "Declared", ("If broken", 15), id="sku-relations")
            yield Static(prose(APPROVAL_HINT), id="relations-hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(RecordTable).focus()
        self.load()

    @work(group="sku-relations", exclusive=True)
    async def load(self) -> None:
        found = await self.call(sku_relations.sku_relations, self.sku.id)
        if found is not None:
            self.show_relations(found)

    def show_relations(self, found: list[SkuRelationView]) -> None:
        self.relations = {str(relation.id): relation for relation in found}
        table = self.query_one(RecordTable)
        table.show(
            (
                str(relation.id),
                [
                    plain(
                        relation.other_code if relation.sku_id == self.sku.id else relation.sku_code
                    ),
                    plain(relation.sentence),
                    plain(relation.consequence.label),
                ],
            )
            for relation in found
        )
        if not found:
            self.query_one("#relations-hint", Static).update(
                prose(f"{self.sku.code} has no combinations yet. {APPROVAL_HINT}")
            )
        else:
            self.query_one("#relations-hint", Static).update(prose(APPROVAL_HINT))
        self.refresh_bindings()

    @work(group="sku-relations-change")
    async def action_add_relation(self) -> None:
        async def declare(values: dict[str, str]) -> list[SkuRelationView]:
            data = SkuRelationIn.model_validate({**values, "sku_id": self.sku.id})
            found: list[SkuRelationView] = await self.run_service(
                sku_relations.declare_sku_relation, data
            )
            return found

        found: list[SkuRelationView] | None = await self.app.push_screen_wait(
            FormDialog(
                f"A combination of {self.sku.code}",
                RELATION_FIELDS,
                declare,
                intro="Quotes are checked against it from their next change or submission.",
                values={
                    "kind": SkuRelationKind.REQUIRES.value,
                    "consequence": SkuRuleConsequence.REFUSE.value,
                },
            )
        )
        if found is not None:
            self.show_relations(found)
            self.notify(f"Declared: {found[-1].sentence}")

    @work(group="sku-relations-change")
    async def action_remove_relation(self) -> None:
        relation = self.relations.get(self.query_one(RecordTable).selected_key or "")
        if relation is None:
            return
        answer = await self.app.push_screen_wait(
            ConfirmScreen("Delete this combination?", relation.sentence)
        )
        if not answer:
            return
        found = await self.call(sku_relations.remove_sku_relation, relation.id, self.sku.id)
        if found is not None:
            self.show_relations(found)
            self.notify("Combination deleted; quotes are no longer checked against it.")

    def action_close(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_relation":
            return self.admin
        if action == "remove_relation":
            return self.admin and bool(self.relations)
        return True
