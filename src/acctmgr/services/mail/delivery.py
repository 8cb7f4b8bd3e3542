"""Delivering the outbox: no queued e-mail is lost, and none leaves twice while workers live.

``acctmgr worker`` calls ``deliver_due`` every pass. A message is first *claimed* with an atomic
compare-and-set (its status goes from queued to sending, with this worker's name and a lease),
committed before the SMTP server is contacted, so of several workers only one sends it. The
moment the server accepts it, before the connection is even closed, the message is marked sent in
a second short transaction. No SMTP client can make those two one step: a worker that dies
between them (or loses the database there) leaves the message claimed, and once the lease runs
out another worker sends it again, once, with the same Message-ID, so that mail systems can
recognise and drop the duplicate.

When the server cannot be reached or refuses the message, nothing is lost: the message goes back
to the queue with the reason in one sentence, and is tried again after 1 minute, 5 minutes,
30 minutes, 2 hours and 6 hours. After the 6th failed attempt it is marked failed; it stays in
the outbox, visible to admins, who can queue it again (``outbox.retry_email``). The message and
the SMTP conversation are ``mail.smtp``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update

from acctmgr.config import Settings
from acctmgr.domain.records import RecordType
from acctmgr.models import EmailStatus, OutboxEmail
from acctmgr.services.company.identity import current_identity
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.mail import smtp
from acctmgr.services.mail.outbox import attached_documents
from acctmgr.services.mail.smtp import Attachment, ClaimedEmail

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


def deliver_due(
    context: Context, settings: Settings, *, worker: str, limit: int = 50
) -> DeliveryReport:
    """Send up to ``limit`` due messages through the configured SMTP server.

    Safe to run in several workers at once: each message is claimed before it is sent. An SMTP
    outage never raises from here; it is recorded on the messages and retried later.
    """
    lease = max(LEASE, timedelta(seconds=settings.smtp_timeout_seconds * 4))
    outcomes: list[str] = []
    for email_id, seen in _due(context, limit):
        claimed = _claim(context, email_id, seen, worker, lease)
        if claimed is not None:  # else another worker has it
            outcomes.append(_deliver(context, settings, worker, claimed))
    return DeliveryReport(
        sent=outcomes.count("sent"),
        retried=outcomes.count("retried"),
        failed=outcomes.count("failed"),
    )


def _deliver(context: Context, settings: Settings, worker: str, claimed: ClaimedEmail) -> str:
    """Send one claimed message: "sent", "retried", "failed", or "lost" (the claim)."""
    marked: list[bool] = []  # filled the moment the server has accepted the message

    def mark(refused: dict[str, str]) -> None:
        marked.append(False)
        marked[0] = _mark_sent(context, claimed.id, worker, refused)

    try:
        smtp.send(settings, claimed, mark)
    except smtp.DeliveryFailed as error:
        reason = str(error)
    except Exception:
        if marked:
            # The server has the message, so it must not be queued again as failed: the claim
            # runs out instead, and the message is sent once more (README says so).
            raise
        # A bug must not hold the message (or the worker) forever: record it and move on.
        log.exception("unexpected failure sending e-mail %s", claimed.message_id)
        reason = "Something unexpected went wrong while sending it; the log has the details."
    else:
        return "sent" if marked == [True] else "lost"
    gave_up = _record_failure(context, claimed.id, worker, reason)
    return "failed" if gave_up else "retried"


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
) -> ClaimedEmail | None:
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
    documents = attached_documents(uow, email_id)
    company = current_identity(uow)
    return ClaimedEmail(
        id=email.id,
        message_id=email.message_id,
        to=_addresses(email.to_addresses),
        cc=_addresses(email.cc_addresses),
        subject=email.subject,
        body_text=email.body_text,
        body_html=email.body_html,
        attachments=[Attachment(d.filename, d.media_type, d.content) for d in documents],
        sender_name=company.name if company.is_set else "",
        reply_to=company.email,
        written_at=email.created_at,
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
