"""A real SMTP server on loopback for the outbox tests, and a way to queue e-mails."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from acctmgr.config import Settings
from acctmgr.domain.records import RecordType
from acctmgr.services.documents import rendering as document_service
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.mail.outbox import queue_email

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class Mailbox:
    """An aiosmtpd handler keeping what it receives; it can refuse recipients or the data."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []
        self.refuse_recipients: set[str] = set()
        self.refuse_data = False

    async def handle_RCPT(  # noqa: N802 (aiosmtpd names the hooks)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse_recipients:
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.refuse_data:
            return "550 No such user"
        self.received.append(envelope)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        parsed = []
        for envelope in self.received:
            content = envelope.content
            raw = content if isinstance(content, bytes) else str(content).encode()
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A running SMTP server on 127.0.0.1 and its port."""
    handler = Mailbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def smtp_settings(port: int, **overrides: Any) -> Settings:
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="acctmgr@example.com",
        smtp_timeout_seconds=5,
        **overrides,
    )


@use_case("tests.queue_email", needs_actor=False)
def queue(
    uow: UnitOfWork,
    to: list[str],
    subject: str = "Your quote Q-000001",
    *,
    html: str = "",
    pdf: bool = False,
) -> int:
    """Queue an e-mail (with a stored PDF when asked) as a use case would; returns its id."""
    attachments = []
    if pdf:
        document = document_service.store(
            uow,
            kind="quote",
            record=(RecordType.QUOTE, 1, 1),
            rendered=document_service.Rendered("", "po.html.j2", 0),
            filename="Q-000001.pdf",
            media_type="application/pdf",
            content=PDF,
        )
        attachments.append(document.id)
    queued = queue_email(
        uow,
        to=to,
        subject=subject,
        body_text="Please find your quote attached.",
        body_html=html,
        record=(RecordType.QUOTE, 1),
        attachments=attachments,
    )
    return queued.id


def queue_many(context: Context, count: int) -> list[int]:
    return [queue(context, [f"buyer{n}@example.com"], f"Message {n}") for n in range(count)]
