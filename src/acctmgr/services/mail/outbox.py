"""The e-mail outbox: a message is written in the same transaction as the change it announces.

Nothing is sent from a use case. ``acctmgr worker`` delivers queued messages later; because the
message is committed with the change, a rolled-back change sends nothing and a committed one is
never forgotten. The Message-ID is fixed here, so a resend after a crash is recognisable.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from acctmgr.models import EmailAttachment, EmailStatus, OutboxEmail
from acctmgr.services.kernel.unit_of_work import UnitOfWork

MESSAGE_DOMAIN = "acctmgr.invalid"


def queue_email(
    uow: UnitOfWork,
    *,
    to: list[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    record: tuple[str, int] | None = None,
    attachments: Sequence[int] = (),
) -> OutboxEmail:
    """Put an e-mail in the outbox, attached to the record it is about."""
    email = OutboxEmail(
        message_id=f"<{uuid.uuid4().hex}@{MESSAGE_DOMAIN}>",
        to_addresses=", ".join(to),
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        record_type=record[0] if record else None,
        record_id=record[1] if record else None,
        status=EmailStatus.QUEUED,
        next_attempt_at=uow.now,
    )
    email.attachments = [EmailAttachment(document_id=document_id) for document_id in attachments]
    return uow.add(email)
