"""Recalling a quote from its approvers: its own key, and a question first."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from acctmgr.models import (
    ApprovalRequest,
    ApprovalRequestStatus,
    RetentionCase,
    RetentionStep,
    User,
)
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.screens.retention.case import CaseScreen
from tests.ui_support import build_app, settle

SIZE = (80, 24)


async def test_recall_asks_first_and_no_keeps_the_request(tmp_path: Path, office: Path) -> None:
    """Ctrl+B on a case waiting for approval asks before recalling: n leaves the request
    pending, y recalls it and brings the case back to the quote step."""
    app = build_app(tmp_path, "cms", office)
    with app.context.database.read_session() as session:
        cms = session.scalars(select(User.id).where(User.login == "cms")).one()
        case_id = session.scalars(
            select(RetentionCase.id)
            .where(
                RetentionCase.assigned_to_id == cms,
                RetentionCase.step == RetentionStep.APPROVAL,
            )
            .order_by(RetentionCase.id)
            .limit(1)
        ).one()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(CaseScreen(case_id))
        await settle(app, pilot)
        await pilot.press("r")  # no longer a key that recalls
        await settle(app, pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("ctrl+b")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, CaseScreen)
        with app.context.database.read_session() as session:
            case = session.get(RetentionCase, case_id)
            assert case is not None
            assert case.step is RetentionStep.APPROVAL
        await pilot.press("ctrl+b")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, CaseScreen)
    with app.context.database.read_session() as session:
        case = session.get(RetentionCase, case_id)
        assert case is not None
        assert case.step is RetentionStep.QUOTE
        statuses = session.scalars(select(ApprovalRequest.status)).all()
        assert ApprovalRequestStatus.RECALLED in statuses
