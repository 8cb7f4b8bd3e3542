"""Step 1 of a rate-reduction case: the Account Executive records the customer's request.

The screen shows the contract the case would reduce, its notice deadline and the earliest date
a change can take effect, so the AE can tell the customer before confirming they did.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.content import Content

from acctmgr.screens.retention.steps import percent_or_amount
from acctmgr.screens.wizards.step import StepScreen
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.validation import Problems
from acctmgr.services.retention import opening, views
from acctmgr.services.retention.inputs import CaseIn
from acctmgr.services.retention.views import CaseTerms
from acctmgr.widgets.form import FormField
from acctmgr.widgets.text import day, fields, prose


class OpenCaseScreen(StepScreen):
    """Dismisses with the new case's id, or None when the AE leaves."""

    SUBMIT_LABEL = "Open the case (it goes to the CMS queue)"
    FIELDS: ClassVar[list[FormField]] = []

    def __init__(self, terms: CaseTerms) -> None:
        super().__init__("New retention case")
        self.sub_title = terms.account_name
        self.terms = terms
        self.case_id: int | None = None
        self.form_fields = [
            FormField(
                "contact",
                "Customer contact",
                "choice",
                choices=[
                    (f"{c.name} <{c.email}>" if c.email else c.name, str(c.id))
                    for c in terms.contacts
                ],
            ),
            FormField("reason", "Reason", placeholder="why the customer asks for a lower rate"),
            FormField("reduction", "Reduction asked", placeholder="10% or an amount a year"),
            FormField(
                "customer_informed",
                "Terms told",
                "check",
                placeholder="I told the customer the term and notice shown above",
            ),
        ]

    def intro(self) -> Any:
        terms = self.terms
        money = format_money(terms.current_rate_minor, terms.currency)
        missed = (
            "  The notice deadline for the current term has passed: the change waits a term."
            if terms.missed_current_term
            else ""
        )
        return Content("\n").join(
            [
                fields(
                    [
                        (
                            "Contract",
                            f"{terms.contract_number}, "
                            f"{day(terms.contract_starts_on)} to {day(terms.contract_ends_on)}",
                        ),
                        ("Current rate", f"{money} a year"),
                        ("Notice", f"{terms.notice_days} days before a term ends; 12-month terms"),
                        ("Notice deadline", day(terms.notice_deadline)),
                        ("Earliest effective", day(terms.earliest_effective)),
                    ]
                ),
                prose(missed + "\n"),
            ]
        )

    def defaults(self) -> dict[str, str]:
        if self.terms and self.terms.contacts:
            return {"contact": str(self.terms.contacts[0].id)}
        return {}

    async def done(self, values: dict[str, str]) -> bool:
        # Every field's problem at once, each beside its field.
        problems = Problems({"reduction_minor": "reduction", "reduction_pct": "reduction"})
        amount, pct = problems.parse(lambda: percent_or_amount(values["reduction"])) or (None, None)
        data = problems.build(
            CaseIn,
            {
                "account_id": self.terms.account_id,
                "contract_id": self.terms.contract_id,
                "contact_id": int(values["contact"]) if values["contact"] else None,
                "reason": values["reason"],
                "reduction_minor": amount,
                "reduction_pct": pct,
                "customer_informed": bool(values["customer_informed"]),
            },
        )
        problems.check()
        assert data is not None
        case: views.CaseView = await self.run_service(opening.open_case, data)
        self.notify(f"{case.number} opened; it is with {case.holder}.")
        self.case_id = case.id
        return True

    def result(self) -> Any:
        return self.case_id
