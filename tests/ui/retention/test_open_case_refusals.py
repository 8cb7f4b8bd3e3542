"""Opening a case from an account: refusals come before the form, and keys are only offered to
those who may use them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from acctmgr.models import RetentionCase
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.screens.retention.case import CaseScreen
from acctmgr.screens.retention.open_case import OpenCaseScreen
from tests.ui_support import build_app, footer_keys, settle

SIZE = (80, 24)


def _a_case(app: object) -> tuple[int, int]:
    """(account id, case id) of the office's first open case."""
    with app.context.database.read_session() as session:  # type: ignore[attr-defined]
        case = session.scalars(select(RetentionCase).order_by(RetentionCase.id).limit(1)).one()
        return case.account_id, case.id


async def test_the_ae_is_sent_to_the_open_case_instead_of_a_second_one(
    tmp_path: Path, office: Path
) -> None:
    """n on an account whose contract has an open case names it before any form, and y opens
    it; no second case is stored."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        account_id, case_id = _a_case(app)
        with app.context.database.read_session() as session:
            cases = session.scalar(select(func.count(RetentionCase.id)))
        app.open_account(account_id)
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        assert "New retention case" in footer_keys(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.case_id == case_id
    with app.context.database.read_session() as session:
        assert session.scalar(select(func.count(RetentionCase.id))) == cases


async def test_a_cms_is_not_offered_a_new_case(tmp_path: Path, office: Path) -> None:
    """A CMS on an account has no "New retention case" key, and pressing n opens no form."""
    app = build_app(tmp_path, "cms", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        account_id, _ = _a_case(app)
        app.open_account(account_id)
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        assert "New retention case" not in footer_keys(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        assert not isinstance(app.screen, OpenCaseScreen)


async def test_the_open_case_form_shows_every_field_s_problem_at_once(
    tmp_path: Path, office: Path
) -> None:
    """A reason too long and a reduction that is no number are both shown, in our words, and
    no case is stored."""
    from textual.widgets import Input

    from acctmgr.models import Contract
    from acctmgr.services.retention import opening

    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        with app.context.database.read_session() as session:
            taken = select(RetentionCase.contract_id).where(RetentionCase.contract_id.is_not(None))
            account_id = session.scalars(
                select(Contract.account_id).where(Contract.id.not_in(taken)).limit(1)
            ).one()
            cases = session.scalar(select(func.count(RetentionCase.id)))
        await app.push_screen(OpenCaseScreen(opening.case_terms(app.context, account_id)))
        await settle(app, pilot)
        app.screen.query_one("#reason", Input).value = "x" * 2001
        reduction = app.screen.query_one("#reduction", Input)
        reduction.focus()
        await pilot.press(*"lots")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, OpenCaseScreen)
        shown = {
            name: str(app.screen.query_one(f"#{name}-error").render())
            for name in ("reason", "reduction")
        }
        assert shown == {
            "reason": "Keep this to 2000 characters or fewer.",
            "reduction": "The reduction is a number such as 1200 or 1,200.50.",
        }
    with app.context.database.read_session() as session:
        assert session.scalar(select(func.count(RetentionCase.id))) == cases
