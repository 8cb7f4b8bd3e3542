"""The catalogue's forms: a SKU (new or revised), a package, and a yes/no confirmation.

A form screen validates what was typed (pydantic, each sentence under its field), then calls its
use case itself, so a refusal from the service (a code taken, a stale copy) also lands beside the
field and nothing typed is lost. It dismisses with what the service saved, or None.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Input, Static

from acctmgr.domain.catalogue import SkuKind
from acctmgr.errors import AcctmgrError
from acctmgr.screens.base import UNEXPECTED, AcctmgrScreen
from acctmgr.services.catalogue.inputs import PackageIn, SkuIn
from acctmgr.services.kernel.context import Context
from acctmgr.widgets.form import Form, FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.text import content

log = logging.getLogger("acctmgr.screens.catalogue.forms")
In = TypeVar("In", bound=BaseModel)
Saved = TypeVar("Saved")

SKU_FIELDS = [
    FormField("code", "Code", placeholder="SRV-WS4 (capitals, digits, dashes)"),
    FormField("name", "Name"),
    FormField(
        "kind",
        "Kind",
        kind="choice",
        choices=tuple((kind.label, kind.value) for kind in SkuKind),
    ),
    FormField("description", "Description (locked)", placeholder="What the customer gets"),
    FormField("contents", "Contents (locked)", placeholder="4 workshops; written report"),
    FormField("units", "Units", placeholder="1"),
    FormField("billing_period_months", "Billed every (months)", placeholder="subscriptions"),
    FormField("consumption_months", "Use within (months)", placeholder="services: 1 to 60"),
    FormField("included_volume", "Included volume", placeholder="usage: page views a month"),
    FormField("onsite_support", "On-site support", kind="check", placeholder="on site"),
    FormField("prices", "List prices", placeholder="USD 1,200; EUR 1,100 (a year for plans)"),
    FormField("tiers", "Overage tiers", placeholder="usage: USD 500000 0.01; EUR 500000 0.01"),
]
PACKAGE_FIELDS = [
    FormField("code", "Code", placeholder="STARTER"),
    FormField("name", "Name"),
    FormField("description", "Description"),
    FormField("items", "SKUs", placeholder="SRV-ONBOARD x1, INC-SEATS x5"),
    FormField("is_starter_pack", "Starter pack", kind="check", placeholder="new customers"),
]


class RecordFormScreen(AcctmgrScreen, Generic[In, Saved]):
    """A form whose Ctrl+S validates, calls ``save`` in a thread and dismisses with its result."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        title: str,
        intro: str,
        fields: list[FormField],
        model: type[In],
        save: Callable[[Context, In], Saved],
        values: dict[str, str] | None = None,
        locked: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.title = title
        self._intro = intro
        self._fields = fields
        self._model = model
        self._save = save
        self._values = values or {}
        self._locked = locked
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="record-form"):
            yield Static(content(self._intro), classes="dialog-text")
            yield Form(self._fields, id="record-form")
        yield KeysFooter()

    def on_mount(self) -> None:
        form = self.query_one(Form)
        form.fill(self._values)
        for name in self._locked:
            self.query_one(f"#{name}", Input).disabled = True
        first = next((f for f in self._fields if f.name not in self._locked), None)
        if first is not None:
            self.query_one(f"#{first.name}").focus()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self._busy:
            return
        form = self.query_one(Form)
        form.clear_errors()
        try:
            data = self._model.model_validate(form.values())
        except ValidationError as error:
            left = form.show_validation(error)
            if left:
                self.notify(left, severity="error", timeout=8)
            return
        self._busy = True
        self.run_worker(self._saving(data), group="record-form", exclusive=True)

    async def _saving(self, data: In) -> None:
        try:
            saved = await asyncio.to_thread(self._save, self.context, data)
        except AcctmgrError as error:
            if not self.query_one(Form).show_error(error.field, error.message):
                self.notify(error.message, severity="error", timeout=8)
            return
        except Exception:
            log.exception("saving %s failed", self.title)
            self.notify(UNEXPECTED, severity="error", timeout=8)
            return
        finally:
            self._busy = False
        self.dismiss(saved)


def sku_form(
    title: str,
    intro: str,
    save: Callable[[Context, SkuIn], Saved],
    values: dict[str, str] | None = None,
    *,
    revising: bool = False,
) -> RecordFormScreen[SkuIn, Saved]:
    """The SKU form; a revision keeps the code (a different code is a different SKU)."""
    return RecordFormScreen(
        title, intro, SKU_FIELDS, SkuIn, save, values, locked=("code",) if revising else ()
    )


def package_form(
    title: str,
    save: Callable[[Context, PackageIn], Saved],
    values: dict[str, str] | None = None,
    *,
    editing: bool = False,
) -> RecordFormScreen[PackageIn, Saved]:
    intro = (
        "List the SKUs by code with their quantities. Marking this package as the starter pack "
        "takes the mark from the package that has it: there is one starter pack at a time."
    )
    return RecordFormScreen(
        title, intro, PACKAGE_FIELDS, PackageIn, save, values, locked=("code",) if editing else ()
    )
