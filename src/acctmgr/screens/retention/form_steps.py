"""The steps of a case that are a form to fill in: the opportunity, the placeholder request,
the customer's goals (with the contact attempts it takes to learn them), and closing the case."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, ClassVar

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from acctmgr.domain.activities import ActivityKind
from acctmgr.domain.sales import CloseOutcome
from acctmgr.errors import InvalidInput
from acctmgr.screens.base import submit_form
from acctmgr.screens.retention.steps import CaseStep, contact_choices, parse_day
from acctmgr.services.kernel.money import parse_money
from acctmgr.services.kernel.validation import Problems
from acctmgr.services.retention import goals, stages
from acctmgr.services.retention.inputs import (
    CloseIn,
    ContactAttemptIn,
    GoalsIn,
    OpportunityIn,
    PlaceholderIn,
)
from acctmgr.services.retention.views import CaseView
from acctmgr.widgets.form import Form, FormField
from acctmgr.widgets.text import fields, prose


class OpportunityStep(CaseStep):
    SUBMIT_LABEL = "Create the opportunity"
    FIELDS: ClassVar[list[FormField]] = [
        FormField("name", "Opportunity name"),
        FormField("expected_close_on", "Expected close", placeholder="YYYY-MM-DD"),
    ]

    def intro(self) -> Any:
        return Content("\n").join(
            [
                fields(self.case_facts()),
                prose("\nA rate-reduction opportunity on the account, linked to this case.\n"),
            ]
        )

    def defaults(self) -> dict[str, str]:
        close = (self.case.notice_deadline or self.today()).isoformat()
        return {
            "name": f"{self.case.account_name} rate reduction"[:200],
            "expected_close_on": close,
        }

    def build_input(self, values: dict[str, str]) -> OpportunityIn:
        problems = Problems()
        close = problems.parse(lambda: parse_day(values["expected_close_on"], "expected_close_on"))
        data = problems.build(
            OpportunityIn, {"name": values["name"], "expected_close_on": close or self.today()}
        )
        problems.check()
        assert data is not None
        return data


class PlaceholderStep(CaseStep):
    SUBMIT_LABEL = "Submit the placeholder request"
    FIELDS: ClassVar[list[FormField]] = [
        FormField("estimate", "Estimated reduction", placeholder="a year, e.g. 1200.00"),
        FormField("notes", "Notes"),
    ]

    def intro(self) -> Any:
        return Content("\n").join(
            [
                fields(self.case_facts()),
                prose("\nThe intent for a new contract, with the reduction you expect.\n"),
            ]
        )

    def defaults(self) -> dict[str, str]:
        minor = self.case.requested_reduction_minor
        return {"estimate": f"{minor // 100}.{minor % 100:02d}"}

    def build_input(self, values: dict[str, str]) -> PlaceholderIn:
        problems = Problems({"estimated_reduction_minor": "estimate"})
        estimate = problems.parse(
            lambda: parse_money(
                values["estimate"], field="estimate", what="The estimated reduction"
            )
        )
        data = problems.build(
            PlaceholderIn, {"estimated_reduction_minor": estimate or 0, "notes": values["notes"]}
        )
        problems.check()
        assert data is not None
        return data


class GoalsStep(CaseStep):
    SUBMIT_LABEL = (
        "Goals confirmed · Ctrl+L log the contact · Ctrl+K switch to a call · Ctrl+E ask the AE"
    )
    BINDINGS = [
        Binding("ctrl+l", "log_attempt", "Log contact", priority=True),
        Binding("ctrl+k", "switch_to_call", "Switch to a call", priority=True),
        Binding("ctrl+e", "ask_ae", "Ask the AE", priority=True),
    ]

    def __init__(self, case: CaseView) -> None:
        super().__init__(case)
        self.form_fields = [
            FormField(
                "channel",
                "E-mail or call",
                "choice",
                choices=[("E-mail", "email"), ("Call", "call")],
            ),
            FormField("contact", "Contact", "choice", choices=contact_choices(case)),
            FormField("outcome", "Outcome", placeholder="e.g. wants 10% off the add-on"),
            FormField("notes", "Notes"),
            FormField("call_at", "Call at", placeholder="YYYY-MM-DD HH:MM (switch to a call)"),
            FormField("ae_task", "Ask the AE to", placeholder="e.g. join Thursday's call"),
            FormField("goals", "Confirmed goals", placeholder="what the customer wants, in a line"),
        ]

    def intro(self) -> Any:
        attempts = [
            prose(f"  {a.at:%d %b %H:%M} {a.channel.value} {a.contact}: {a.outcome} ({a.by})")
            for a in self.case.attempts
        ] or [prose("  none yet: log at least one e-mail or call")]
        return Content("\n").join(
            [
                fields(self.case_facts()),
                Content.from_markup("\n[b]Contact attempts[/b]"),
                *attempts,
                prose(""),
            ]
        )

    def defaults(self) -> dict[str, str]:
        tomorrow = datetime.combine(self.today() + timedelta(days=1), time(10))
        return {
            "channel": "email",
            "contact": str(self.case.contact_id or ""),
            "call_at": f"{tomorrow:%Y-%m-%d %H:%M}",
        }

    def build_input(self, values: dict[str, str]) -> GoalsIn:
        return GoalsIn(goals=values["goals"])

    async def _act(self, make: Any, success: str) -> None:
        # As a submit is: a refusal (the service's, or a field too long) is shown beside its
        # field, never raised.
        done, case = await submit_form(self, self.query_one(Form), make)
        if not done or case is None:
            return
        self.case = case
        self.notify(success)
        self.query_one("#step-intro", Static).update(self.intro())

    async def action_log_attempt(self) -> None:
        async def log(values: dict[str, str]) -> CaseView:
            channel = ActivityKind.EMAIL if values["channel"] == "email" else ActivityKind.CALL
            problems = Problems({"contact_id": "contact"})
            data = problems.build(
                ContactAttemptIn,
                {
                    "channel": channel,
                    "contact_id": int(values["contact"]) if values["contact"] else None,
                    "outcome": values["outcome"],
                    "notes": values["notes"],
                },
            )
            problems.check()
            assert data is not None
            case: CaseView = await self.run_service(goals.log_contact, self.case.id, data)
            return case

        await self._act(log, "Contact logged.")

    async def action_switch_to_call(self) -> None:
        async def switch(values: dict[str, str]) -> CaseView:
            try:
                when = datetime.strptime(values["call_at"].strip(), "%Y-%m-%d %H:%M").astimezone()
            except ValueError:
                raise InvalidInput(
                    "Write the call's time like 2026-11-24 10:00.", field="call_at"
                ) from None
            case: CaseView = await self.run_service(
                goals.switch_to_call, self.case.id, when, values["notes"]
            )
            return case

        await self._act(switch, "Call scheduled; it is on your day.")

    async def action_ask_ae(self) -> None:
        async def ask(values: dict[str, str]) -> CaseView:
            case: CaseView = await self.run_service(
                goals.ask_account_executive,
                self.case.id,
                values["ae_task"],
                self.today() + timedelta(days=1),
            )
            return case

        await self._act(ask, f"Task sent to {self.case.opened_by}.")


class CloseStep(CaseStep):
    """Close the case: won after the signature; lost or withdrawn at any step, with a reason."""

    SUBMIT_LABEL = "Close the case"

    def __init__(self, case: CaseView) -> None:
        super().__init__(case)
        self.won = case.stage is stages.Stage.CLOSE
        if not self.won:
            # Closing lost or withdrawn ('x') is no stage of its own: it neither shows nor
            # overwrites the draft of the stage the case is at.
            self.draft_key = None
            self._draft = {}
        outcomes = [("won: resolved, new contract signed", "won")] if self.won else []
        outcomes += [("lost", "lost"), ("withdrawn", "withdrawn")]
        self.form_fields = [
            FormField("outcome", "Outcome", "choice", choices=outcomes),
            FormField("reason", "Reason", placeholder="required when lost or withdrawn"),
        ]

    def intro(self) -> Any:
        note = (
            "The new contract is signed: close the case as won."
            if self.won
            else (
                "Closing now withdraws what is still open: the approval, the placeholder "
                "and any unsigned contract."
            )
        )
        return Content("\n").join([fields(self.case_facts()), prose(f"\n{note}\n")])

    def defaults(self) -> dict[str, str]:
        return {"outcome": "won" if self.won else "lost"}

    def build_input(self, values: dict[str, str]) -> CloseIn:
        problems = Problems()
        if not values["outcome"]:
            problems.refuse("Choose how the case ends.", field="outcome")
        # With no outcome chosen, the reason is checked as won would check it (its length):
        # whether it is needed depends on the outcome the user has yet to choose.
        data = problems.build(
            CloseIn, {"outcome": values["outcome"] or CloseOutcome.WON, "reason": values["reason"]}
        )
        problems.check()
        assert data is not None
        return data

    async def done(self, values: dict[str, str]) -> bool:
        await self.hand_in(values)
        self.notify(f"Case {self.case.number} closed {values['outcome']}.")
        return True
