"""What every step of a rate-reduction case shares: the step screen of one case, and the
parsers its forms use.

The steps themselves are in ``form_steps`` (opportunity, placeholder, goals, close) and
``review_steps`` (usage, review, signature); the quote step is in ``quote_step``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.screens.wizards.step import DraftKey, StepScreen
from acctmgr.services.kernel.money import format_money, parse_money, parse_percent
from acctmgr.services.retention.views import CaseView
from acctmgr.widgets.step_indicator import StepState
from acctmgr.widgets.text import day, percentage


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
        super().__init__(
            f"{case.number} · {case.account_name}",
            DraftKey(RecordType.RETENTION_CASE, case.id, case.stage.value),
            case.draft,
        )
        self.case = case

    def steps(self) -> tuple[list[StepState], str]:
        return list(self.case.stages), self.case.holder

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
                f"({percentage(case.requested_reduction_pct)}) — {case.reason}",
            ),
            (
                "Current rate",
                f"{self.money(case.current_rate_minor)} a year, contract "
                f"{case.contract_number}, ends {day(case.contract_ends_on)}",
            ),
            (
                "Earliest effective",
                f"{day(case.earliest_effective)} (notice by {day(case.notice_deadline)})",
            ),
        ]


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
