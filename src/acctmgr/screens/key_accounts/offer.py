"""One offer of a key account: where it stands, its alternatives; Enter works on the step.

Working on an offer is the wizard kit's runner over ``OFFER_SCREENS``: while the signed-in user
holds the current step (the KAM designs, sends and records the answer; Customer Services
finalise), it pushes the step's screen and goes on to the next.
"""

from __future__ import annotations

from datetime import timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.dialog import FormDialog
from acctmgr.screens.key_accounts.offer_steps import stage_words
from acctmgr.screens.key_accounts.wizard import OFFER_SCREENS
from acctmgr.screens.wizards.runner import run_wizard
from acctmgr.services.kernel.money import format_money
from acctmgr.services.key_accounts import offer_views, offers, starting_points
from acctmgr.services.key_accounts.offer_views import OfferView
from acctmgr.services.key_accounts.wizard import OFFER_WIZARD, OfferStage
from acctmgr.widgets.form import FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable
from acctmgr.widgets.step_indicator import StepIndicator
from acctmgr.widgets.text import day, fields, plain

NEW_OPPORTUNITY = "new"


class OfferScreen(AcctmgrScreen):
    """One offer; Enter continues the step you hold, n clones it into another alternative."""

    TITLE = "Offer"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "work_on", "Work on this step"),
        Binding("n", "clone", "New alternative (a copy)"),
        Binding("m", "make_primary", "Make primary"),
        Binding("a", "decide", "Approve or reject"),
        Binding("v", "save_package", "Save its lines as the account's package"),
        Binding("o", "open_account", "Open account"),
    ]

    def __init__(self, offer_id: int) -> None:
        super().__init__()
        self.offer_id = offer_id
        self.offer: OfferView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield StepIndicator(id="offer-steps")
        with VerticalScroll(id="offer-body"):
            yield Static("Loading…", id="offer-summary")
            yield Static("Offers of this opportunity (Enter opens one)", classes="section-title")
            yield RecordTable(
                ("Offer", 28),
                ("Stands at", 16),
                ("Total", 14),
                "Valid until",
                id="offer-alternatives",
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        if self.offer is not None:
            self.reload()

    @work(exclusive=True, group="offer")
    async def reload(self) -> None:
        offer = await self.call(offer_views.get_offer, self.offer_id)
        if offer is not None:
            await self._show(offer)

    async def _show(self, offer: OfferView) -> None:
        self.offer = offer
        self.sub_title = f"{offer.title} · {offer.account_name}"
        self.query_one(StepIndicator).show(offer.stages, offer.holder)
        self.query_one("#offer-summary", Static).update(fields(_summary(offer)))
        self.query_one(RecordTable).show(
            (
                str(other.id),
                [
                    plain(("★ " if other.is_primary else "") + other.title),
                    plain(stage_words(other)),
                    plain(format_money(other.net_total_minor, other.currency)),
                    plain(day(other.valid_until)),
                ],
            )
            for other in offer.alternatives
        )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        offer = self.offer
        if offer is None:
            return action not in {"work_on", "clone", "make_primary", "decide"}
        if action == "work_on":
            return offer.mine and OFFER_WIZARD.stage(offer.stage).worked
        if action == "decide":
            return offer.stage is OfferStage.APPROVAL and offer.mine
        if action in ("clone", "make_primary"):
            return offer.owned and offer.stage in (
                OfferStage.DESIGN,
                OfferStage.APPROVAL,
                OfferStage.SEND,
                OfferStage.ANSWER,
            )
        return True

    @work(exclusive=True, group="offer-step")
    async def action_work_on(self) -> None:
        await run_wizard(self, OFFER_SCREENS, self.offer_id, shown=self._show)

    @work(exclusive=True, group="offer-step")
    async def action_clone(self) -> None:
        if self.offer is None:
            return
        made = await new_offer_dialog(self, self.offer.account_id, clone_of=self.offer)
        if made is not None:
            self.app.push_screen(OfferScreen(made))

    @work(exclusive=True, group="offer-step")
    async def action_make_primary(self) -> None:
        if self.offer is None:
            return
        made = await self.call(offers.make_primary, self.offer.id, self.offer.version)
        if made is not None:
            self.notify(f'"{made.title}" is the primary offer now.')
            await self._show(made)

    @work(exclusive=True, group="offer-step")
    async def action_save_package(self) -> None:
        offer = self.offer
        if offer is None:
            return
        from acctmgr.services.sales import account_packages

        async def save(values: dict[str, str]) -> str:
            saved = await self.run_service(
                account_packages.save_from_quote, offer.quote.id, values["name"]
            )
            return str(saved.code)

        code = await self.app.push_screen_wait(
            FormDialog(
                "Save as the account's package",
                [FormField("name", "Package name")],
                save,
                intro=f"The offer's catalogue lines, kept as a package only {offer.account_name}'s "
                "offers can start from.",
                values={"name": offer.title},
                save_label="Save the package",
            )
        )
        if code:
            self.notify(f"Saved as package {code}; new offers of the account can start from it.")

    def action_decide(self) -> None:
        if self.offer is not None:
            from acctmgr.domain.records import RecordType
            from acctmgr.screens.approvals.inbox import ApprovalScreen

            self.app.push_screen(
                ApprovalScreen(None, record=(RecordType.QUOTE, self.offer.quote.id))
            )

    def action_open_account(self) -> None:
        if self.offer is not None:
            self.acctmgr.open_account(self.offer.account_id)

    @on(RecordTable.RowSelected, "#offer-alternatives")
    def _open_alternative(self, event: RecordTable.RowSelected) -> None:
        if event.key.isdigit() and int(event.key) != self.offer_id:
            self.app.push_screen(OfferScreen(int(event.key)))


def _summary(offer: OfferView) -> list[tuple[str, str]]:
    quote = offer.quote
    rows = [
        ("Account", offer.account_name),
        ("Opportunity", offer.opportunity_name),
        ("With", offer.holder + (" (you)" if offer.mine else "")),
        ("Quote", f"{quote.number}, {quote.status.value.replace('_', ' ')}"),
        ("Stands at", stage_words(offer)),
        ("Total", format_money(quote.net_total_minor, quote.currency)),
        ("Valid until", day(offer.valid_until)),
        ("Renewal", offer.renewal_type.value.replace("_", " ")),
    ]
    if offer.sent_at:
        rows.append(("Sent", day(offer.sent_at)))
    if offer.decline_reason:
        rows.append(("Declined", offer.decline_reason))
    if offer.contract_number:
        status = offer.contract_status.value.replace("_", " ") if offer.contract_status else ""
        rows.append(("Contract", f"{offer.contract_number} ({status})"))
    return rows


async def new_offer_dialog(
    screen: AcctmgrScreen, account_id: int, *, clone_of: OfferView | None = None
) -> int | None:
    """Ask for the new offer's opportunity, title, validity, start and starting point; make
    it; return its id (None when cancelled or refused before anything was made)."""
    from acctmgr.screens.retention.steps import parse_day

    starts = await screen.call(starting_points.offer_starts, account_id)
    if starts is None:
        return None
    today = screen.context.clock.now().date()
    opportunity_choices = [(o.label, o.value) for o in starts.opportunities]
    opportunity_choices.append(("A new opportunity…", NEW_OPPORTUNITY))
    start_choices = [(c.label, c.value) for c in starts.starts]

    async def make(values: dict[str, str]) -> int:
        from acctmgr.errors import InvalidInput

        chosen = values["opportunity"] or NEW_OPPORTUNITY
        if chosen == NEW_OPPORTUNITY and not values["opportunity_name"].strip():
            raise InvalidInput("Name the new opportunity.", field="opportunity_name")
        source, _, source_id = (values["start_from"] or "empty").partition(":")
        data = offers.NewOfferIn(
            title=values["title"],
            valid_until=parse_day(values["valid_until"], "valid_until"),
            starts_on=parse_day(values["starts_on"], "starts_on"),
            start_from=offers.StartFrom(source),
            source_id=int(source_id) if source_id else None,
        )
        opportunity: int | offers.OpportunityIn = (
            int(chosen)
            if chosen != NEW_OPPORTUNITY
            else offers.OpportunityIn(account_id=account_id, name=values["opportunity_name"])
        )
        # One use case: a refused offer leaves no empty opportunity behind.
        result: offers.NewOfferResult = await screen.run_service(
            offers.new_offer, opportunity, data
        )
        if result.left_out:
            screen.notify(
                "Left out, no longer sold: " + ", ".join(result.left_out), severity="warning"
            )
        return result.offer.id

    first_of_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    values = {
        "opportunity": (clone_of and str(clone_of.opportunity_id))
        or (opportunity_choices[0][1] if starts.opportunities else NEW_OPPORTUNITY),
        "opportunity_name": f"{starts.account_name}: more analytics"[:200],
        "title": (clone_of.title + " (alternative)") if clone_of else "",
        "valid_until": (today + timedelta(days=30)).isoformat(),
        "starts_on": first_of_month.isoformat(),
        "start_from": f"offer:{clone_of.id}" if clone_of else "empty",
    }
    made: int | None = await screen.app.push_screen_wait(
        FormDialog(
            "New offer" if clone_of is None else f'New alternative to "{clone_of.title}"',
            [
                FormField("opportunity", "Opportunity", "choice", choices=opportunity_choices),
                FormField("opportunity_name", "New opportunity", placeholder="its name, if new"),
                FormField("title", "Offer title"),
                FormField("valid_until", "Valid until", placeholder="YYYY-MM-DD"),
                FormField("starts_on", "Starts on", placeholder="YYYY-MM-DD"),
                FormField("start_from", "Start from", "choice", choices=start_choices),
            ],
            make,
            intro=f"An offer to {starts.account_name}: a quote of its own, from a package, what "
            "the account holds now, an earlier offer or quote, or empty. Lines are changed next.",
            values=values,
            save_label="Create the offer",
        )
    )
    return made


async def open_new_offer(screen: AcctmgrScreen, account_id: int) -> None:
    """The new offer dialog, then the offer it made, at its first step."""
    made = await new_offer_dialog(screen, account_id)
    if made is not None:
        offer_screen = OfferScreen(made)
        await screen.app.push_screen(offer_screen)
