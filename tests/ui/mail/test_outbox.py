"""The outbox screen walked with Pilot: an admin sees why an e-mail failed and queues it again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, update

from acctmgr.app import AcctmgrApp
from acctmgr.models import EmailStatus, OutboxEmail
from acctmgr.screens.mail.outbox import EmailScreen, OutboxScreen
from acctmgr.widgets.record_table import RecordTable
from tests.conftest import NOW
from tests.mail_support import queue
from tests.ui_support import build_app, footer_keys, notifications, run_from_palette, settle

SIZE = (80, 24)
REFUSED = "The SMTP server at mail.example.com:25 refused the connection."


def _fill_outbox(app: AcctmgrApp) -> tuple[int, int]:
    """An outbox of a queued e-mail, and a newer one that failed for good (the office's
    approval e-mails taken out); returns (queued, failed)."""
    context = app.context
    waiting = queue(context, ["buyer@example.com"], "Your renewal")
    failed = queue(context, ["[bold]cfo@example.com"], "Your quote [red]Q-1", pdf=True)
    with context.database.write_session() as session:
        session.execute(delete(OutboxEmail).where(OutboxEmail.id.not_in([waiting, failed])))
        session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == waiting)
            .values(attempts=1, next_attempt_at=NOW + timedelta(minutes=1), last_error="")
        )
        session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == failed)
            .values(
                status=EmailStatus.FAILED,
                attempts=6,
                last_error=REFUSED,
                created_at=NOW + timedelta(seconds=1),
                version=OutboxEmail.version + 1,
            )
        )
        session.commit()
    return waiting, failed


def _stored(app: AcctmgrApp, email_id: int) -> OutboxEmail:
    with app.context.database.read_session() as session:
        row = session.get(OutboxEmail, email_id)
        assert row is not None
        return row


async def test_an_admin_sees_why_an_email_failed_and_retries_it(
    tmp_path: Path, office: Path
) -> None:
    """An Admin sees why an e-mail failed, reads it and queues it again; once only."""
    app = build_app(tmp_path, "admin", office)
    shown = notifications(app)
    waiting, failed = _fill_outbox(app)
    async with app.run_test(size=SIZE) as pilot:
        await run_from_palette(app, pilot, "Open the outbox")
        assert isinstance(app.screen, OutboxScreen)
        assert {"Send again (a failed one)", "Filter by status", "Open"} <= footer_keys(app)
        table = app.screen.query_one(RecordTable)
        assert table.keys == [str(failed), str(waiting)]  # newest first
        # Customer text is shown as letters, not markup.
        assert table.texts(1) == ["[bold]cfo@example.com", "buyer@example.com"]
        assert table.texts(0) == ["failed", "queued"]
        assert str(app.screen.query_one("#outbox-error").render()) == REFUSED

        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, EmailScreen)
        headers = str(app.screen.query_one("#email-headers").render())
        assert "Your quote [red]Q-1" in headers
        assert "Q-000001.pdf (application/pdf" in headers
        assert REFUSED in headers
        assert "Please find your quote attached." in str(
            app.screen.query_one("#email-body").render()
        )
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, OutboxScreen)

        await pilot.press("f7")
        await settle(app, pilot)
        assert app.screen.query_one(RecordTable).texts(0) == ["queued", "queued"]
        # Retrying a message that did not fail is refused with a sentence.
        await pilot.press("f7")
        await settle(app, pilot)
        assert any("Only a failed e-mail can be retried" in message for message in shown)

    row = _stored(app, failed)
    assert (row.status, row.attempts, row.next_attempt_at) == (EmailStatus.QUEUED, 0, NOW)


async def test_the_filter_shows_only_failed_emails(tmp_path: Path, office: Path) -> None:
    """The status filter, pressed round to failed, shows only the failed e-mails."""
    app = build_app(tmp_path, "admin", office)
    _, failed = _fill_outbox(app)
    async with app.run_test(size=SIZE) as pilot:
        await run_from_palette(app, pilot, "Open the outbox")
        for _ in range(4):  # all, queued, sending, sent, failed
            await pilot.press("f")
            await settle(app, pilot)
        assert app.screen.query_one(RecordTable).keys == [str(failed)]
        assert "failed e-mails" in str(app.screen.query_one("#outbox-summary").render())


async def test_a_non_admin_is_told_the_outbox_is_for_admins(tmp_path: Path, office: Path) -> None:
    """A non-admin sees an empty outbox and is told it is for Admins."""
    app = build_app(tmp_path, "ae", office)
    shown = notifications(app)
    _fill_outbox(app)
    async with app.run_test(size=SIZE) as pilot:
        await run_from_palette(app, pilot, "Open the outbox")
        assert app.screen.query_one(RecordTable).keys == []
        assert "Only an Admin can see the outbox." in shown
