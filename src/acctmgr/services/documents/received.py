"""Documents brought in from outside: a file someone has (a contract the customer signed).

Unlike a rendered document there is no template behind it; it is kept exactly as read, with
its SHA-256, like every other document, and never changes. Only PDFs are taken, checked by
their first bytes rather than their name, and only up to a size a signed contract may have.
"""

from __future__ import annotations

from pathlib import Path

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import Document
from acctmgr.services.documents import rendering
from acctmgr.services.kernel.unit_of_work import UnitOfWork

MAX_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
PDF = "application/pdf"
# What a received document names as its template: none (version 0 is "as shipped").
NO_TEMPLATE = rendering.Rendered(text="", template="", version=0)


def read_pdf(path: Path, *, field: str = "path") -> bytes:
    """The bytes of the PDF at ``path``; InvalidInput (beside ``field``) in one sentence when
    it is missing, not a file, empty, larger than 20 MB or not a PDF."""
    if not path.exists():
        raise InvalidInput(f"There is no file at {path}.", field=field)
    if not path.is_file():
        raise InvalidInput(f"{path} is a folder or device, not a file.", field=field)
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput(f"{path.name} is empty.", field=field)
    if size > MAX_BYTES:
        raise InvalidInput(
            f"{path.name} is {size / 1024 / 1024:.1f} MB; a signed document may be 20 MB at most.",
            field=field,
        )
    try:
        content = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{path.name} cannot be read: {error.strerror}.", field=field) from None
    if not content.startswith(PDF_MAGIC):
        raise InvalidInput(f"{path.name} is not a PDF (it does not start with %PDF-).", field=field)
    return content


def keep(
    uow: UnitOfWork,
    *,
    kind: str,
    record: tuple[RecordType, int, int],
    filename: str,
    content: bytes,
    media_type: str = PDF,
) -> Document:
    """Keep a document brought in for ``record`` (type, id, version), with its hash."""
    return rendering.store(
        uow,
        kind=kind,
        record=record,
        rendered=NO_TEMPLATE,
        filename=filename[:200],
        media_type=media_type,
        content=content,
    )
