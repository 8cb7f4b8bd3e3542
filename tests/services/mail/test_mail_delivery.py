"""Delivering the outbox through a real SMTP server: once, with retries, and nothing lost."""

from __future__ import annotations

import smtplib
import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from acctmgr.clock import AdjustableClock
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import EmailStatus, OutboxEmail
from acctmgr.services.kernel.context import Context
from acctmgr.services.mail import delivery as mail_delivery
from acctmgr.services.mail import outbox as outbox_service
from acctmgr.services.mail import smtp
from acctmgr.services.mail.delivery import RETRY_DELAYS, deliver_due
from tests.cli_support import run_acctmgr
from tests.conftest import COMPANY, NOW
from tests.mail_support import PDF, Mailbox, free_port, mailbox, queue, queue_many, smtp_settings
from tests.worker_support import race_two_workers

__all__ = ["mailbox"]  # the fixture, imported so pytest finds it


def stored(context: Context, email_id: int) -> OutboxEmail:
    with context.database.read_session() as session:
        row = session.get(OutboxEmail, email_id)
        assert row is not None
        row.attachments  # loaded while the session is open  # noqa: B018
        return row


def due_by_the_wall_clock(context: Context, email_id: int) -> None:
    """The worker in a subprocess runs on the wall clock, not the tests' clock."""
    with context.database.write_session() as session:
        session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id)
            .values(next_attempt_at=datetime(2000, 1, 1, tzinfo=UTC))
        )
        session.commit()


def test_a_queued_email_arrives_with_its_message_id_and_pdf(
    admin: Context, mailbox: tuple[Mailbox, int]
) -> None:
    """A queued e-mail is sent once, with its Message-ID, recipients, text and PDF."""
    server, port = mailbox
    email_id = queue(admin, ["buyer@example.com", "cfo@example.com"], html="<p>Hi</p>", pdf=True)

    report = deliver_due(admin, smtp_settings(port), worker="w1")

    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    row = stored(admin, email_id)
    assert row.status is EmailStatus.SENT
    assert row.sent_at == NOW
    assert (row.claimed_by, row.claimed_until, row.last_error) == (None, None, "")
    [envelope] = server.received
    assert sorted(envelope.rcpt_tos) == ["buyer@example.com", "cfo@example.com"]
    assert envelope.mail_from == "acctmgr@example.com"
    [message] = server.messages()
    assert message["Subject"] == "Your quote Q-000001"
    assert message["Message-ID"] == row.message_id
    assert parsedate_to_datetime(message["Date"]).timestamp() == pytest.approx(
        row.created_at.replace(tzinfo=row.created_at.tzinfo or UTC).timestamp()
    )  # dated when it was queued, so a resend carries the same Date
    assert message["To"] == "buyer@example.com, cfo@example.com"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().strip() == "Please find your quote attached."
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert html.get_content().strip() == "<p>Hi</p>"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "Q-000001.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF

    again = deliver_due(admin, smtp_settings(port), worker="w1")
    assert again.sent == 0
    assert len(server.received) == 1


def test_two_workers_send_each_message_exactly_once(
    admin: Context, database_url: str, mailbox: tuple[Mailbox, int]
) -> None:
    """Two workers, each with its own connections, racing over one outbox."""
    server, port = mailbox
    ids = queue_many(admin, 30)
    race_two_workers(
        database_url,
        admin.clock,
        lambda context, name: deliver_due(context, smtp_settings(port), worker=name, limit=4),
        lambda session: session.scalar(
            select(func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.status != EmailStatus.SENT)
        ),
    )
    arrived = Counter(message["Message-ID"] for message in server.messages())
    with admin.database.read_session() as session:
        rows = session.execute(select(OutboxEmail.message_id, OutboxEmail.status)).all()
    assert len(rows) == len(ids) == 30
    assert {row.status for row in rows} == {EmailStatus.SENT}
    assert arrived == Counter({row.message_id: 1 for row in rows})


def test_a_crash_after_sending_resends_with_the_same_message_id(
    admin: Context,
    clock: AdjustableClock,
    mailbox: tuple[Mailbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker dies after the server took the message but before it was marked sent."""
    server, port = mailbox
    email_id = queue(admin, ["buyer@example.com"])

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the worker died")

    with monkeypatch.context() as patch:
        patch.setattr(mail_delivery, "_mark_sent", crash)
        with pytest.raises(RuntimeError):
            deliver_due(admin, smtp_settings(port), worker="dead:1")
    row = stored(admin, email_id)
    assert (row.status, row.claimed_by) == (EmailStatus.SENDING, "dead:1")

    # While the claim holds, nobody else sends it.
    assert deliver_due(admin, smtp_settings(port), worker="other:2").sent == 0
    clock.advance(mail_delivery.LEASE + timedelta(seconds=1))
    assert deliver_due(admin, smtp_settings(port), worker="other:2").sent == 1

    first, second = server.messages()
    assert first["Message-ID"] == second["Message-ID"] == row.message_id
    row = stored(admin, email_id)
    assert (row.status, row.claimed_by, row.attempts) == (EmailStatus.SENT, None, 0)

    # At most one resend per crash: later passes, however late, send it no more.
    clock.advance(mail_delivery.LEASE * 3)
    assert deliver_due(admin, smtp_settings(port), worker="third:3").sent == 0
    assert len(server.messages()) == 2


def test_a_message_is_marked_sent_before_the_smtp_connection_closes(
    admin: Context, mailbox: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window in which a crash means a resend is as short as it can be: the message is
    marked sent as soon as the server accepts it, before the goodbye to the server."""
    _server, port = mailbox
    email_id = queue(admin, ["buyer@example.com"])
    at_goodbye: list[EmailStatus] = []
    hang_up = smtp._hang_up

    def goodbye(connection: smtplib.SMTP) -> None:
        at_goodbye.append(stored(admin, email_id).status)
        hang_up(connection)

    monkeypatch.setattr(smtp, "_hang_up", goodbye)
    assert deliver_due(admin, smtp_settings(port), worker="w:1").sent == 1
    assert at_goodbye == [EmailStatus.SENT]


def test_a_worker_whose_claim_was_taken_over_does_not_overwrite_the_new_holder(
    admin: Context, clock: AdjustableClock, mailbox: tuple[Mailbox, int]
) -> None:
    """A worker whose claim was taken over cannot undo the new holder's send."""
    _, port = mailbox
    email_id = queue(admin, ["buyer@example.com"])
    with admin.database.write_session() as session:
        session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id)
            .values(status=EmailStatus.SENDING, claimed_by="slow:1", claimed_until=NOW)
        )
        session.commit()
    clock.advance(timedelta(seconds=1))
    assert deliver_due(admin, smtp_settings(port), worker="fast:2").sent == 1
    # The slow worker wakes up and reports a failure: the sent message stays sent.
    assert mail_delivery._record_failure(admin, email_id, "slow:1", "It timed out.") is False
    assert stored(admin, email_id).status is EmailStatus.SENT


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A socket that accepts connections and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.mark.parametrize("failure", ["recipient", "data", "closed", "silent"])
def test_a_failure_keeps_the_message_and_retries_it_then_gives_up(
    failure: str,
    admin: Context,
    clock: AdjustableClock,
    mailbox: tuple[Mailbox, int],
    silent_server: int,
) -> None:
    """A failed send keeps the message, retries it on schedule, then marks it failed."""
    server, port = mailbox
    if failure == "recipient":
        server.refuse_recipients.add("nobody@example.com")
        expected = "The SMTP server refused the recipient nobody@example.com: 550 No such user."
    elif failure == "data":
        server.refuse_data = True
        expected = f"The SMTP server at 127.0.0.1:{port} refused the message: 550 No such user."
    elif failure == "closed":
        port = free_port()
        expected = f"The SMTP server at 127.0.0.1:{port} refused the connection."
    else:
        port = silent_server
        expected = f"The SMTP server at 127.0.0.1:{port} did not answer within 0.5 seconds."
    settings = replace(smtp_settings(port), smtp_timeout_seconds=0.5)
    email_id = queue(admin, ["nobody@example.com"], pdf=True)
    message_id = stored(admin, email_id).message_id

    report = deliver_due(admin, settings, worker="w1")

    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    row = stored(admin, email_id)
    assert row.last_error == expected
    assert (row.status, row.attempts) == (EmailStatus.QUEUED, 1)
    assert row.next_attempt_at == NOW + timedelta(minutes=1)
    assert (row.claimed_by, row.claimed_until, row.sent_at) == (None, None, None)
    assert row.message_id == message_id
    assert len(row.attachments) == 1
    assert server.received == []
    # Not due yet: left alone.
    assert deliver_due(admin, settings, worker="w1").retried == 0

    for attempt, delay in enumerate(RETRY_DELAYS[1:], start=2):
        clock.set(row.next_attempt_at)
        assert deliver_due(admin, settings, worker="w1").retried == 1
        row = stored(admin, email_id)
        assert (row.status, row.attempts) == (EmailStatus.QUEUED, attempt)
        assert row.next_attempt_at == clock.now() + delay

    clock.set(row.next_attempt_at)
    report = deliver_due(admin, settings, worker="w1")
    assert (report.retried, report.failed) == (0, 1)
    row = stored(admin, email_id)
    assert (row.status, row.attempts, row.last_error) == (EmailStatus.FAILED, 6, expected)
    assert row.message_id == message_id
    assert len(row.attachments) == 1
    clock.advance(timedelta(days=30))
    assert deliver_due(admin, settings, worker="w1") == mail_delivery.DeliveryReport(
        sent=0, retried=0, failed=0
    )


def test_a_message_some_recipients_refused_is_sent_to_the_others_and_says_so(
    admin: Context, mailbox: tuple[Mailbox, int]
) -> None:
    """A message some recipients refused goes to the others and says who did not get it."""
    server, port = mailbox
    server.refuse_recipients.add("gone@example.com")
    email_id = queue(admin, ["buyer@example.com", "gone@example.com"])

    assert deliver_due(admin, smtp_settings(port), worker="w1").sent == 1

    assert server.received[0].rcpt_tos == ["buyer@example.com"]
    row = stored(admin, email_id)
    assert row.status is EmailStatus.SENT
    assert row.last_error == (
        "The SMTP server refused the recipient gone@example.com: 550 No such user; "
        "the others received it."
    )


def fail_for_good(admin: Context, email_id: int) -> None:
    with admin.database.write_session() as session:
        session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id)
            .values(
                status=EmailStatus.FAILED,
                attempts=6,
                last_error="The SMTP server refused the connection.",
                version=OutboxEmail.version + 1,
            )
        )
        session.commit()


def test_an_admin_retries_a_failed_message_and_it_is_sent(
    admin: Context, clock: AdjustableClock, mailbox: tuple[Mailbox, int]
) -> None:
    """An Admin retries a failed message (version-checked, failed only) and it is sent."""
    server, port = mailbox
    email_id = queue(admin, ["buyer@example.com"])
    fail_for_good(admin, email_id)
    clock.advance(timedelta(hours=1))
    failed = stored(admin, email_id)

    with pytest.raises(PermissionDenied, match="Only an Admin can retry e-mails"):
        outbox_service.retry_email(admin.as_user("ae"), email_id, failed.version)
    with pytest.raises(Conflict):
        outbox_service.retry_email(admin, email_id, failed.version - 1)
    row = outbox_service.retry_email(admin, email_id, failed.version)

    assert (row.status, row.attempts, row.next_attempt_at) == (
        EmailStatus.QUEUED,
        0,
        clock.now(),
    )
    with pytest.raises(InvalidInput, match="Only a failed e-mail can be retried"):
        outbox_service.retry_email(admin, email_id, row.version)
    assert deliver_due(admin, smtp_settings(port), worker="w1").sent == 1
    assert server.messages()[0]["Message-ID"] == failed.message_id


def test_the_outbox_lists_newest_first_in_pages_for_admins_only(
    admin: Context, clock: AdjustableClock
) -> None:
    """The outbox lists newest first, in pages and by status, to Admins only."""
    ids = []
    for n in range(5):
        ids.append(queue(admin, [f"b{n}@example.com"], f"Message {n}", pdf=n == 4))
        clock.advance(timedelta(minutes=1))
    fail_for_good(admin, ids[1])

    listed = outbox_service.outbox(admin)
    assert [row.id for row in listed] == ids[::-1]
    page = outbox_service.outbox(admin, limit=2, offset=1)
    assert [row.id for row in page] == [ids[3], ids[2]]
    failed = outbox_service.outbox(admin, EmailStatus.FAILED)
    assert [(row.id, row.last_error) for row in failed] == [
        (ids[1], "The SMTP server refused the connection.")
    ]
    view = outbox_service.email(admin, ids[4])
    assert (view.to_addresses, view.subject) == ("b4@example.com", "Message 4")
    assert view.body_text == "Please find your quote attached."
    assert [(a.filename, a.media_type, a.size) for a in view.attachments] == [
        ("Q-000001.pdf", "application/pdf", len(PDF))
    ]
    with pytest.raises(PermissionDenied):
        outbox_service.outbox(admin.as_user("ae"))
    with pytest.raises(PermissionDenied):
        outbox_service.email(admin.as_user("finance"), ids[4])


def test_worker_once_delivers_the_outbox_through_the_configured_server(
    admin: Context, database_url: str, tmp_path: Path, mailbox: tuple[Mailbox, int]
) -> None:
    """`acctmgr worker --once` sends what is due through the configured SMTP server."""
    server, port = mailbox
    email_id = queue(admin, ["buyer@example.com"], pdf=True)
    due_by_the_wall_clock(admin, email_id)
    settings = {
        "ACCTMGR_SMTP_HOST": "127.0.0.1",
        "ACCTMGR_SMTP_PORT": str(port),
        "ACCTMGR_MAIL_FROM": "sales@example.com",
    }
    done = run_acctmgr(tmp_path, database_url, "worker", "--once", environ=settings)

    assert done.returncode == 0, done.stderr
    assert "e-mails sent: 1, to retry: 0, failed: 0;" in done.stdout
    [message] = server.messages()
    # The company's name, as the identity the office set has it, before the configured address.
    assert message["From"] == f"{COMPANY.name} <sales@example.com>"
    assert message["Message-ID"] == stored(admin, email_id).message_id
    assert stored(admin, email_id).status is EmailStatus.SENT


def test_worker_once_survives_an_smtp_outage(
    admin: Context, database_url: str, tmp_path: Path
) -> None:
    """`acctmgr worker --once` ends well through an SMTP outage, the e-mail kept to retry."""
    email_id = queue(admin, ["buyer@example.com"])
    due_by_the_wall_clock(admin, email_id)
    port = free_port()
    settings = {
        "ACCTMGR_SMTP_HOST": "127.0.0.1",
        "ACCTMGR_SMTP_PORT": str(port),
    }
    done = run_acctmgr(tmp_path, database_url, "worker", "--once", environ=settings)

    assert done.returncode == 0, done.stderr
    assert "e-mails sent: 0, to retry: 1, failed: 0;" in done.stdout
    row = stored(admin, email_id)
    assert row.status is EmailStatus.QUEUED
    assert row.last_error == f"The SMTP server at 127.0.0.1:{port} refused the connection."
