"""The steps of a case as their holder types: drafts kept, and refusals beside their field."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input, Label

from acctmgr.app import AcctmgrApp
from acctmgr.models import Draft, RetentionCase, RetentionStep, User
from acctmgr.screens.retention.case import CaseScreen
from acctmgr.screens.retention.form_steps import GoalsStep, OpportunityStep
from acctmgr.screens.retention.review_steps import UsageStep
from acctmgr.screens.wizards.step import DRAFT_DELAY
from acctmgr.services.retention import sales_steps, usage, views
from acctmgr.services.retention.inputs import OpportunityIn, PlaceholderIn, UsageReviewIn
from tests.ui_support import build_app, notifications, settle, until


async def test_typing_pausing_then_saving_the_step_is_no_conflict(
    tmp_path: Path, office: Path
) -> None:
    """cms2 types the usage findings, waits for the draft to be kept, and Ctrl+S moves on."""
    app = build_app(tmp_path, "cms2", office)
    case_id = _case_at_usage(app)
    shown = notifications(app)
    async with app.run_test(size=(100, 32)) as pilot:
        await app.push_screen(CaseScreen(case_id))
        await settle(app, pilot)
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, UsageStep), "the usage step")
        app.screen.query_one("#notes", Input).focus()
        await pilot.press(*"Page views down a fifth")
        await pilot.pause(DRAFT_DELAY * 2)  # the draft is kept while the user rests
        await settle(app, pilot)
        with app.context.database.read_session() as session:
            kept = session.scalars(select(Draft)).all()
            assert [draft.fields for draft in kept] == [{"notes": "Page views down a fifth"}]
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, OpportunityStep), "the next step")
    assert not [message for message in shown if "Someone else saved" in message], shown
    with app.context.database.read_session() as session:
        case = session.get(RetentionCase, case_id)
        assert case is not None
        assert case.step is RetentionStep.OPPORTUNITY
        assert session.scalars(select(Draft)).all() == []


async def test_a_contact_outcome_too_long_is_a_sentence_beside_its_field(
    tmp_path: Path, office: Path
) -> None:
    """At the goals step, Ctrl+L with a 201-character outcome is refused beside the field; the
    app goes on and nothing is logged."""
    app = build_app(tmp_path, "cms2", office)
    case_id = _case_at_usage(app)
    cms2 = app.context.as_user("cms2")
    case = views.get_case(cms2, case_id)
    case = usage.complete_usage_review(cms2, case.id, case.version, UsageReviewIn(notes="Fell"))
    case = sales_steps.create_opportunity(
        cms2,
        case.id,
        case.version,
        OpportunityIn(name="Reduction", expected_close_on=case.notice_deadline),
    )
    sales_steps.submit_placeholder(
        cms2, case.id, case.version, PlaceholderIn(estimated_reduction_minor=100_00)
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await app.push_screen(CaseScreen(case_id))
        await settle(app, pilot)
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, GoalsStep), "the goals step")
        app.screen.query_one("#outcome", Input).value = "x" * 201
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert isinstance(app.screen, GoalsStep)
        error = app.screen.query_one("#outcome-error", Label)
        assert "200" in str(error.render()), error.render()
    assert views.get_case(cms2, case_id).attempts == []


def _case_at_usage(app: AcctmgrApp) -> int:
    """One of cms2's cases, at the usage review."""
    with app.context.database.read_session() as session:
        cms2 = session.scalars(select(User.id).where(User.login == "cms2")).one()
        found = session.scalars(
            select(RetentionCase.id).where(
                RetentionCase.assigned_to_id == cms2,
                RetentionCase.step == RetentionStep.USAGE_REVIEW,
            )
        ).first()
    assert found is not None
    return found
