"""The e-mail outbox: a message is written in the same transaction as the change it announces.

Nothing is sent from a use case. ``acctmgr worker`` delivers queued messages later; because the
message is committed with the change, a rolled-back change sends nothing and a committed one is
never forgotten. The Message-ID is fixed here, so a resend after a crash is recognisable.

Admins see the outbox (what was sent, what waits for a retry and why, what failed) and queue a
failed message again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import Document, EmailAttachment, EmailStatus, OutboxEmail, Role
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.sorting import Sort, orm_order
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

MESSAGE_DOMAIN = "acctmgr.invalid"


def queue_email(
    uow: UnitOfWork,
    *,
    to: list[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    record: tuple[RecordType, int] | None = None,
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


def attached_documents(uow: UnitOfWork, email_id: int) -> list[Document]:
    """The documents attached to an e-mail, in the order they were stored."""
    return list(
        uow.session.scalars(
            select(Document)
            .join(EmailAttachment, EmailAttachment.document_id == Document.id)
            .where(EmailAttachment.email_id == email_id)
            .order_by(Document.id)
        )
    )


# --- what admins see and do with the outbox -----------------------------------------------------


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
    record_type: RecordType | None
    record_id: int | None
    claimed_by: str | None
    attachments: list[AttachmentView]


# The columns the outbox sorts by (``kernel.sorting``); "created" is its first order, newest
# first. A message's next attempt counts only while it is queued: the others come after.
SORTS: dict[str, tuple[Any, ...]] = {
    "created": (OutboxEmail.created_at,),
    "status": (OutboxEmail.status,),
    "to": (func.lower(OutboxEmail.to_addresses),),
    "subject": (func.lower(OutboxEmail.subject),),
    "attempts": (OutboxEmail.attempts,),
    "next_attempt": (OutboxEmail.status != EmailStatus.QUEUED, OutboxEmail.next_attempt_at),
    "error": (func.lower(OutboxEmail.last_error),),
}
NEWEST_FIRST = Sort("created", descending=True)


@use_case("outbox.list", write=False)
def outbox(
    uow: UnitOfWork,
    status: EmailStatus | None = None,
    limit: int = 50,
    offset: int = 0,
    sort: Sort = NEWEST_FIRST,
) -> list[OutboxRow]:
    """The outbox, newest first or by the column ``sort`` names and then id, optionally only
    messages in one status.

    Only an Admin can see it (PermissionDenied otherwise); a sort by a column not in SORTS is
    refused (InvalidInput).
    """
    require_role(uow.user, Role.ADMIN, to="see the outbox")
    order = orm_order(SORTS, sort, NEWEST_FIRST, tie_breaker=OutboxEmail.id, what="outbox")
    query = select(OutboxEmail).order_by(*order)
    if status is not None:
        query = query.where(OutboxEmail.status == status)
    rows = uow.session.scalars(query.limit(limit).offset(offset)).all()
    return [OutboxRow.model_validate(row) for row in rows]


@use_case("outbox.email", write=False)
def email(uow: UnitOfWork, email_id: int) -> EmailView:
    """One message as it will be (or was) sent: headers, text and attachments.

    Only an Admin can read it (PermissionDenied otherwise); NotFound for an unknown id.
    """
    require_role(uow.user, Role.ADMIN, to="read the outbox")
    record = uow.get(OutboxEmail, email_id, "e-mail")
    attachments = [
        AttachmentView(filename=d.filename, media_type=d.media_type, size=len(d.content))
        for d in attached_documents(uow, email_id)
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
    """Queue a failed message again, to be sent on the next worker pass with fresh attempts.

    Only an Admin can. Refused with InvalidInput for a message that has not failed, and with
    Conflict when it changed since it was loaded.
    """
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
