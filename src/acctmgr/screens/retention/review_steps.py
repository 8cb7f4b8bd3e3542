"""The steps of a case that lay records out before the CMS acts on them: the account's
usage and invoices, the quote before it goes for approval, and the contract for signature."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding
from textual.content import Content

from acctmgr.domain.contracts import SignatureMethod
from acctmgr.errors import AcctmgrError, InvalidInput
from acctmgr.screens.retention.steps import CaseStep, contact_choices, parse_day
from acctmgr.services.kernel.money import format_money, parse_money
from acctmgr.services.kernel.validation import Problems
from acctmgr.services.retention import quote_approval, signing, views
from acctmgr.services.retention.inputs import ReviewIn, SendContractIn, SignatureIn, UsageReviewIn
from acctmgr.services.retention.views import CaseView
from acctmgr.widgets.form import FormField
from acctmgr.widgets.text import day, fields, prose


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

    def build_input(self, values: dict[str, str]) -> UsageReviewIn:
        return UsageReviewIn(notes=values["notes"])


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
                f"{need.rule}: {', '.join(need.deciders or need.names) or need.blocked}"
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
                            f"{quote.number}, {len(quote.lines)} lines, "
                            f"from {day(quote.starts_on)}",
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

    def build_input(self, values: dict[str, str]) -> ReviewIn:
        confirmed = parse_money(
            values["confirmed"], field="confirmed", what="The confirmed reduction"
        )
        return ReviewIn(confirmed_reduction_minor=confirmed)

    async def done(self, values: dict[str, str]) -> bool:
        case: CaseView = await self.hand_in(values)
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
                signing.send_contract,
                self.case.id,
                self.case.version,
                SendContractIn(contact_id=int(values["contact"])),
            )
            self.notify("The contract is in the outbox, attached to the e-mail.")
            return True
        problems = Problems()
        signed_on = problems.parse(lambda: parse_day(values["signed_on"], "signed_on"))
        data = problems.build(
            SignatureIn,
            {
                "signer_name": values["signer_name"],
                "signer_title": values["signer_title"],
                "signed_on": signed_on or self.today(),
                "method": values["method"] or SignatureMethod.ELECTRONIC.value,
            },
        )
        problems.check()
        assert data is not None
        await self.run_service(signing.record_signature, self.case.id, self.case.version, data)
        return True
