"""Handing one e-mail to the SMTP server: the MIME message, and the conversation that sends it.

Every way the conversation can fail comes back as ``DeliveryFailed`` with one sentence a person
understands (which server, what it refused, what it said), for the outbox to show beside the
message.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from acctmgr.config import Settings


@dataclass(frozen=True)
class Attachment:
    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class ClaimedEmail:
    """A message a worker holds, read inside the claiming transaction."""

    id: int
    message_id: str
    to: list[str]
    cc: list[str]
    subject: str
    body_text: str
    body_html: str
    attachments: list[Attachment]
    written_at: datetime  # when the message was queued: its Date, the same on a resend
    # Our company as the recipient reads it: the From's name and the address replies go to
    # (the company's identity; empty until an admin sets it).
    sender_name: str = ""
    reply_to: str = ""


class DeliveryFailed(Exception):
    """The SMTP server did not take the message; ``args[0]`` says why in one sentence."""


def build_message(settings: Settings, claimed: ClaimedEmail) -> EmailMessage:
    """The MIME message, always with the stored Message-ID so a resend is recognisable."""
    message = EmailMessage()
    message["From"] = formataddr((claimed.sender_name, settings.mail_from))
    if claimed.reply_to:
        message["Reply-To"] = claimed.reply_to
    message["To"] = ", ".join(claimed.to)
    if claimed.cc:
        message["Cc"] = ", ".join(claimed.cc)
    message["Subject"] = claimed.subject
    message["Message-ID"] = claimed.message_id
    written = claimed.written_at
    message["Date"] = format_datetime(written if written.tzinfo else written.replace(tzinfo=UTC))
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


def send(
    settings: Settings, claimed: ClaimedEmail, accepted: Callable[[dict[str, str]], None]
) -> None:
    """Hand the message to the SMTP server, and call ``accepted`` with the recipients it
    refused (the others got it) as soon as the server has taken it.

    ``accepted`` runs before the connection is closed: the outbox marks the message sent there,
    so a worker that dies after the server took a message has as short a window as can be in
    which the message is not yet marked (and would be sent again). An error raised by
    ``accepted`` passes through unchanged: the server has the message by then. Raises
    DeliveryFailed, with the reason in one sentence, when the message cannot be written or the
    server does not take it.
    """
    try:
        message = build_message(settings, claimed)
    except (ValueError, TypeError) as error:
        raise DeliveryFailed(f"The e-mail cannot be written as a message: {error}.") from None
    try:
        smtp = _connect(settings)
    except OSError as error:  # smtplib's errors are OSErrors too
        raise DeliveryFailed(_reason(settings, error)) from None
    try:
        try:
            refused = smtp.send_message(message)
        except OSError as error:
            raise DeliveryFailed(_reason(settings, error)) from None
        accepted({address: f"{code} {_text(text)}" for address, (code, text) in refused.items()})
    finally:
        _hang_up(smtp)


def _connect(settings: Settings) -> smtplib.SMTP:
    """A connection ready to take messages: secured and logged in as the settings say."""
    smtp = smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    )
    try:
        if settings.smtp_starttls:
            # Verify the server's certificate: the login that follows must not leak.
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
    except BaseException:
        _hang_up(smtp)
        raise
    return smtp


def _reason(settings: Settings, error: OSError) -> str:
    """What went wrong, in one sentence; the most specific error is asked about first."""
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        address, (code, text) = next(iter(error.recipients.items()))
        return f"The SMTP server refused the recipient {address}: {code} {_text(text)}."
    if isinstance(error, smtplib.SMTPResponseException):
        return (
            f"The SMTP server at {server} refused {_what_was_refused(settings, error)}: "
            f"{error.smtp_code} {_text(error.smtp_error)}."
        )
    if isinstance(error, smtplib.SMTPServerDisconnected):
        if isinstance(error.__context__, TimeoutError):  # smtplib wraps a read that timed out
            return _no_answer(settings)
        return f"The SMTP server at {server} closed the connection before taking the message."
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"The SMTP server at {server} cannot do what the settings ask: {_text(str(error))}."
    if isinstance(error, smtplib.SMTPException):
        return f"The SMTP server at {server} failed: {_text(str(error))}."
    if isinstance(error, ConnectionRefusedError):
        return f"The SMTP server at {server} refused the connection."
    if isinstance(error, TimeoutError):
        return _no_answer(settings)
    if isinstance(error, socket.gaierror):
        return f"The SMTP server name {settings.smtp_host} cannot be found."
    return f"The SMTP server at {server} cannot be reached: {error.strerror or error}."


def _what_was_refused(settings: Settings, error: smtplib.SMTPResponseException) -> str:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"the login {settings.smtp_username}"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"the sender {settings.mail_from}"
    if isinstance(error, smtplib.SMTPConnectError):
        return "the connection"
    return "the message"


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
