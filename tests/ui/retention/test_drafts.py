"""A step's draft, kept while typing, never makes its author's own save a conflict."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input

from acctmgr.models import Draft, RetentionCase, RetentionStep, User
from acctmgr.screens.retention.case import CaseScreen
from acctmgr.screens.retention.form_steps import OpportunityStep
from acctmgr.screens.retention.review_steps import UsageStep
from acctmgr.screens.wizards.step import DRAFT_DELAY
from tests.ui_support import build_app, notifications, settle, until


async def test_typing_pausing_then_saving_the_step_is_no_conflict(
    tmp_path: Path, office: Path
) -> None:
    """cms2 types the usage findings, waits for the draft to be kept, and Ctrl+S moves on."""
    app = build_app(tmp_path, "cms2", office)
    with app.context.database.read_session() as session:
        cms2 = session.scalars(select(User.id).where(User.login == "cms2")).one()
        case_id = session.scalars(
            select(RetentionCase.id).where(
                RetentionCase.assigned_to_id == cms2,
                RetentionCase.step == RetentionStep.USAGE_REVIEW,
            )
        ).first()
    assert case_id is not None
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
