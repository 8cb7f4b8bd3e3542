"""Anyone turns their approval e-mails off and on again from the command palette."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from acctmgr.app import AcctmgrApp
from acctmgr.models import User
from tests.ui_support import build_app, notifications, run_from_palette, settle, until

SIZE = (80, 24)


def emails_on(app: AcctmgrApp, login: str) -> bool:
    with app.context.database.read_session() as session:
        return session.scalars(select(User.approval_emails).where(User.login == login)).one()


async def test_a_leader_turns_approval_emails_off_and_on(tmp_path: Path, office: Path) -> None:
    app = build_app(tmp_path, "leader", office)
    shown = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_from_palette(app, pilot, "Turn approval e-mails off")
        await until(app, pilot, lambda: not emails_on(app, "leader"), "the e-mails off")
        assert shown[-1].startswith("Approval e-mails are off")
        await run_from_palette(app, pilot, "Turn approval e-mails on")
        await until(app, pilot, lambda: emails_on(app, "leader"), "the e-mails on again")
    assert emails_on(app, "cms")  # nobody else's changed
