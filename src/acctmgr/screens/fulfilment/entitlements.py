"""What an account is entitled to on a date: the subscriptions running that day and the
services still to consume, with what is left. The date starts at today; , and . move it a day,
[ and ] a month, or type one and press Enter. Customer Success logs a delivered workshop or
audit against the highlighted service (l); the KAM or Customer Services confirm a trial the
customer said yes to (y)."""

from __future__ import annotations

import calendar
from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Input, Static

from acctmgr.domain.contracts import SubscriptionStatus
from acctmgr.domain.roles import Role
from acctmgr.screens.accounts.account_rows import subscription_status
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.services.fulfilment.consumption import Recorded, UseIn, record_use
from acctmgr.services.fulfilment.entitled import (
    EntitledOn,
    ServiceOnDate,
    SubscriptionOnDate,
    entitled_on,
)
from acctmgr.services.fulfilment.trials import confirm_trial, not_running_yet
from acctmgr.services.kernel.money import format_money
from acctmgr.services.people import users
from acctmgr.widgets.form import Form, FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.text import day, plain

DATE_SENTENCE = "A date is written like 2027-04-01."
# The account's KAM or Customer Services confirm a trial (the service checks which KAM).
TRIAL_CONFIRMERS = frozenset({Role.KEY_ACCOUNT_MANAGER, Role.CUSTOMER_SERVICES})


class EntitlementsScreen(AcctmgrScreen):
    """One account's subscriptions and services on a date."""

    TITLE = "Entitlements on a date"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("comma", "move_by(-1, 0)", "Previous day"),
        Binding("full_stop", "move_by(1, 0)", "Next day"),
        Binding("left_square_bracket", "move_by(0, -1)", "Previous month", show=False),
        Binding("right_square_bracket", "move_by(0, 1)", "Next month", show=False),
        Binding("ctrl+l", "log_use", "Log a delivered service"),
        Binding("y", "confirm_trial", "Confirm the trial"),
        Binding("f5", "refresh", "Refresh"),
    ]

    def __init__(self, account_id: int, on_day: date | None = None) -> None:
        super().__init__()
        self.account_id = account_id
        self.on_day = on_day
        self.entitled: EntitledOn | None = None
        self.services: dict[str, ServiceOnDate] = {}
        self._roles: frozenset[Role] = frozenset()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Form([FormField("on", "Entitled on", placeholder="2027-04-01")], id="entitled-on")
        yield Static("Subscriptions", classes="section-title")
        yield RecordTable(
            ("Product", 22),
            "Kind",
            "Qty",
            "Net a year",
            "Contract",
            "Order",
            "Runs until",
            id="entitled-subscriptions",
            opens=False,
        )
        yield Static(
            "Services  , . a day  [ ] a month", classes="section-title", id="services-title"
        )
        yield RecordTable(
            ("Service", 22),
            "Left",
            "Used",
            "Of",
            "Use by",
            "Contract",
            "Order",
            id="entitled-services",
            opens=False,
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        if self.on_day is None:
            self.on_day = self.context.clock.now().date()
        self.query_one(Form).fill({"on": self.on_day.isoformat()})
        self.query_one("#entitled-services", RecordTable).focus()
        self.load()
        self.load_roles()

    @work(group="entitlements-roles")
    async def load_roles(self) -> None:
        me = await self.call(users.me)
        self._roles = me.roles if me else frozenset()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Offered to Customer Success, who record uses; the service refuses anyone else.
        if action == "log_use":
            return Role.CUSTOMER_SUCCESS in self._roles
        if action == "confirm_trial":
            return bool(self._roles & TRIAL_CONFIRMERS)
        return True

    def action_refresh(self) -> None:
        self.load()

    def action_move_by(self, days: int, months: int) -> None:
        """Show the day ``days`` or the same day ``months`` away."""
        current = self.on_day or self.context.clock.now().date()
        moved = _months_on(current, months).toordinal() + days
        self.on_day = date.fromordinal(moved)
        self.query_one(Form).fill({"on": self.on_day.isoformat()})
        self.load()

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            self.on_day = date.fromisoformat(event.value.strip())
        except ValueError:
            self.notify(DATE_SENTENCE, severity="error", timeout=8)
            return
        # Back on the services, where , . [ ] move the date again (in the field they are typed).
        self.query_one("#entitled-services", RecordTable).focus()
        self.load()

    @work(exclusive=True, group="entitlements")
    async def load(self) -> None:
        on_day = self.on_day
        assert on_day is not None
        entitled = await self.call(entitled_on, self.account_id, on_day)
        if entitled is None:
            return
        self.entitled = entitled
        self.title = f"Entitlements of {entitled.account_name}"
        self.sub_title = f"on {day(on_day)}"
        self.services = {str(service.id): service for service in entitled.services}
        self.query_one("#entitled-subscriptions", RecordTable).show(
            _subscription_row(s) for s in entitled.subscriptions
        )
        self.query_one("#entitled-services", RecordTable).show(
            _service_row(s) for s in entitled.services
        )
        if not entitled.subscriptions and not entitled.services:
            self.notify(f"Nothing runs or is left to use on {day(on_day)}.", timeout=4)

    @work(exclusive=True, group="account-edit")
    async def action_log_use(self) -> None:
        """Log a workshop or audit delivered against the highlighted service."""
        key = self.query_one("#entitled-services", RecordTable).selected_key
        service = self.services.get(key or "")
        if service is None:
            self.notify("Highlight the service that was delivered first.", timeout=6)
            return

        async def save(typed: dict[str, str]) -> Recorded:
            data = UseIn.model_validate(typed)
            saved: Recorded = await self.run_service(record_use, service.id, service.version, data)
            return saved

        today = self.context.clock.now().date()
        recorded = await self.app.push_screen_wait(
            FormDialog(
                f"Delivered: {service.product}",
                [
                    FormField("delivered_on", "Delivered on", placeholder="2027-04-01"),
                    FormField("quantity", "How many"),
                    FormField("note", "What was done", kind="area"),
                ],
                save,
                intro=f"{service.left} of {service.quantity} left"
                + (f", to use by {day(service.consume_by)}." if service.consume_by else "."),
                values={"delivered_on": today.isoformat(), "quantity": "1"},
                save_label="Log the use",
            )
        )
        if recorded is not None:
            self.notify(f"Logged: {recorded.left} of {service.quantity} left.", timeout=4)
            self.load()

    @work(exclusive=True, group="account-edit")
    async def action_confirm_trial(self) -> None:
        """The customer confirmed the highlighted trial: it converts to paid from tomorrow."""
        key = self.query_one("#entitled-subscriptions", RecordTable).selected_key
        entitled = self.entitled
        trial = next(
            (s for s in (entitled.subscriptions if entitled else []) if str(s.id) == key), None
        )
        if trial is None or not trial.trial:
            self.notify("Highlight the trial the customer confirmed first.", timeout=6)
            return
        # Refused before any question: a yes to a trial that has not started would be refused.
        if (not_yet := not_running_yet(trial.status, trial.starts_on)) is not None:
            self.notify(not_yet, severity="error", timeout=8)
            return
        question = f"Did the customer confirm the trial of {trial.product}?"
        detail = (
            "The trial ends today and a paid subscription runs from tomorrow at the price "
            "of its order line."
        )
        if not await self.app.push_screen_wait(ConfirmScreen(question, detail)):
            return
        converted = await self.call(confirm_trial, trial.id, trial.version)
        if converted is not None:
            self.notify(
                f"Confirmed: {trial.product} is paid from {day(converted.starts_on)}, "
                f"{format_money(converted.net_price_minor, trial.currency)} a year.",
                timeout=6,
            )
            self.load()


def _months_on(first: date, months: int) -> date:
    """The same day ``months`` away, the last of a shorter month (31 Mar, back one: 28 Feb)."""
    index = first.year * 12 + first.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(first.day, calendar.monthrange(year, month + 1)[1]))


def _subscription_row(s: SubscriptionOnDate) -> Row:
    return (
        str(s.id),
        [
            plain(s.product),
            plain(_kind(s)),
            plain(str(s.quantity)),
            plain(format_money(s.net_price_minor, s.currency)),
            plain(s.contract_number or ""),
            plain(s.order_number or ""),
            plain(day(s.ends_on) if s.ends_on else "open-ended"),
        ],
    )


def _kind(s: SubscriptionOnDate) -> str:
    """Trial or Paid, and from when for one waiting for its day (a later date shows it)."""
    if s.status is SubscriptionStatus.PENDING:
        return f"{s.kind.label}, {subscription_status(s.status, s.starts_on)}"
    return s.kind.label


def _service_row(s: ServiceOnDate) -> Row:
    return (
        str(s.id),
        [
            plain(s.product),
            plain(str(s.left)),
            plain(str(s.used)),
            plain(str(s.quantity)),
            plain(day(s.consume_by)),
            plain(s.contract_number or ""),
            plain(s.order_number or ""),
        ],
    )
