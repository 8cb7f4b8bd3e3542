"""The documents kept for quotes, offers, contracts and invoices, and the text each shows.

Every document was stored when it was made (``rendering.store``) and never changes. Only a user
who works in the segment of its record's account may read it. A PDF shows the text of the HTML
it was made from, kept beside it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select

from acctmgr.domain.records import RecordType
from acctmgr.errors import NotFound
from acctmgr.models import Account, Contract, Document, Invoice, Offer, Quote, User
from acctmgr.services.documents.readable_text import readable_text
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

# The records documents are kept for, and the table each lives in (``Document.record_type``).
RECORDS: dict[str, type[Quote] | type[Contract] | type[Invoice] | type[Offer]] = {
    RecordType.QUOTE: Quote,
    RecordType.CONTRACT: Contract,
    RecordType.INVOICE: Invoice,
    RecordType.OFFER: Offer,
}


class DocumentRow(ReadModel):
    id: int
    kind: str
    filename: str
    media_type: str
    record_type: RecordType
    record_id: int
    record_version: int
    template_name: str
    template_version: int
    created_at: datetime
    created_by: str | None


class DocumentView(DocumentRow):
    sha256: str
    size: int
    text: str


def _account_of(uow: UnitOfWork, record_type: RecordType, record_id: int) -> Account:
    model = RECORDS.get(record_type)
    if model is None:
        raise NotFound(f"Documents are not kept for {record_type}.")
    record = uow.get(model, record_id, record_type.rstrip("s"))
    account = uow.get(Account, record.account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    return account


def visible_document(uow: UnitOfWork, document_id: int) -> Document:
    """The document, for a user who works in its record's account's segment (NotFound,
    PermissionDenied otherwise)."""
    document = uow.get(Document, document_id, "document")
    _account_of(uow, document.record_type, document.record_id)
    return document


def _rows(uow: UnitOfWork, *conditions: Any) -> list[DocumentRow]:
    found = uow.session.execute(
        select(
            Document.id,
            Document.kind,
            Document.filename,
            Document.media_type,
            Document.record_type,
            Document.record_id,
            Document.record_version,
            Document.template_name,
            Document.template_version,
            Document.created_at,
            User.name.label("created_by"),
        )
        .outerjoin(User, User.id == Document.created_by_id)
        .where(*conditions)
        .order_by(Document.created_at.desc(), Document.id.desc())
    )
    return [DocumentRow.model_validate(row._mapping) for row in found]


@use_case("documents.of_record", write=False)
def record_documents(uow: UnitOfWork, record_type: RecordType, record_id: int) -> list[DocumentRow]:
    """The documents made from one record (a quote, 12), newest first."""
    _account_of(uow, record_type, record_id)
    return _rows(uow, Document.record_type == record_type, Document.record_id == record_id)


@use_case("documents.of_account", write=False)
def account_documents(uow: UnitOfWork, account_id: int) -> list[DocumentRow]:
    """The documents of the account's quotes, offers, contracts and invoices, newest first."""
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    return _rows(
        uow,
        or_(
            *(
                and_(
                    Document.record_type == record_type,
                    Document.record_id.in_(select(model.id).where(model.account_id == account_id)),
                )
                for record_type, model in RECORDS.items()
            )
        ),
    )


def _html_twin(uow: UnitOfWork, pdf: Document) -> Document | None:
    """The HTML kept with a PDF: the same render of the same record and template version."""
    stem = pdf.filename.rsplit(".", 1)[0]
    candidates = list(
        uow.session.scalars(
            select(Document).where(
                Document.record_type == pdf.record_type,
                Document.record_id == pdf.record_id,
                Document.record_version == pdf.record_version,
                Document.template_name == pdf.template_name,
                Document.template_version == pdf.template_version,
                Document.media_type == "text/html",
                Document.filename == f"{stem}.html",
            )
        )
    )
    # A PO sent twice from the same version has two twins; the one kept with it is the one
    # made at the same moment, else the next one stored after it.
    same_moment = [doc for doc in candidates if doc.created_at == pdf.created_at]
    after = sorted((doc for doc in candidates if doc.id > pdf.id), key=lambda doc: doc.id)
    for choice in (same_moment, after, candidates):
        if choice:
            return min(choice, key=lambda doc: abs(doc.id - pdf.id))
    return None


def _text_of(uow: UnitOfWork, document: Document) -> str:
    if document.media_type == "text/html":
        return readable_text(document.content.decode("utf-8", errors="replace"))
    if document.media_type.startswith("text/"):
        return document.content.decode("utf-8", errors="replace")
    if document.media_type == "application/pdf":
        twin = _html_twin(uow, document)
        if twin is not None:
            return readable_text(twin.content.decode("utf-8", errors="replace"))
        return "The HTML this PDF was made from was not kept, so its text cannot be shown."
    return f"A {document.media_type} document cannot be shown as text."


@use_case("documents.text", write=False)
def document_text(uow: UnitOfWork, document_id: int) -> DocumentView:
    """A document with its fingerprint and the text it shows (a PDF shows its HTML twin)."""
    document = uow.get(Document, document_id, "document")
    _account_of(uow, document.record_type, document.record_id)
    (row,) = _rows(uow, Document.id == document.id)
    return DocumentView(
        **row.model_dump(),
        sha256=document.sha256,
        size=len(document.content),
        text=_text_of(uow, document),
    )
