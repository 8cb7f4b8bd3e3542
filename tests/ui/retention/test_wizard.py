"""The rate-reduction wizard walked with Pilot by the office's ae, cms and leader."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from textual.widgets import Input

from acctmgr.app import AcctmgrApp
from acctmgr.domain.records import RecordType
from acctmgr.models import (
    Account,
    ApprovalRequest,
    ApprovalRequestStatus,
    AuditEvent,
    CloseOutcome,
    Contract,
    ContractStatus,
    EmailStatus,
    Opportunity,
    OutboxEmail,
    PlaceholderRequest,
    PlaceholderStatus,
    Quote,
    QuoteStatus,
    RetentionCase,
    RetentionStep,
    User,
)
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.approvals.inbox import ApprovalScreen
from acctmgr.screens.retention.case import CaseScreen
from acctmgr.screens.retention.form_steps import (
    CloseStep,
    GoalsStep,
    OpportunityStep,
    PlaceholderStep,
)
from acctmgr.screens.retention.open_case import OpenCaseScreen
from acctmgr.screens.retention.quote_step import QuoteStep
from acctmgr.screens.retention.review_steps import ReviewStep, SignatureStep, UsageStep
from acctmgr.screens.wizards import step as step_screens
from tests.ui_support import build_app, settle, until

SIZE = (80, 24)
# A person pauses between fields and before saving for longer than the drafts wait for; the
# draft delay is shortened (and the pause with it) so the walk costs seconds, not a minute.
DRAFT_DELAY = 0.1
PAUSE = DRAFT_DELAY * 2.5


@pytest.fixture(autouse=True)
def person_paced(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every app of the test notes its notifications; none may say someone else saved."""
    monkeypatch.setattr(step_screens, "DRAFT_DELAY", DRAFT_DELAY)
    shown: list[str] = []
    monkeypatch.setattr(AcctmgrApp, "notify", _noting(AcctmgrApp.notify, shown))
    yield shown
    assert not [message for message in shown if "Someone else saved" in message], shown


def _noting(notify: Any, shown: list[str]) -> Any:
    def noting(app: AcctmgrApp, message: str, **options: Any) -> None:
        shown.append(message)
        notify(app, message, **options)

    return noting


async def type_into(app: AcctmgrApp, pilot: Any, selector: str, text: str) -> None:
    """Focus a field, clear it and type, then rest for longer than the draft delay."""
    field = app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await pilot.pause(PAUSE)


async def step(app: AcctmgrApp, pilot: Any, screen: type, *keys: str) -> None:
    """Assert the step on screen, rest, press its keys, and wait for the next screen."""
    await settle(app, pilot)
    done = app.screen
    assert isinstance(done, screen), type(done)
    await pilot.pause(PAUSE)
    await pilot.press(*keys)
    # The wizard's worker waits for the user, so settling cannot wait for it: wait for its
    # next screen instead, however long the machine takes.
    await until(app, pilot, lambda: app.screen is not done, f"the step after {screen.__name__}")
    await settle(app, pilot)


def an_account_of_ae(app: AcctmgrApp) -> int:
    """One of ae's Mid-market accounts with a contract in force and no case yet."""
    with app.context.database.read_session() as session:
        ae = session.scalars(select(User).where(User.login == "ae")).one()
        cased = select(RetentionCase.account_id)
        found = session.scalars(
            select(Account.id)
            .join(Contract, Contract.account_id == Account.id)
            .where(
                Account.owner_id == ae.id,
                Contract.status == ContractStatus.ACTIVE,
                Account.id.not_in(cased),
            )
            .order_by(Contract.ends_on.desc())
            .limit(1)
        ).one()
        return int(found)


async def as_cms_to_review(app: AcctmgrApp, pilot: Any, case_id: int, discount: str) -> None:
    """The CMS opens the case at the quote step, sets a discount, and submits it for approval."""
    await app.push_screen(CaseScreen(case_id))
    await step(app, pilot, CaseScreen, "enter")
    assert isinstance(app.screen, QuoteStep)
    first = app.screen.quote.lines[0].id
    await type_into(app, pilot, f"#disc_{first}", discount)
    await step(app, pilot, QuoteStep, "ctrl+s")
    await step(app, pilot, ReviewStep, "ctrl+s")
    assert isinstance(app.screen, CaseScreen)


async def test_the_rate_reduction_wizard_from_request_to_signed_contract(
    tmp_path: Path, office: Path
) -> None:
    """ae opens, cms works every step, leader rejects once then approves, cms closes it won."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        account_id = an_account_of_ae(app)
        await app.push_screen(AccountScreen(account_id))
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, OpenCaseScreen)
        await type_into(app, pilot, "#reason", "Budget cut")
        await type_into(app, pilot, "#reduction", "150%")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = app.screen.query_one("#reduction-error")
        assert "at most 100%" in str(error.render())
        await type_into(app, pilot, "#reduction", "10%")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Confirm that you told the customer" in str(
            app.screen.query_one("#customer_informed-error").render()
        )
        app.screen.query_one("#customer_informed").focus()
        await pilot.press("space", "ctrl+s")
        await settle(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, CaseScreen)
        case_id = app.screen.case_id
        holder = app.screen.case.assigned_to if app.screen.case else None
    with app.context.database.read_session() as session:
        case = session.get(RetentionCase, case_id)
        assert case is not None
        cms_login = session.scalars(select(User.login).where(User.id == case.assigned_to_id)).one()
    assert holder is not None
    # Round-robin between the segment's two CMSs: cms2 was assigned the office's latest case.
    assert cms_login == "cms"

    app = build_app(tmp_path, cms_login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(CaseScreen(case_id))
        await step(app, pilot, CaseScreen, "enter")
        await type_into(app, pilot, "#notes", "Page views down a fifth")
        await step(app, pilot, UsageStep, "ctrl+s")
        await step(app, pilot, OpportunityStep, "ctrl+s")
        await type_into(app, pilot, "#estimate", "1.200,5x")  # a format error, then its fix
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, PlaceholderStep)
        await type_into(app, pilot, "#estimate", "1200.50")
        await step(app, pilot, PlaceholderStep, "ctrl+s")
        assert isinstance(app.screen, GoalsStep)
        await pilot.press("ctrl+s")  # no contact logged yet: refused
        await settle(app, pilot)
        assert isinstance(app.screen, GoalsStep)
        await type_into(app, pilot, "#outcome", "Wants 10% off")
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        await type_into(app, pilot, "#ae_task", "Join Thursday's call")
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        await pilot.pause(PAUSE)
        await pilot.press("ctrl+k")
        await settle(app, pilot)
        await type_into(app, pilot, "#goals", "Same products, 10% cheaper")
        await step(app, pilot, GoalsStep, "ctrl+s")
        assert isinstance(app.screen, QuoteStep)
        await pilot.press("escape")  # leave: the quote step is where the case resumes
        await settle(app, pilot)
    app = build_app(tmp_path, cms_login)  # a new session resumes at the quote step
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await as_cms_to_review(app, pilot, case_id, "40")

    leader = build_app(tmp_path, "leader")
    async with leader.run_test(size=SIZE) as pilot:
        await settle(leader, pilot)
        quote_id = _quote_id(leader, case_id)
        await leader.push_screen(ApprovalScreen(None, record=(RecordType.QUOTE, quote_id)))
        await settle(leader, pilot)
        await pilot.press("ctrl+r")  # no comment: refused beside the field
        await settle(leader, pilot)
        assert "Say why" in str(leader.screen.query_one("#comment-error").render())
        await type_into(leader, pilot, "#comment", "Too deep, keep it near 10%")
        await pilot.press("ctrl+r")
        await settle(leader, pilot)
        assert not isinstance(leader.screen, ApprovalScreen)

    app = build_app(tmp_path, cms_login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(CaseScreen(case_id))
        await settle(app, pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.case is not None
        assert app.screen.case.rejection_comment == "Too deep, keep it near 10%"
        await pilot.press("escape")
        await settle(app, pilot)
        await as_cms_to_review(app, pilot, case_id, "12.5")

    leader = build_app(tmp_path, "leader")
    async with leader.run_test(size=SIZE) as pilot:
        await settle(leader, pilot)
        await leader.push_screen(
            ApprovalScreen(None, record=(RecordType.QUOTE, _quote_id(leader, case_id)))
        )
        await settle(leader, pilot)
        await pilot.press("ctrl+a")
        await settle(leader, pilot)
        assert not isinstance(leader.screen, ApprovalScreen)

    app = build_app(tmp_path, cms_login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(CaseScreen(case_id))
        await step(app, pilot, CaseScreen, "enter")
        await step(app, pilot, SignatureStep, "ctrl+s")  # send for signature
        await type_into(app, pilot, "#signer_title", "CFO")
        await step(app, pilot, SignatureStep, "ctrl+s")  # record the signature
        await step(app, pilot, CloseStep, "ctrl+s")  # won
        assert isinstance(app.screen, CaseScreen)

    with app.context.database.read_session() as session:
        case = session.get(RetentionCase, case_id)
        assert case is not None
        assert (case.step, case.outcome) == (RetentionStep.CLOSED, CloseOutcome.WON)
        opportunity = session.scalars(
            select(Opportunity).where(Opportunity.retention_case_id == case_id)
        ).one()
        assert opportunity.outcome is CloseOutcome.WON
        quote_total = session.scalars(
            select(Quote.net_total_minor).where(Quote.opportunity_id == opportunity.id)
        ).one()
        assert opportunity.amount_minor == quote_total  # won at what was signed
        placeholder = session.scalars(
            select(PlaceholderRequest).where(PlaceholderRequest.opportunity_id == opportunity.id)
        ).one()
        quote = session.scalars(select(Quote).where(Quote.opportunity_id == opportunity.id)).one()
        assert quote.status is QuoteStatus.APPROVED
        assert placeholder.status is PlaceholderStatus.CONFIRMED
        assert placeholder.estimated_reduction_minor == 1200_50  # as fixed after the error
        old = session.get(Contract, case.contract_id)
        assert old is not None
        assert placeholder.confirmed_reduction_minor is not None
        assert placeholder.confirmed_reduction_minor > 0
        requests = session.scalars(
            select(ApprovalRequest.status)
            .where(ApprovalRequest.record_type == "quote", ApprovalRequest.record_id == quote.id)
            .order_by(ApprovalRequest.id)
        ).all()
        assert requests == [ApprovalRequestStatus.REJECTED, ApprovalRequestStatus.APPROVED]
        new = session.scalars(select(Contract).where(Contract.quote_id == quote.id)).one()
        assert new.status in (ContractStatus.SIGNED, ContractStatus.ACTIVE)
        assert new.supersedes_id == old.id
        assert new.annual_value_minor == quote.net_total_minor
        assert new.signer_title == "CFO"
        email = session.scalars(
            select(OutboxEmail).where(
                OutboxEmail.record_type == RecordType.CONTRACT, OutboxEmail.record_id == new.id
            )
        ).one()
        assert email.status is EmailStatus.QUEUED
        decisions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == RecordType.RETENTION_CASE, AuditEvent.entity_id == case_id
            )
        ).all()
        assert {"retention.open:step_open", "retention.close:closed_won"} <= set(decisions)


def _quote_id(app: AcctmgrApp, case_id: int) -> int:
    with app.context.database.read_session() as session:
        quote_id = session.scalar(
            select(Quote.id)
            .join(Opportunity, Opportunity.id == Quote.opportunity_id)
            .where(Opportunity.retention_case_id == case_id)
        )
    assert quote_id is not None
    return int(quote_id)
