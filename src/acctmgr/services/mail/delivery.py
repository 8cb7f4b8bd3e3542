"""Delivering the outbox: each queued e-mail leaves through the SMTP server exactly once.

``acctmgr worker`` calls ``deliver_due`` every pass. A message is first *claimed* with an atomic
compare-and-set (its status goes from queued to sending, with this worker's name and a lease),
committed before the SMTP server is contacted, so of several workers only one sends it. After the
server accepts it the message is marked sent in a second short transaction. If the worker dies
between the two, the lease runs out and another worker sends it again with the same Message-ID,
which lets the receiving side recognise the duplicate.

When the server cannot be reached or refuses the message, nothing is lost: the message goes back
to the queue with the reason in one sentence, and is tried again after 1 minute, 5 minutes,
30 minutes, 2 hours and 6 hours. After the 6th failed attempt it is marked failed; it stays in
the outbox, visible to admins, who can queue it again (``retry_email``).
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import and_, or_, select, update

from acctmgr.config import Settings
from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import Document, EmailAttachment, EmailStatus, OutboxEmail, Role
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

log = logging.getLogger("acctmgr.mail")

# The wait before attempt n+1 after n failures; after the last failure the message is FAILED.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# How long a claim holds. It must outlast a slow but healthy SMTP conversation (each step may
# take the whole timeout), or a second worker would send the message while the first still is.
LEASE = timedelta(minutes=5)


class DeliveryReport(ReadModel):
    sent: int  # accepted by the SMTP server
    retried: int  # failed, queued again for a later attempt
    failed: int  # failed for the last time


class OutboxRow(ReadModel):
    id: int
    version: int
    message_id: str
    to_addresses: str
    subject: str
    status: EmailStatus
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str
    created_at: datetime


class AttachmentView(ReadModel):
    filename: str
    media_type: str
    size: int


class EmailView(OutboxRow):
    cc_addresses: str
    body_text: str
    body_html: str
    record_type: str | None
    record_id: int | None
    claimed_by: str | None
    attachments: list[AttachmentView]


@dataclass(frozen=True)
class _Attachment:
    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class _Claimed:
    """A message this worker holds, read inside the claiming transaction."""

    id: int
    message_id: str
    to: list[str]
    cc: list[str]
    subject: str
    body_text: str
    body_html: str
    attachments: list[_Attachment]


class _DeliveryFailed(Exception):
    """The SMTP server did not take the message; ``args[0]`` says why in one sentence."""


def deliver_due(
    context: Context, settings: Settings, *, worker: str, limit: int = 50
) -> DeliveryReport:
    """Send up to ``limit`` due messages through the configured SMTP server.

    Safe to run in several workers at once: each message is claimed before it is sent. An SMTP
    outage never raises from here; it is recorded on the messages and retried later.
    """
    lease = max(LEASE, timedelta(seconds=settings.smtp_timeout_seconds * 4))
    sent = retried = failed = 0
    for email_id, seen in _due(context, limit):
        claimed = _claim(context, email_id, seen, worker, lease)
        if claimed is None:
            continue  # another worker has it
        try:
            refused = _send(settings, claimed)
        except _DeliveryFailed as error:
            gave_up = _record_failure(context, email_id, worker, str(error))
            failed += gave_up
            retried += not gave_up
            continue
        except Exception:
            # A bug must not hold the message (or the worker) forever: record it and move on.
            log.exception("unexpected failure sending e-mail %s", claimed.message_id)
            reason = "Something unexpected went wrong while sending it; the log has the details."
            gave_up = _record_failure(context, email_id, worker, reason)
            failed += gave_up
            retried += not gave_up
            continue
        sent += _mark_sent(context, email_id, worker, refused)
    return DeliveryReport(sent=sent, retried=retried, failed=failed)


@use_case("outbox.due", write=False, needs_actor=False)
def _due(uow: UnitOfWork, limit: int) -> list[tuple[int, int]]:
    """(id, version) of messages ready to send: queued and due, or held by an expired claim."""
    rows = uow.session.execute(
        select(OutboxEmail.id, OutboxEmail.version)
        .where(_claimable(uow.now))
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(limit)
    ).all()
    return [(row.id, row.version) for row in rows]


def _claimable(now: datetime) -> Any:
    return or_(
        and_(OutboxEmail.status == EmailStatus.QUEUED, OutboxEmail.next_attempt_at <= now),
        and_(OutboxEmail.status == EmailStatus.SENDING, OutboxEmail.claimed_until < now),
    )


@use_case("outbox.claim", needs_actor=False)
def _claim(
    uow: UnitOfWork, email_id: int, seen: int, worker: str, lease: timedelta
) -> _Claimed | None:
    """Take the message for this worker, unless another worker changed it since it was seen."""
    result = uow.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id, OutboxEmail.version == seen, _claimable(uow.now))
        .values(
            status=EmailStatus.SENDING,
            claimed_by=worker,
            claimed_until=uow.now + lease,
            version=OutboxEmail.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    email = uow.get(OutboxEmail, email_id, "e-mail")
    documents = uow.session.scalars(
        select(Document)
        .join(EmailAttachment, EmailAttachment.document_id == Document.id)
        .where(EmailAttachment.email_id == email_id)
        .order_by(Document.id)
    ).all()
    return _Claimed(
        id=email.id,
        message_id=email.message_id,
        to=_addresses(email.to_addresses),
        cc=_addresses(email.cc_addresses),
        subject=email.subject,
        body_text=email.body_text,
        body_html=email.body_html,
        attachments=[_Attachment(d.filename, d.media_type, d.content) for d in documents],
    )


@use_case("outbox.sent", needs_actor=False)
def _mark_sent(uow: UnitOfWork, email_id: int, worker: str, refused: dict[str, str]) -> bool:
    """Mark the message sent while this worker still holds it; False when it lost the claim
    (another worker took over after the lease ran out, and will send it again)."""
    note = "; ".join(f"The SMTP server refused the recipient {a}: {r}" for a, r in refused.items())
    marked = uow.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id, _held_by(worker))
        .values(
            status=EmailStatus.SENT,
            sent_at=uow.now,
            claimed_by=None,
            claimed_until=None,
            last_error=f"{note}; the others received it." if note else "",
            updated_at=uow.now,
            version=OutboxEmail.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if not getattr(marked, "rowcount", 0):
        return False
    audit.record(uow, RecordType.OUTBOX_EMAIL, email_id, "sent", {"refused": sorted(refused)})
    return True


@use_case("outbox.failed", needs_actor=False)
def _record_failure(uow: UnitOfWork, email_id: int, worker: str, reason: str) -> bool:
    """Queue the message again after its back-off, or give up; True when it gave up."""
    attempts = uow.session.scalar(
        select(OutboxEmail.attempts).where(OutboxEmail.id == email_id, _held_by(worker))
    )
    if attempts is None:
        return False  # the claim was lost (its lease ran out); the new holder records its own
    attempts += 1
    gave_up = attempts >= MAX_ATTEMPTS
    uow.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id, _held_by(worker))
        .values(
            status=EmailStatus.FAILED if gave_up else EmailStatus.QUEUED,
            attempts=attempts,
            next_attempt_at=uow.now if gave_up else uow.now + RETRY_DELAYS[attempts - 1],
            claimed_by=None,
            claimed_until=None,
            last_error=reason,
            updated_at=uow.now,
            version=OutboxEmail.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    decision = "failed" if gave_up else "retry"
    audit.record(
        uow, RecordType.OUTBOX_EMAIL, email_id, decision, {"attempts": attempts, "error": reason}
    )
    return gave_up


def _held_by(worker: str) -> Any:
    return and_(OutboxEmail.status == EmailStatus.SENDING, OutboxEmail.claimed_by == worker)


def _addresses(joined: str) -> list[str]:
    return [address.strip() for address in joined.split(",") if address.strip()]


def build_message(settings: Settings, claimed: _Claimed) -> EmailMessage:
    """The MIME message, always with the stored Message-ID so a resend is recognisable."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(claimed.to)
    if claimed.cc:
        message["Cc"] = ", ".join(claimed.cc)
    message["Subject"] = claimed.subject
    message["Message-ID"] = claimed.message_id
    message.set_content(claimed.body_text)
    if claimed.body_html:
        message.add_alternative(claimed.body_html, subtype="html")
    for attachment in claimed.attachments:
        maintype, _, subtype = attachment.media_type.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return message


def _send(settings: Settings, claimed: _Claimed) -> dict[str, str]:
    """Hand the message to the SMTP server; returns the recipients it refused (others got it)."""
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        message = build_message(settings, claimed)
    except (ValueError, TypeError) as error:
        raise _DeliveryFailed(f"The e-mail cannot be written as a message: {error}.") from None
    try:
        smtp = smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        )
        try:
            if settings.smtp_starttls:
                # Verify the server's certificate: the login that follows must not leak.
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            refused = smtp.send_message(message)
        finally:
            _hang_up(smtp)
    except smtplib.SMTPRecipientsRefused as error:
        address, (code, text) = next(iter(error.recipients.items()))
        raise _DeliveryFailed(
            f"The SMTP server refused the recipient {address}: {code} {_text(text)}."
        ) from None
    except smtplib.SMTPAuthenticationError as error:
        raise _DeliveryFailed(
            f"The SMTP server at {server} refused the login {settings.smtp_username}: "
            f"{error.smtp_code} {_text(error.smtp_error)}."
        ) from None
    except smtplib.SMTPSenderRefused as error:
        raise _DeliveryFailed(
            f"The SMTP server at {server} refused the sender {settings.mail_from}: "
            f"{error.smtp_code} {_text(error.smtp_error)}."
        ) from None
    except smtplib.SMTPConnectError as error:
        raise _DeliveryFailed(
            f"The SMTP server at {server} refused the connection: "
            f"{error.smtp_code} {_text(error.smtp_error)}."
        ) from None
    except smtplib.SMTPResponseException as error:
        raise _DeliveryFailed(
            f"The SMTP server at {server} refused the message: "
            f"{error.smtp_code} {_text(error.smtp_error)}."
        ) from None
    except smtplib.SMTPServerDisconnected as error:
        if isinstance(error.__context__, TimeoutError):  # smtplib wraps a read that timed out
            raise _DeliveryFailed(_no_answer(settings)) from None
        raise _DeliveryFailed(
            f"The SMTP server at {server} closed the connection before taking the message."
        ) from None
    except smtplib.SMTPNotSupportedError as error:
        raise _DeliveryFailed(
            f"The SMTP server at {server} cannot do what the settings ask: {_text(str(error))}."
        ) from None
    except smtplib.SMTPException as error:
        raise _DeliveryFailed(f"The SMTP server at {server} failed: {_text(str(error))}.") from None
    except ConnectionRefusedError:
        raise _DeliveryFailed(f"The SMTP server at {server} refused the connection.") from None
    except TimeoutError:
        raise _DeliveryFailed(_no_answer(settings)) from None
    except socket.gaierror:
        raise _DeliveryFailed(
            f"The SMTP server name {settings.smtp_host} cannot be found."
        ) from None
    except OSError as error:
        raise _DeliveryFailed(
            f"The SMTP server at {server} cannot be reached: {error.strerror or error}."
        ) from None
    return {address: f"{code} {_text(text)}" for address, (code, text) in refused.items()}


def _no_answer(settings: Settings) -> str:
    return (
        f"The SMTP server at {settings.smtp_host}:{settings.smtp_port} did not answer within "
        f"{settings.smtp_timeout_seconds:g} seconds."
    )


def _hang_up(smtp: smtplib.SMTP) -> None:
    """Say goodbye politely; once the message is handed over, a failed QUIT changes nothing."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split()).rstrip(".")


# What admins see and do with the outbox.


@use_case("outbox.list", write=False)
def outbox(
    uow: UnitOfWork, status: EmailStatus | None = None, limit: int = 50, offset: int = 0
) -> list[OutboxRow]:
    """The outbox, newest first, optionally only messages in one status."""
    require_role(uow.user, Role.ADMIN, to="see the outbox")
    query = select(OutboxEmail).order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
    if status is not None:
        query = query.where(OutboxEmail.status == status)
    rows = uow.session.scalars(query.limit(limit).offset(offset)).all()
    return [OutboxRow.model_validate(row) for row in rows]


@use_case("outbox.email", write=False)
def email(uow: UnitOfWork, email_id: int) -> EmailView:
    """One message as it will be (or was) sent: headers, text and attachments."""
    require_role(uow.user, Role.ADMIN, to="read the outbox")
    record = uow.get(OutboxEmail, email_id, "e-mail")
    documents = uow.session.execute(
        select(Document.filename, Document.media_type, Document.content)
        .join(EmailAttachment, EmailAttachment.document_id == Document.id)
        .where(EmailAttachment.email_id == email_id)
        .order_by(Document.id)
    ).all()
    attachments = [
        AttachmentView(filename=d.filename, media_type=d.media_type, size=len(d.content))
        for d in documents
    ]
    row = OutboxRow.model_validate(record).model_dump()
    return EmailView(
        **row,
        cc_addresses=record.cc_addresses,
        body_text=record.body_text,
        body_html=record.body_html,
        record_type=record.record_type,
        record_id=record.record_id,
        claimed_by=record.claimed_by,
        attachments=attachments,
    )


@use_case("outbox.retry")
def retry_email(uow: UnitOfWork, email_id: int, expected_version: int) -> OutboxRow:
    """Queue a failed message again, to be sent on the next worker pass with fresh attempts."""
    require_role(uow.user, Role.ADMIN, to="retry e-mails")
    record = uow.get(OutboxEmail, email_id, "e-mail")
    uow.expect_version(record, expected_version, "e-mail")
    if record.status is not EmailStatus.FAILED:
        raise InvalidInput(
            f"Only a failed e-mail can be retried; this one is {record.status.value}."
        )
    record.status = EmailStatus.QUEUED
    record.attempts = 0
    record.next_attempt_at = uow.now
    uow.session.flush()
    return OutboxRow.model_validate(record)
