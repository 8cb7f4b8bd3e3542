"""Smart approvals walked with Pilot: the leader approves, Finance rejects, the CMS edits the
discount and reads that the leader's approval carries over, resubmits, and Finance approves."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import Static

from acctmgr.app import AcctmgrApp
from acctmgr.domain.records import RecordType
from acctmgr.models import (
    Approval,
    ApprovalRequest,
    ApprovalRequestStatus,
    ApprovalRule,
    ApprovalStatus,
    RetentionCase,
    User,
)
from acctmgr.screens.approvals.inbox import ApprovalScreen
from acctmgr.screens.retention.case import CaseScreen
from acctmgr.screens.retention.quote_step import QuoteStep
from acctmgr.screens.retention.review_steps import ReviewStep
from acctmgr.screens.wizards import step as step_screens
from acctmgr.services.kernel.context import Context
from acctmgr.widgets.quote_editor import PREVIEW_DELAY
from tests import retention_support
from tests.services.approvals.test_smart_approvals import (
    FINANCE_OVER_30,
    LEADER_OVER_20,
    leader_rule_reads_the_kind,
)
from tests.services.approvals.test_smart_approvals import smart_rules as service_smart_rules
from tests.ui.retention.test_wizard import DRAFT_DELAY, step, type_into
from tests.ui_support import build_app, settle

SIZE = (100, 40)


@pytest.fixture(autouse=True)
def person_paced(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wizard's drafts wait as briefly as tests/ui/retention/test_wizard.py has them."""
    monkeypatch.setattr(step_screens, "DRAFT_DELAY", DRAFT_DELAY)


def smart_rules(admin: Context) -> None:
    """The service test's smart rules, the leader's reading the opportunity's kind."""
    service_smart_rules(admin)
    leader_rule_reads_the_kind(admin)


def first_round_submitted(app: AcctmgrApp) -> tuple[int, int]:
    """Through the use cases: a Mid-market customer's case at 35% off the add-on, submitted.
    Returns the case's and the quote's ids."""
    admin = app.context.as_user("admin")
    smart_rules(admin)
    acme = retention_support.customer(admin, "MID", contract_number="CT-9900001")
    case = retention_support.open_case(admin, acme)
    with admin.database.read_session() as session:
        holder = session.scalars(
            select(User.login)
            .join(RetentionCase, RetentionCase.assigned_to_id == User.id)
            .where(RetentionCase.id == case.id)
        ).one()
    assert holder == "cms"  # the office's latest case went to cms2: this one is cms's
    case = retention_support.work_to_quote(admin, case, acme)
    retention_support.reduce_addon(admin, case, "35")
    case = retention_support.submit(admin, case.id)
    assert case.quote_id is not None
    return case.id, case.quote_id


def approvals_of(app: AcctmgrApp, quote_id: int) -> list[list[Approval]]:
    """Each approval request of the quote, oldest first, with its approvals by tier."""
    with app.context.database.read_session() as session:
        requests = session.scalars(
            select(ApprovalRequest.id)
            .where(
                ApprovalRequest.record_type == RecordType.QUOTE,
                ApprovalRequest.record_id == quote_id,
            )
            .order_by(ApprovalRequest.id)
        ).all()
        return [
            list(
                session.scalars(
                    select(Approval).where(Approval.request_id == request).order_by(Approval.tier)
                )
            )
            for request in requests
        ]


async def decide(tmp_path: Path, login: str, quote_id: int, key: str, comment: str = "") -> None:
    """``login`` opens the quote's approval and decides it with ``key``."""
    app = build_app(tmp_path, login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(ApprovalScreen(None, record=(RecordType.QUOTE, quote_id)))
        await settle(app, pilot)
        if comment:
            await type_into(app, pilot, "#comment", comment)
        await pilot.press(key)
        await settle(app, pilot)
        assert not isinstance(app.screen, ApprovalScreen), type(app.screen)


def words(widget: Static) -> str:
    return " ".join(str(widget.render()).split())


async def test_a_rejected_quote_carries_the_leaders_approval_over_on_screen(
    tmp_path: Path, office: Path
) -> None:
    """Finance rejects 35%; cms types 32% and both the quote step and the review say the
    leader's approval carries over; the resubmission records it so and Finance approves."""
    app = build_app(tmp_path, "cms", office)
    case_id, quote_id = first_round_submitted(app)

    await decide(tmp_path, "leader", quote_id, "ctrl+a")
    await decide(tmp_path, "finance", quote_id, "ctrl+r", "Too deep for Finance")
    [first] = approvals_of(app, quote_id)
    given = first[0]
    assert (given.tier, given.status) == (1, ApprovalStatus.APPROVED)
    assert given.decided_at is not None
    sentence = (
        f"carried over: Lee Leader approved this opportunity kind of rate reduction on "
        f"{given.decided_at:%-d %b} and it is unchanged"
    )

    app = build_app(tmp_path, "cms")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(CaseScreen(case_id))
        await step(app, pilot, CaseScreen, "enter")
        assert isinstance(app.screen, QuoteStep)
        assert "Too deep for Finance" in words(app.screen.query_one("#step-intro", Static))
        addon = app.screen.quote.lines[1].id
        await type_into(app, pilot, f"#disc_{addon}", "32")
        await pilot.pause(PREVIEW_DELAY + 0.2)
        await settle(app, pilot)
        shown = words(app.screen.query_one(".quote-totals", Static))
        assert f"tier 1 · {LEADER_OVER_20}: given already {sentence}" in shown, shown
        assert f"tier 2 · {FINANCE_OVER_30}: Fin Ance, within 48 h" in shown, shown
        await step(app, pilot, QuoteStep, "ctrl+s")
        assert isinstance(app.screen, ReviewStep)
        review = words(app.screen.query_one("#step-intro", Static))
        assert f"tier 1 · {LEADER_OVER_20}: given already {sentence}" in review, review
        await step(app, pilot, ReviewStep, "ctrl+s")
        assert isinstance(app.screen, CaseScreen)

    await decide(tmp_path, "finance", quote_id, "ctrl+a")

    first, again = approvals_of(app, quote_id)
    assert [a.status for a in first] == [ApprovalStatus.APPROVED, ApprovalStatus.REJECTED]
    assert [a.status for a in again] == [ApprovalStatus.CARRIED_OVER, ApprovalStatus.APPROVED]
    carried = again[0]
    assert (carried.carried_from_id, carried.decided_by_id) == (given.id, carried.approver_id)
    with app.context.database.read_session() as session:
        rule = session.get(ApprovalRule, carried.rule_id)
        assert rule is not None
        assert rule.name == LEADER_OVER_20
        statuses = session.scalars(
            select(ApprovalRequest.status)
            .where(
                ApprovalRequest.record_type == RecordType.QUOTE,
                ApprovalRequest.record_id == quote_id,
            )
            .order_by(ApprovalRequest.id)
        ).all()
    assert statuses == [ApprovalRequestStatus.REJECTED, ApprovalRequestStatus.APPROVED]
