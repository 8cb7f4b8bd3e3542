"""A rate-reduction case: where it stands, who holds it, its story; Enter works on the step.

Working on a case is the wizard kit's runner (``run_wizard`` over ``RETENTION_SCREENS``): while
the signed-in user holds the current step, it pushes that step's screen, waits for it, reloads
the case and goes on to the next. Leaving a step keeps its draft, so the same user resumes
exactly there later.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from acctmgr.errors import AcctmgrError, AlreadyOpen
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.screens.retention.form_steps import CloseStep
from acctmgr.screens.retention.open_case import OpenCaseScreen
from acctmgr.screens.retention.wizard import RETENTION_SCREENS
from acctmgr.screens.wizards.runner import run_wizard
from acctmgr.screens.wizards.step import Reload
from acctmgr.services.kernel.money import format_money
from acctmgr.services.retention import closing, history, opening, quote_approval, views
from acctmgr.services.retention.stages import RETENTION, Stage
from acctmgr.services.retention.views import CaseView
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable
from acctmgr.widgets.step_indicator import StepIndicator
from acctmgr.widgets.text import day, fields, percentage, plain


class CaseScreen(AcctmgrScreen):
    """One case; Enter continues the step you hold, T takes it from the queue."""

    TITLE = "Retention case"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "work_on", "Work on this step"),
        Binding("t", "take", "Take from queue"),
        Binding("a", "decide", "Approve or reject"),
        Binding("ctrl+b", "recall", "Back to the quote (recall the approval)"),
        Binding("x", "close_case", "Close lost/withdrawn"),
        Binding("o", "open_account", "Open account"),
        Binding("s", "schedule", "New task"),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.case: CaseView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield StepIndicator(id="case-steps")
        with VerticalScroll(id="case-body"):
            yield Static("Loading…", id="case-summary")
            yield Static("Timeline", classes="section-title")
            yield RecordTable(("When", 17), ("Who", 18), "What", id="case-timeline")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        if self.case is not None:
            self.reload()

    @work(exclusive=True, group="case")
    async def reload(self) -> None:
        await self._load()

    async def _load(self) -> CaseView | None:
        case = await self.call(views.get_case, self.case_id)
        if case is not None:
            await self._show(case)
        return case

    async def _show(self, case: CaseView) -> None:
        self.case = case
        self.sub_title = f"{case.number} · {case.account_name}"
        self.query_one(StepIndicator).show(case.stages, case.holder)
        self.query_one("#case-summary", Static).update(fields(_summary(case)))
        timeline = await self.call(history.case_timeline, self.case_id) or []
        self.query_one(RecordTable).show(
            (
                str(index),
                [
                    plain(day(entry.at)),
                    plain(entry.who),
                    plain(entry.what),
                ],
            )
            for index, entry in enumerate(timeline)
        )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        case = self.case
        if case is None:
            return action not in {"work_on", "take", "decide", "recall", "close_case"}
        if action == "work_on":
            return case.mine and RETENTION.stage(case.stage).worked
        if action == "take":
            return case.stage is Stage.ROUTING and case.mine
        if action == "decide":
            return case.stage is Stage.APPROVAL and case.mine
        if action == "recall":
            return case.can_recall
        if action == "close_case":
            return case.can_close
        return True

    @work(exclusive=True, group="case-task")
    async def action_schedule(self) -> None:
        """A new task following up the case (or its account)."""
        from acctmgr.domain.records import RecordType
        from acctmgr.screens.accounts import task_dialogs

        case = self.case
        if case is None:
            return
        choices = [
            task_dialogs.about(RecordType.RETENTION_CASE, case.id, f"Case {case.number}"),
            task_dialogs.about(RecordType.ACCOUNT, case.account_id, case.account_name),
        ]
        if await task_dialogs.schedule_task(self, choices):
            self.reload()

    @work(exclusive=True, group="case-step")
    async def action_work_on(self) -> None:
        """Step after step, for as long as the signed-in user holds the case."""
        await run_wizard(self, RETENTION_SCREENS, self.case_id, shown=self._show)

    @work(exclusive=True, group="case-step")
    async def action_take(self) -> None:
        # As stored now: another CMS of the queue may have taken it since it was shown.
        case = await self._load()
        if case is None:
            return
        if case.stage is not Stage.ROUTING:
            self.notify(f"{case.number} is no longer in the queue: it is with {case.holder}.")
            return
        taken = await self.call(opening.take_case, case.id, case.version)
        if taken is not None:
            self.notify(f"{taken.number} is yours.")
            self.action_work_on()

    @work(exclusive=True, group="case-step")
    async def action_recall(self) -> None:
        if self.case is None:
            return
        holder = self.case.holder or "the approvers"
        question = f"Recall the quote of {self.case.number} from {holder}?"
        detail = "The approvals given so far end, and the quote comes back to you to change."
        if not await self.app.push_screen_wait(ConfirmScreen(question, detail)):
            return
        case = await self._load()  # the approvers may have decided while the question was open
        if case is None:
            return
        if not case.can_recall:
            self.notify(f"{case.number} can no longer be recalled: it is with {case.holder}.")
            return
        if await self.call(quote_approval.recall_approval, case.id, case.version):
            self.notify("The quote is back with you to change.")
        await self._load()

    def action_decide(self) -> None:
        if self.case is not None and self.case.approval_request_id is not None:
            from acctmgr.screens.approvals.inbox import ApprovalScreen

            self.app.push_screen(ApprovalScreen(self.case.approval_request_id))

    @work(exclusive=True, group="case-step")
    async def action_close_case(self) -> None:
        carried: Reload | None = None
        while (case := await self._load()) is not None:
            close = RETENTION_SCREENS.wired(self, CloseStep(case), closing.close_case, case)
            if carried is not None:
                close.carry(carried)
            result = await self.app.push_screen_wait(close)
            if not isinstance(result, Reload):
                await self._load()
                return
            carried = result

    def action_open_account(self) -> None:
        if self.case is not None:
            self.acctmgr.open_account(self.case.account_id)


def _yours(case: CaseView) -> str:
    """Whether the ball is with the signed-in user: theirs, or theirs to take from the queue."""
    if not case.mine:
        return ""
    return " (you)" if case.assigned_to else ": you may take it (t)"


def _summary(case: CaseView) -> list[tuple[str, str]]:
    def money(minor: int | None) -> str:
        return format_money(minor or 0, case.currency)

    rows = [
        ("Account", case.account_name),
        ("Opened by", case.opened_by),
        ("With", case.holder + _yours(case)),
        ("Reason", case.reason),
        (
            "Asks for",
            f"{money(case.requested_reduction_minor)} a year off "
            f"({percentage(case.requested_reduction_pct)} of {money(case.current_rate_minor)})",
        ),
        ("Contract", f"{case.contract_number}, ends {day(case.contract_ends_on)}"),
        (
            "Notice by",
            f"{day(case.notice_deadline)}; earliest effective {day(case.earliest_effective)}",
        ),
    ]
    if case.placeholder_estimate_minor is not None:
        confirmed = case.placeholder_confirmed_minor
        rows.append(
            (
                "Placeholder",
                f"estimated {money(case.placeholder_estimate_minor)}"
                + (f", confirmed {money(confirmed)}" if confirmed is not None else ""),
            )
        )
    if case.quote_status is not None:
        rows.append(("Quote", case.quote_status.value.replace("_", " ")))
    if case.rejection_comment:
        rows.append(("Rejected because", case.rejection_comment))
    if case.new_contract_number:
        status = (
            case.new_contract_status.value.replace("_", " ") if case.new_contract_status else ""
        )
        rows.append(("New contract", f"{case.new_contract_number} ({status})"))
    if case.outcome is not None:
        rows.append(("Closed", f"{case.outcome.value}: {case.close_reason}"))
    return rows


def open_new_case(screen: AcctmgrScreen, account_id: int) -> None:
    """Start the wizard on an account: the AE's form, then the case it opened."""

    async def flow() -> None:
        # Every refusal comes before the form, not after it is filled in.
        try:
            terms = await screen.run_service(opening.case_terms, account_id)
        except AlreadyOpen as open_case:
            if await screen.app.push_screen_wait(ConfirmScreen(open_case.message, "Open it?")):
                await screen.app.push_screen(CaseScreen(open_case.record_id))
            return
        except AcctmgrError as error:
            screen.notify(error.message, severity="error", timeout=8)
            return
        case_id = await screen.app.push_screen_wait(OpenCaseScreen(terms))
        if case_id:
            await screen.app.push_screen(CaseScreen(case_id))

    screen.run_worker(flow(), group="open-case", exclusive=True)
