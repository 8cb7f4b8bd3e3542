"""A retention step form with several fields wrong shows every field's sentence at once, beside
its field, focuses the first with its text selected, and saves nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from textual.widgets import Input, Select

from acctmgr.models import Opportunity, RetentionCase, RetentionStep
from acctmgr.screens.retention.case import CaseScreen
from acctmgr.screens.retention.form_steps import CloseStep, OpportunityStep
from acctmgr.services.retention import usage, views
from acctmgr.services.retention.inputs import UsageReviewIn
from tests.ui.retention.test_drafts import _case_at_usage
from tests.ui_support import build_app, settle, until

SIZE = (80, 24)


def _errors(app: object, *names: str) -> dict[str, str]:
    screen = app.screen  # type: ignore[attr-defined]
    return {name: str(screen.query_one(f"#{name}-error").render()) for name in names}


async def test_the_opportunity_step_shows_both_wrong_fields_and_saves_nothing(
    tmp_path: Path, office: Path
) -> None:
    """A name too long and a close date that is no date are both refused at once; the name,
    highest in the form, has the focus with its text selected; no opportunity is stored."""
    app = build_app(tmp_path, "cms2", office)
    case_id = _case_at_usage(app)
    cms2 = app.context.as_user("cms2")
    case = views.get_case(cms2, case_id)
    usage.complete_usage_review(cms2, case.id, case.version, UsageReviewIn(notes="Fell"))
    with app.context.database.read_session() as session:
        opportunities = session.scalar(select(func.count(Opportunity.id)))
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CaseScreen(case_id))
        await settle(app, pilot)
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, OpportunityStep), "the step")
        app.screen.query_one("#name", Input).value = "n" * 201
        close = app.screen.query_one("#expected_close_on", Input)
        close.focus()
        close.value = ""
        await pilot.press(*"soon")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, OpportunityStep)
        assert _errors(app, "name", "expected_close_on") == {
            "name": "Keep this to 200 characters or fewer.",
            "expected_close_on": "A date is written like 2027-04-01.",
        }
        name = app.screen.query_one("#name", Input)
        assert app.screen.focused is name
        assert (name.selection.start, name.selection.end) in {(0, 201), (201, 0)}
    with app.context.database.read_session() as session:
        assert session.scalar(select(func.count(Opportunity.id))) == opportunities
        stored = session.get(RetentionCase, case_id)
        assert stored is not None
        assert stored.step is RetentionStep.OPPORTUNITY


async def test_the_close_form_shows_both_wrong_fields_and_closes_nothing(
    tmp_path: Path, office: Path
) -> None:
    """x with no outcome chosen and a reason too long names both at once, and the case stays
    open at its step."""
    app = build_app(tmp_path, "cms2", office)
    case_id = _case_at_usage(app)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CaseScreen(case_id))
        await settle(app, pilot)
        await pilot.press("x")
        await until(app, pilot, lambda: isinstance(app.screen, CloseStep), "the close form")
        app.screen.query_one("#outcome", Select).clear()
        app.screen.query_one("#reason", Input).value = "r" * 2001
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, CloseStep)
        assert _errors(app, "outcome", "reason") == {
            "outcome": "Choose how the case ends.",
            "reason": "Keep this to 2000 characters or fewer.",
        }
        assert app.screen.focused is app.screen.query_one("#outcome", Select)
    with app.context.database.read_session() as session:
        stored = session.get(RetentionCase, case_id)
        assert stored is not None
        assert (stored.step, stored.outcome) == (RetentionStep.USAGE_REVIEW, None)
