"""Saving a step when someone else saved the case first, and closing at a person's pace."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update
from textual.widgets import Input, Select

from acctmgr.models import Activity, CloseOutcome, RetentionCase, RetentionStep
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.screens.retention.case import CaseScreen
from acctmgr.screens.retention.form_steps import CloseStep, OpportunityStep
from acctmgr.screens.retention.review_steps import UsageStep
from acctmgr.screens.wizards import step as step_screens
from acctmgr.services.retention import closing, opening, views
from acctmgr.services.retention.inputs import CloseIn
from acctmgr.widgets.step_indicator import StepIndicator
from tests.ui.retention.test_drafts import _case_at_usage
from tests.ui_support import build_app, notifications, settle, until, while_waiting

DRAFT_DELAY = 0.1
PAUSE = DRAFT_DELAY * 2.5


@pytest.fixture(autouse=True)
def short_draft_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drafts are kept after a tenth of a second of rest, so a person's pause costs little."""
    monkeypatch.setattr(step_screens, "DRAFT_DELAY", DRAFT_DELAY)


async def test_a_real_conflict_offers_to_reload_the_case_with_what_was_typed(
    tmp_path: Path, office: Path
) -> None:
    """Someone else saves the case while cms2 types: Ctrl+S asks, y reloads the step with the
    typed notes still there, and the next Ctrl+S saves them."""
    app = build_app(tmp_path, "cms2", office)
    case_id = _case_at_usage(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(CaseScreen(case_id))
        await settle(app, pilot)
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, UsageStep), "the usage step")
        first = app.screen
        app.screen.query_one("#notes", Input).focus()
        await pilot.press(*"Page views down a fifth")
        await pilot.pause(PAUSE)
        with app.context.database.write_session() as session, session.begin():
            # As another person's save does: the stored case is a version further on.
            session.execute(
                update(RetentionCase)
                .where(RetentionCase.id == case_id)
                .values(version=RetentionCase.version + 1)
            )
        await pilot.press("ctrl+s")
        # The step's save waits for the answer, so settling (which waits for it) cannot.
        await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, UsageStep) and app.screen is not first,
            "the usage step, loaded again",
        )
        assert app.screen.query_one("#notes", Input).value == "Page views down a fifth"
        await pilot.pause(PAUSE)
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, OpportunityStep), "the next step")
    with app.context.database.read_session() as session:
        case = session.get(RetentionCase, case_id)
        assert case is not None
        assert case.step is RetentionStep.OPPORTUNITY
        notes = session.scalars(
            select(Activity.notes).where(Activity.subject == "Usage and services reviewed")
        ).all()
        assert "Page views down a fifth" in notes


async def test_closing_withdrawn_after_changing_the_outcome_is_no_conflict(
    tmp_path: Path, office: Path
) -> None:
    """cms2 presses x, changes the outcome, rests, types a reason, rests, and Ctrl+S closes the
    case withdrawn, with no word of anyone else's save."""
    app = build_app(tmp_path, "cms2", office)
    case_id = _case_at_usage(app)
    shown = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(CaseScreen(case_id))
        await settle(app, pilot)
        await pilot.press("x")
        await until(app, pilot, lambda: isinstance(app.screen, CloseStep), "the close form")
        app.screen.query_one("#outcome", Select).value = "withdrawn"
        await pilot.pause(PAUSE)
        app.screen.query_one("#reason", Input).focus()
        await pilot.press(*"Customer found the budget")
        await pilot.pause(PAUSE)
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, CaseScreen), "the case again")
    assert not [message for message in shown if "Someone else saved" in message], shown
    with app.context.database.read_session() as session:
        case = session.get(RetentionCase, case_id)
        assert case is not None
        assert (case.step, case.outcome) == (RetentionStep.CLOSED, CloseOutcome.WITHDRAWN)


async def test_taking_a_case_another_cms_took_meanwhile_says_who_has_it(
    tmp_path: Path, office: Path
) -> None:
    """cms has a queue case on screen while cms2 takes it: t reads the case again and says
    it is with cms2, instead of 'someone else saved this case'."""
    app = build_app(tmp_path, "cms", office)
    case_id = _case_at_usage(app)
    with app.context.database.write_session() as session, session.begin():
        # Back in the queue, as a case is when the segment had no CMS free to give it to.
        session.execute(
            update(RetentionCase)
            .where(RetentionCase.id == case_id)
            .values(step=RetentionStep.IN_QUEUE, assigned_to_id=None)
        )
    shown = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(CaseScreen(case_id))
        await settle(app, pilot)
        cms2 = app.context.as_user("cms2")
        taken = opening.take_case(cms2, case_id, views.get_case(cms2, case_id).version)
        await pilot.press("t")
        await settle(app, pilot)
    assert any("no longer in the queue" in message for message in shown), shown
    assert not [message for message in shown if "Someone else saved" in message], shown
    with app.context.database.read_session() as session:
        case = session.get(RetentionCase, case_id)
        assert case is not None
        assert case.assigned_to_id is not None
        assert views.get_case(cms2, case_id).assigned_to == taken.assigned_to


async def test_a_case_closed_withdrawn_part_way_shows_where_it_stopped(
    tmp_path: Path, office: Path
) -> None:
    """Closed withdrawn at the usage step: steps 1-2 done, step 3 stopped, the rest never
    reached, and no 'All steps done'."""
    app = build_app(tmp_path, "cms2", office)
    case_id = _case_at_usage(app)
    cms2 = app.context.as_user("cms2")
    case = views.get_case(cms2, case_id)
    closing.close_case(
        cms2,
        case.id,
        case.version,
        CloseIn(outcome=CloseOutcome.WITHDRAWN, reason="Customer found the budget"),
    )
    closed = views.get_case(cms2, case_id)
    assert [stage.state for stage in closed.stages] == ["done", "done", "stopped"] + ["skipped"] * 8
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(CaseScreen(case_id))
        await until(app, pilot, lambda: isinstance(app.screen, CaseScreen), "the case")
        shown = str(app.screen.query_one(StepIndicator).render())
    assert "Closed withdrawn at step 3 of 11: Usage and services" in shown
    assert "All steps done" not in shown
