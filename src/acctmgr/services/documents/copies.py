"""A kept document out of acctmgr: a copy in a folder, opened in the desktop's viewer, or sent
again to whom it went to.

The stored document never changes; each of these reads it whole (its bytes, as they were sent)
for a user who may read it, that is who works in its record's account's segment. Sending again
puts a new e-mail in the outbox, with the same document and recipients and its own Message-ID:
it is a second sending someone asked for, not a retry.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from acctmgr.errors import InvalidInput
from acctmgr.models import EmailAttachment, OutboxEmail, Role
from acctmgr.services.documents.stored_documents import visible_document
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.mail import outbox

# Who sends documents to customers (quotes, POs, contracts, invoices) may send one again.
SENDERS = (
    Role.ACCOUNT_EXECUTIVE,
    Role.KEY_ACCOUNT_MANAGER,
    Role.CONTRACT_MANAGER,
    Role.CUSTOMER_SERVICES,
    Role.ADMIN,
)
NO_VIEWER = (
    "There is no desktop viewer here (over SSH, or with no desktop): save a copy to a folder "
    "instead."
)


@dataclass(frozen=True)
class DocumentFile:
    filename: str
    media_type: str
    content: bytes


@use_case("documents.file", write=False)
def document_file(uow: UnitOfWork, document_id: int) -> DocumentFile:
    """The document's bytes as they were stored and sent, with its file name.

    NotFound for no such document; PermissionDenied for another segment's.
    """
    document = visible_document(uow, document_id)
    return DocumentFile(document.filename, document.media_type, document.content)


def save_copy(context: Context, document_id: int, folder: str) -> Path:
    """Write a copy of the document into ``folder`` under its own name (``name (2).pdf`` when
    that is taken, never over another file); the path it was written to.

    InvalidInput, naming the field ``folder``, when the folder is missing or cannot be written.
    """
    place = Path(folder.strip() or "~").expanduser()
    if not place.is_dir():
        raise InvalidInput(f"There is no folder {place}.", field="folder")
    found = document_file(context, document_id)
    target = _free_name(place, found.filename)
    try:
        with target.open("xb") as file:
            file.write(found.content)
    except OSError as error:
        raise InvalidInput(
            f"The copy could not be written to {place}: {error.strerror or error}.",
            field="folder",
        ) from None
    return target


def open_in_viewer(context: Context, document_id: int) -> Path:
    """Open a copy of the document in the desktop's viewer (written to a temporary folder);
    the copy's path. InvalidInput when this session has no desktop to show it on."""
    command = _viewer()
    if command is None:
        raise InvalidInput(NO_VIEWER)
    found = document_file(context, document_id)
    target = Path(tempfile.mkdtemp(prefix="acctmgr-")) / found.filename
    target.write_bytes(found.content)
    # Detached, its output dropped: the viewer must never draw over the terminal UI.
    subprocess.Popen(
        [*command, str(target)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return target


@use_case("documents.resend")
def resend_document(uow: UnitOfWork, document_id: int) -> list[str]:
    """Send the document again, as a new e-mail to the recipients of the last e-mail that
    carried it, with that e-mail's subject and text; the addresses it goes to.

    Only those who send documents to customers may (PermissionDenied); InvalidInput when the
    document never went out by e-mail.
    """
    require_role(uow.user, *SENDERS, to="send documents again")
    document = visible_document(uow, document_id)
    sent = uow.session.scalars(
        select(OutboxEmail)
        .join(EmailAttachment, EmailAttachment.email_id == OutboxEmail.id)
        .where(EmailAttachment.document_id == document.id)
        .order_by(OutboxEmail.id.desc())
        .limit(1)
    ).first()
    if sent is None:
        raise InvalidInput(
            f"{document.filename} was never sent by e-mail, so there is no one to send it to again."
        )
    attachments = [each.id for each in outbox.attached_documents(uow, sent.id)]
    to = [address.strip() for address in sent.to_addresses.split(",") if address.strip()]
    outbox.queue_email(
        uow,
        to=to,
        subject=sent.subject,
        body_text=sent.body_text,
        body_html=sent.body_html,
        record=(document.record_type, document.record_id),
        attachments=attachments,
    )
    return to


def _free_name(folder: Path, filename: str) -> Path:
    # The stored name is ours (e.g. PO-Q-000012.pdf); no path of it may leave the folder.
    name = Path(filename).name or "document"
    stem, suffix = Path(name).stem, Path(name).suffix
    target = folder / name
    number = 2
    while target.exists():
        target = folder / f"{stem} ({number}){suffix}"
        number += 1
    return target


def _viewer() -> list[str] | None:
    """The desktop's "open this file" command, when this session has a desktop."""
    if sys.platform == "darwin":
        return ["open"]
    if sys.platform == "win32":
        return ["cmd", "/c", "start", ""]
    graphical = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if graphical and not os.environ.get("SSH_CONNECTION") and shutil.which("xdg-open"):
        return ["xdg-open"]
    return None
