"""The steps of a rate-reduction case, one screen each, as the Contract Management Specialist
(and at the start, the Account Executive) works through them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from acctmgr.errors import AcctmgrError, InvalidInput
from acctmgr.models import ActivityKind, CloseOutcome, SignatureMethod
from acctmgr.screens.wizard import StepScreen
from acctmgr.services.kernel.money import format_money, parse_money, parse_percent
from acctmgr.services.retention import (
    closing,
    drafts,
    goals,
    quote_approval,
    sales_steps,
    signing,
    stages,
    usage,
    views,
)
from acctmgr.services.retention.inputs import ContactAttemptIn, SignatureIn
from acctmgr.services.retention.views import CaseView
from acctmgr.widgets.form import Form, FormField
from acctmgr.widgets.step_indicator import StepState
from acctmgr.widgets.text import fields, prose


def parse_day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("A date is written like 2027-04-01.", field=field) from None


def contact_choices(case: CaseView, *, email_only: bool = False) -> list[tuple[str, str]]:
    return [
        (f"{c.name} <{c.email}>" if c.email else f"{c.name} (no e-mail)", str(c.id))
        for c in case.contacts
        if c.email or not email_only
    ]


class CaseStep(StepScreen):
    """A step of one case: its indicator, its draft, and the case as it was loaded."""

    def __init__(self, case: CaseView) -> None:
        super().__init__(f"{case.number} · {case.account_name}")
        self.case = case

    def steps(self) -> tuple[list[StepState], str]:
        return list(self.case.stages), self.case.holder

    def draft(self) -> dict[str, str]:
        return dict(self.case.draft)

    async def save_draft(self, values: dict[str, str]) -> None:
        try:
            await self.run_service(drafts.save_draft, self.case.id, values)
        except AcctmgrError as error:
            self.notify(error.message, severity="warning")

    def today(self) -> date:
        return self.context.clock.now().date()

    def money(self, minor: int | None) -> str:
        return format_money(minor or 0, self.case.currency)

    def case_facts(self) -> list[tuple[str, str]]:
        case = self.case
        return [
            (
                "Customer asks",
                f"{self.money(case.requested_reduction_minor)} a year "
                f"({case.requested_reduction_pct.normalize():f}%) — {case.reason}",
            ),
            (
                "Current rate",
                f"{self.money(case.current_rate_minor)} a year, contract "
                f"{case.contract_number}, ends {case.contract_ends_on}",
            ),
            ("Earliest effective", f"{case.earliest_effective} (notice by {case.notice_deadline})"),
        ]


class UsageStep(CaseStep):
    SUBMIT_LABEL = "Usage reviewed"
    FIELDS: ClassVar[list[FormField]] = [
        FormField("notes", "What you found", placeholder="e.g. page views down 20% since June")
    ]

    def __init__(self, case: CaseView, review: views.UsageReview) -> None:
        super().__init__(case)
        self.review = review

    def intro(self) -> Any:
        review = self.review
        lines = [fields(self.case_facts()), Content.from_markup("\n[b]Subscriptions[/b]")]
        for sub in review.subscriptions:
            lines.append(
                prose(
                    f"  {sub.quantity} x {sub.description}: "
                    f"list {format_money(sub.list_price_minor, review.currency)}, "
                    f"net {format_money(sub.net_price_minor, review.currency)} ({sub.status})"
                )
            )
        lines.append(Content.from_markup("[b]Usage (page views a month)[/b]"))
        for month in review.usage[-6:]:
            share = (
                f" — {month.page_views * 100 // month.included}% of {month.included:,} included"
                if month.included
                else ""
            )
            lines.append(prose(f"  {month.month:%b %Y}: {month.page_views:,}{share}"))
        if not review.usage:
            lines.append(prose("  no usage recorded"))
        lines.append(
            prose(
                f"Invoices, last 12 months: {len(review.invoices)}, "
                f"{format_money(review.invoiced_12_months_minor, review.currency)} in all\n"
            )
        )
        return Content("\n").join(lines)

    async def done(self, values: dict[str, str]) -> bool:
        await self.run_service(
            usage.complete_usage_review, self.case.id, self.case.version, values["notes"]
        )
        return True


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

    async def done(self, values: dict[str, str]) -> bool:
        close = parse_day(values["expected_close_on"], "expected_close_on")
        await self.run_service(
            sales_steps.create_opportunity, self.case.id, self.case.version, values["name"], close
        )
        return True


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

    async def done(self, values: dict[str, str]) -> bool:
        estimate = parse_money(values["estimate"], field="estimate", what="The estimated reduction")
        await self.run_service(
            sales_steps.submit_placeholder,
            self.case.id,
            self.case.version,
            estimate,
            values["notes"],
        )
        return True


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

    async def done(self, values: dict[str, str]) -> bool:
        await self.run_service(
            goals.confirm_goals, self.case.id, self.case.version, values["goals"]
        )
        return True

    async def _act(self, make: Any, success: str) -> None:
        form = self.query_one(Form)
        form.clear_errors()
        try:
            self.case = await make(form.values())
        except AcctmgrError as error:
            if not form.show_error(error.field, error.message):
                self.notify(error.message, severity="error", timeout=8)
            return
        self.notify(success)
        self.query_one("#step-intro", Static).update(self.intro())

    async def action_log_attempt(self) -> None:
        async def log(values: dict[str, str]) -> CaseView:
            channel = ActivityKind.EMAIL if values["channel"] == "email" else ActivityKind.CALL
            if not values["outcome"].strip():
                raise InvalidInput("Say how the contact went.", field="outcome")
            data = ContactAttemptIn(
                channel=channel,
                contact_id=int(values["contact"]) if values["contact"] else None,
                outcome=values["outcome"],
                notes=values["notes"],
            )
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


class ReviewStep(CaseStep):
    SUBMIT_LABEL = "Submit for approval · Ctrl+B back to the quote"
    BINDINGS = [Binding("ctrl+b", "back_to_quote", "Back to the quote", priority=True)]
    FIELDS: ClassVar[list[FormField]] = [
        FormField("confirmed", "Confirmed reduction", placeholder="a year; must match the quote")
    ]

    def __init__(self, case: CaseView, quote: Any) -> None:
        super().__init__(case)
        self.quote = quote

    def intro(self) -> Any:
        quote = self.quote
        needs = (
            "; ".join(
                f"{need.rule}: {', '.join(need.names) or need.blocked}"
                for need in quote.approvals_needed
            )
            or "none"
        )
        return Content("\n").join(
            [
                fields(
                    [
                        *self.case_facts(),
                        (
                            "Quote",
                            f"{quote.number}, {len(quote.lines)} lines, from {quote.starts_on}",
                        ),
                        (
                            "Quote net",
                            f"{self.money(quote.net_total_minor)} a year "
                            f"(list {self.money(quote.list_total_minor)})",
                        ),
                        ("Reduction", self.money(quote.reduction_minor)),
                        (
                            "Placeholder",
                            f"estimated {self.money(self.case.placeholder_estimate_minor)}",
                        ),
                        ("Approvals", needs),
                    ]
                ),
                prose(
                    "\nConfirm the reduction: it updates the placeholder request, "
                    "and the quote goes for approval.\n"
                ),
            ]
        )

    def defaults(self) -> dict[str, str]:
        minor = self.quote.reduction_minor or 0
        return {"confirmed": f"{minor // 100}.{minor % 100:02d}"}

    async def done(self, values: dict[str, str]) -> bool:
        confirmed = parse_money(
            values["confirmed"], field="confirmed", what="The confirmed reduction"
        )
        case: CaseView = await self.run_service(
            quote_approval.submit_for_approval, self.case.id, self.case.version, confirmed
        )
        self.notify(f"Submitted; {case.holder} decides next.")
        return True

    async def action_back_to_quote(self) -> None:
        try:
            await self.run_service(quote_approval.back_to_quote, self.case.id, self.case.version)
        except AcctmgrError as error:
            self.notify(error.message, severity="error")
            return
        self.dismiss(True)


class SignatureStep(CaseStep):
    """Send the contract for signature, then record the signature."""

    def __init__(self, case: CaseView) -> None:
        super().__init__(case)
        self.sent = (
            case.new_contract_status is not None
            and case.new_contract_status.value == "sent_for_signature"
        )
        if self.sent:
            self.submit_label = "Record the signature"
            self.form_fields = [
                FormField("signer_name", "Signed by"),
                FormField("signer_title", "Their title"),
                FormField("signed_on", "Signed on", placeholder="YYYY-MM-DD"),
                FormField(
                    "method",
                    "How",
                    "choice",
                    choices=[(m.value.replace("_", " "), m.value) for m in SignatureMethod],
                ),
            ]
        else:
            self.submit_label = "Send the contract for signature"
            self.form_fields = [
                FormField("contact", "Send to", "choice", choices=contact_choices(case))
            ]

    def intro(self) -> Any:
        state = (
            f"Contract {self.case.new_contract_number} is out for signature."
            if self.sent
            else (
                "The quote is approved. The new contract is drafted from it, rendered, "
                "and e-mailed to the contact."
            )
        )
        return Content("\n").join([fields(self.case_facts()), prose(f"\n{state}\n")])

    def defaults(self) -> dict[str, str]:
        if self.sent:
            name = self.case.contact_name or ""
            return {
                "signer_name": name,
                "signed_on": self.today().isoformat(),
                "method": SignatureMethod.ELECTRONIC.value,
            }
        return {"contact": str(self.case.contact_id or "")}

    async def done(self, values: dict[str, str]) -> bool:
        if not self.sent:
            if not values["contact"]:
                raise InvalidInput("Choose who receives the contract.", field="contact")
            await self.run_service(
                signing.send_contract, self.case.id, self.case.version, int(values["contact"])
            )
            self.notify("The contract is in the outbox, attached to the e-mail.")
            return True
        data = SignatureIn(
            signer_name=values["signer_name"],
            signer_title=values["signer_title"],
            signed_on=parse_day(values["signed_on"], "signed_on"),
            method=SignatureMethod(values["method"] or SignatureMethod.ELECTRONIC.value),
        )
        await self.run_service(signing.record_signature, self.case.id, self.case.version, data)
        return True


class CloseStep(CaseStep):
    """Close the case: won after the signature; lost or withdrawn at any step, with a reason."""

    SUBMIT_LABEL = "Close the case"

    def __init__(self, case: CaseView) -> None:
        super().__init__(case)
        self.won = case.stage is stages.Stage.CLOSE
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

    async def done(self, values: dict[str, str]) -> bool:
        if not values["outcome"]:
            raise InvalidInput("Choose how the case ends.", field="outcome")
        await self.run_service(
            closing.close_case,
            self.case.id,
            self.case.version,
            CloseOutcome(values["outcome"]),
            values["reason"],
        )
        self.notify(f"Case {self.case.number} closed {values['outcome']}.")
        return True


def percent_or_amount(text: str) -> tuple[int | None, Decimal | None]:
    """ "10%" is a percentage of the current rate; "1200" or "1,200.50" an amount a year."""
    text = text.strip()
    if not text:
        raise InvalidInput(
            "Give the reduction asked for, as 10% or as an amount a year.", field="reduction"
        )
    if text.endswith("%"):
        return None, parse_percent(text, field="reduction", what="The reduction")
    return parse_money(text, field="reduction", what="The reduction"), None
