"""Finalising a key account's contract: Customer Services' checklist, each item ✓ or ✗ with
its reason, the two signatures, the signed document brought in from disk, and the final yes.

The service checks every item; this screen only shows what it answered. Finalising is
refused with the first failing item's sentence, shown as a notification.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Header, Input, Label, Static

from acctmgr.domain.contracts import ContractStatus, SignatureMethod
from acctmgr.errors import InvalidInput
from acctmgr.screens.base import AcctmgrScreen, submit_form
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.services.kernel.validation import Problems
from acctmgr.services.key_accounts import finalising
from acctmgr.services.key_accounts.checklist import Checklist
from acctmgr.services.key_accounts.finalising import SignaturesIn
from acctmgr.services.key_accounts.offer_views import OfferView
from acctmgr.widgets.form import Form, FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.text import safe

FINALISED = (ContractStatus.SIGNED, ContractStatus.ACTIVE)
PASS = ("✓ ", "bold $success")
FAIL = ("✗ ", "bold $error")
DATE = "YYYY-MM-DD"
SIGNATURE_FIELDS = [
    FormField("signer_name", "Customer's signer"),
    FormField("signer_title", "Their title"),
    FormField("signed_on", "They signed on", placeholder=DATE),
    FormField(
        "signature_method",
        "How they signed",
        "choice",
        choices=[(method.value.replace("_", " "), method.value) for method in SignatureMethod],
    ),
    FormField("our_signer_name", "Signed for us by"),
    FormField("our_signer_title", "Our signer's title"),
    FormField("our_signed_on", "We signed on", placeholder=DATE),
]


def checklist_lines(sheet: Checklist) -> Content:
    """Each item on its own line: ✓ or ✗ in colour, the item, and why."""
    return Content("\n").join(
        Content.assemble(PASS if item.passed else FAIL, f"{item.label}: ", safe(item.reason))
        for item in sheet.items
    )


def signatures_in(values: dict[str, str]) -> SignaturesIn:
    """The form's signatures as the service takes them; every refusal beside its field."""
    problems = Problems()
    days = {
        name: problems.parse(lambda name=name: _day(values[name], name))  # type: ignore[misc]
        for name in ("signed_on", "our_signed_on")
    }
    data = problems.build(
        SignaturesIn,
        {
            **{name: values[name] for name in values if name not in days},
            **days,
            "signature_method": values["signature_method"] or None,
        },
    )
    problems.check()
    assert data is not None
    return data


def _day(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("A date is written like 2027-04-01.", field=field) from None


class FinaliseScreen(AcctmgrScreen):
    """One contract's checklist, its signatures and signed document, and finalising it."""

    TITLE = "Finalise contract"
    DEFAULT_CSS = """
    FinaliseScreen #finalise-heading { height: 1; padding: 0 1; text-style: bold; }
    FinaliseScreen #finalise-checklist { height: auto; padding: 0 1; }
    FinaliseScreen #finalise-body { height: 1fr; }
    FinaliseScreen .finalise-title { color: $text-muted; padding: 0 1; }
    FinaliseScreen #document-row { height: 1; }
    FinaliseScreen #document-row Label { width: 22; color: $text-muted; }
    FinaliseScreen #document-row Input { width: 1fr; background: $boost; }
    FinaliseScreen #path-error { color: $text-error; padding-left: 22; display: none; }
    FinaliseScreen #path-error.shown { display: block; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+s", "save", "Save signatures", priority=True),
        Binding("ctrl+n", "attach", "Add the signed PDF", priority=True),
        Binding("ctrl+w", "finalise", "Finalise", priority=True),
        Binding("ctrl+g", "orders", "Go to the orders (once finalised)", priority=True),
        Binding("f5", "refresh", "Refresh", show=False),
    ]

    def __init__(self, contract_id: int) -> None:
        super().__init__()
        self.contract_id = contract_id
        self.sheet: Checklist | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="finalise-heading")
        with VerticalScroll(id="finalise-body"):
            yield Static("", id="finalise-checklist")
            yield Static("Signatures", classes="finalise-title")
            yield Form(SIGNATURE_FIELDS, id="signatures")
            yield Static("Signed document", classes="finalise-title")
            with Horizontal(id="document-row"):
                yield Label("PDF on disk")
                yield Input(placeholder="/path/to/signed.pdf", id="path", compact=True)
            yield Label("", id="path-error")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="finalise-load")
    async def load(self) -> None:
        sheet = await self.call(finalising.checklist, self.contract_id)
        if sheet is None:
            self.dismiss()
            return
        self.show(sheet)
        self.query_one("#signatures", Form).fill(
            {
                "signer_name": sheet.signer_name,
                "signer_title": sheet.signer_title,
                "signed_on": sheet.signed_on.isoformat() if sheet.signed_on else "",
                "signature_method": (sheet.signature_method or SignatureMethod.WET_INK).value,
                "our_signer_name": sheet.our_signer_name,
                "our_signer_title": sheet.our_signer_title,
                "our_signed_on": sheet.our_signed_on.isoformat() if sheet.our_signed_on else "",
            }
        )

    def show(self, sheet: Checklist) -> None:
        self.sheet = sheet
        self.sub_title = sheet.account_name
        state = sheet.status.value.replace("_", " ")
        self.query_one("#finalise-heading", Static).update(
            Content(
                safe(
                    f"{sheet.number} · {state} · starts {sheet.starts_on:%d %b %Y} · "
                    f"{sheet.account_name}"
                )
            )
        )
        self.query_one("#finalise-checklist", Static).update(checklist_lines(sheet))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "attach", "finalise"):
            return self.sheet is not None and self.sheet.status is ContractStatus.SENT_FOR_SIGNATURE
        if action == "orders":
            return self.sheet is not None and self.sheet.status in FINALISED
        return True

    def action_orders(self) -> None:
        """The finalised contract's split preview and orders."""
        from acctmgr.screens.fulfilment.orders import OrdersScreen

        self.app.push_screen(OrdersScreen(self.contract_id))

    @work(exclusive=True, group="finalise-save")
    async def action_save(self) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        form = self.query_one("#signatures", Form)

        async def save(values: dict[str, str]) -> Checklist:
            data = signatures_in(values)
            saved: Checklist = await self.run_service(
                finalising.record_signatures, sheet.contract_id, sheet.version, data
            )
            return saved

        done, saved = await submit_form(self, form, save)
        if done and saved is not None:
            self.show(saved)
            item = next((i for i in saved.items if i.key == "signatures"), None)
            if item is None or item.passed:
                self.notify("Both signatures are recorded.")
            else:
                self.notify(f"Saved as typed. {item.reason}", severity="warning")

    @on(Input.Submitted, "#path")
    def _path_entered(self) -> None:
        self.action_attach()

    @work(exclusive=True, group="finalise-save")
    async def action_attach(self) -> None:
        if self.sheet is None:
            return
        error = self.query_one("#path-error", Label)
        error.remove_class("shown")
        typed = self.query_one("#path", Input).value.strip()
        if not typed:
            error.update("Type the path of the signed PDF.")
            error.add_class("shown")
            return
        try:
            sheet = await self.run_service(
                finalising.attach_signed_document, self.contract_id, Path(typed)
            )
        except InvalidInput as refused:
            error.update(Content(safe(refused.message)))
            error.add_class("shown")
            return
        self.query_one("#path", Input).value = ""
        self.show(sheet)
        self.notify(f"{Path(typed).name} is attached as the signed contract.")

    @work(exclusive=True, group="finalise-save")
    async def action_finalise(self) -> None:
        sheet = self.sheet
        if sheet is None:
            return
        failing = sheet.first_failure
        if failing is None:
            question = f"Finalise {sheet.number}?"
            detail = (
                "It takes effect today."
                if sheet.starts_on <= self.context.clock.today()
                else f"It takes effect on {sheet.starts_on:%d %b %Y}."
            )
            if not await self.app.push_screen_wait(ConfirmScreen(question, detail)):
                return
        # Asked of the service even when the screen shows a failure: it checks everything
        # again, and its sentence is the one to read.
        done = await self.call(finalising.finalise_contract, sheet.contract_id, sheet.version)
        if done is None:
            self.load()
            return
        self.show(done)
        self.notify(f"{done.number} is finalised: {done.status.value.replace('_', ' ')}.")
        self.finalised()

    def finalised(self) -> None:
        """The contract was finalised (a wizard's step ends here)."""

    def action_refresh(self) -> None:
        self.load()


class FinaliseStep(FinaliseScreen):
    """Customer Services' step of the offer wizard: the offer's contract, finalised; the step
    is done once it is, and Escape leaves it for later."""

    BINDINGS = [Binding("escape", "leave", "Back (finalise later)")]

    def __init__(self, offer: OfferView) -> None:
        super().__init__(offer.contract_id or 0)

    def action_leave(self) -> None:
        self.dismiss(False)

    def finalised(self) -> None:
        self.dismiss(True)
