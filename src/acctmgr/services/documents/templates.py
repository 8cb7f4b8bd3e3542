"""Editing document templates, and reading the documents they made.

An admin edits a copy of a shipped template; each save is a new version, and the newest active
copy is what the next document is made from (``documents.template_source``). A copy is checked
before it is kept: it must render the sample data of its template inside the sandbox, and an
HTML template must also make a PDF, so a broken template is refused at the keyboard instead of
breaking the next purchase order. Reverting deactivates the copies, so the shipped default is
used again; nothing is deleted, because every document records the version it was made from.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from acctmgr.errors import Conflict, NotFound
from acctmgr.models import (
    Account,
    Contract,
    Document,
    DocumentTemplate,
    Invoice,
    Offer,
    Quote,
    Role,
    User,
)
from acctmgr.services.documents import rendering as documents
from acctmgr.services.documents.pdf import pdf_of
from acctmgr.services.documents.sandbox import render_source
from acctmgr.services.kernel.permissions import require_role, require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

# The records documents are kept for, and the table each lives in (``Document.record_type``).
RECORDS: dict[str, type[Quote] | type[Contract] | type[Invoice] | type[Offer]] = {
    "quotes": Quote,
    "contracts": Contract,
    "invoices": Invoice,
    "offers": Offer,
}
TEMPLATE_CHANGED = (
    "Someone else changed the template {name} since you opened it; your changes were not "
    "saved. Reopen it to see theirs, then make your change again."
)


# --- sample data -------------------------------------------------------------------------------


def _sample_lines() -> list[dict[str, Any]]:
    return [
        {
            "description": "Analytics Suite subscription",
            "quantity": 1,
            "list_price_minor": 1_200_000,
            "discount_pct": Decimal("10"),
            "net_minor": 1_080_000,
            "included": False,
            "consume_by": None,
            "included_volume": None,
            "overage": [],
            "statement_of_work": "",
        },
        {
            "description": "Starter pack: onboarding call",
            "quantity": 1,
            "list_price_minor": 0,
            "discount_pct": Decimal("0"),
            "net_minor": 0,
            "included": True,
            "consume_by": None,
            "included_volume": None,
            "overage": [],
            "statement_of_work": "",
        },
        {
            "description": "Tagging workshop (one day)",
            "quantity": 2,
            "list_price_minor": 150_000,
            "discount_pct": Decimal("0"),
            "net_minor": 300_000,
            "included": False,
            "consume_by": date(2027, 6, 30),
            "included_volume": None,
            "overage": [],
            "statement_of_work": "",
        },
        {
            "description": "Page views",
            "quantity": 1,
            "list_price_minor": 250_000,
            "discount_pct": Decimal("0"),
            "net_minor": 250_000,
            "included": False,
            "consume_by": None,
            "included_volume": 500_000,
            "overage": [
                {"from_volume": 500_000, "unit_price_minor": 2},
                {"from_volume": 2_000_000, "unit_price_minor": 1},
            ],
            "statement_of_work": "",
        },
        {
            "description": "Implementation service",
            "quantity": 1,
            "list_price_minor": 400_000,
            "discount_pct": Decimal("5"),
            "net_minor": 380_000,
            "included": False,
            "consume_by": None,
            "included_volume": None,
            "overage": [],
            "statement_of_work": "Set up tracking on three sites and train two analysts.",
        },
    ]


def sample_variables(name: str) -> dict[str, Any]:
    """Realistic data for a shipped template, the same shape its documents are made with."""
    documents.shipped_template(name)  # an unknown name is refused with its sentence
    if name == "email.html.j2":
        return {
            "paragraphs": [
                "Dear Ms Berger,",
                "please find attached purchase order Q-000042 for Müller & Söhne GmbH.",
                "Kind regards,\nAlex Seller",
            ]
        }
    lines = _sample_lines()
    listed = sum(line["list_price_minor"] * line["quantity"] for line in lines)
    net = sum(line["net_minor"] for line in lines)
    return {
        "company": "Our company",
        "account": {
            "name": "Müller & Söhne GmbH",
            "iseries_number": "100234",
            "address": "Hauptstraße 5, 80331 München, Bayern, DE",
            "invoice_contact": "Anna Berger <anna.berger@example.com>",
        },
        "currency": "EUR",
        "quote": {
            "number": "Q-000042",
            "starts_on": date(2027, 1, 1),
            "valid_until": date(2026, 12, 15),
            "term_months": 12,
            "territory": "Germany, Austria and Switzerland",
        },
        "offer": {"title": "Analytics for three sites", "valid_until": date(2026, 12, 15)},
        "contract": {
            "number": "C-000017",
            "starts_on": date(2027, 1, 1),
            "ends_on": date(2027, 12, 31),
            "term_months": 12,
            "notice_days": 60,
            "territory": "Germany, Austria and Switzerland",
        },
        "supersedes": None,
        "invoice": {
            "number": "INV-000108",
            "issued_on": date(2027, 1, 1),
            "due_on": date(2027, 1, 31),
        },
        "lines": lines,
        "totals": {"list_minor": listed, "net_minor": net, "discount_minor": listed - net},
        "contact_name": "Anna Berger",
        "sender": "Alex Seller",
    }


# --- HTML as readable text -----------------------------------------------------------------------


class _TextOfHtml(HTMLParser):
    """Collects the text of HTML: a block per line, a table row per line, cells joined by |."""

    BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table"})
    SKIPPED = frozenset({"style", "script", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.cells: list[str] | None = None
        self.cell: list[str] | None = None
        self.skipping = 0

    def _end_line(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.lines.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag == "tr":
            self._end_line()
            self.cells = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "br":
            if self.cell is not None:
                self.cell.append(" ")
            else:
                self._end_line()
        elif tag in self.BLOCKS:
            self._end_line()
        if tag == "li":
            self.current.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in ("td", "th") and self.cell is not None and self.cells is not None:
            self.cells.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.cells is not None:
            while self.cells and not self.cells[-1]:
                self.cells.pop()  # empty trailing cells say nothing
            if self.cells:
                self.lines.append(" | ".join(self.cells))
            self.cells = None
        elif tag in self.BLOCKS:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.cells is None:
            self.current.append(data)


def readable_text(html: str) -> str:
    """The text of rendered HTML as a person reads it: blocks on their own lines, each table
    row on one line with its cells separated by " | "."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    parser._end_line()
    return "\n".join(parser.lines)


# --- templates -----------------------------------------------------------------------------------


class TemplateRow(ReadModel):
    name: str
    version: int  # 0 = the shipped default
    edited_by: str | None
    edited_at: datetime | None


class TemplateView(ReadModel):
    name: str
    version: int
    body: str
    shipped_body: str
    makes_pdf: bool


def _active_copy(uow: UnitOfWork, name: str) -> DocumentTemplate | None:
    return uow.session.scalar(
        select(DocumentTemplate)
        .where(DocumentTemplate.name == name, DocumentTemplate.active.is_(True))
        .order_by(DocumentTemplate.version.desc())
        .limit(1)
    )


def _view(uow: UnitOfWork, name: str) -> TemplateView:
    shipped = documents.shipped_template(name)
    copy = _active_copy(uow, name)
    return TemplateView(
        name=name,
        version=copy.version if copy else 0,
        body=copy.body if copy else shipped,
        shipped_body=shipped,
        makes_pdf=name.endswith(".html.j2"),
    )


def _check(name: str, body: str, locale: str = "en_US") -> str:
    """Render ``body`` with the sample data (and make its PDF); InvalidInput when it fails."""
    text = render_source(name, body, sample_variables(name), locale=locale)
    if name.endswith(".html.j2"):
        pdf_of(text, name=name, title=name)
    return text


@use_case("templates.list", write=False)
def list_templates(uow: UnitOfWork) -> list[TemplateRow]:
    """Every shipped template with the version in use and who edited it last."""
    rows = []
    for name in documents.shipped_names():
        copy = _active_copy(uow, name)
        editor = uow.session.get(User, copy.edited_by_id) if copy and copy.edited_by_id else None
        rows.append(
            TemplateRow(
                name=name,
                version=copy.version if copy else 0,
                edited_by=editor.name if editor else None,
                edited_at=copy.created_at if copy else None,
            )
        )
    return rows


@use_case("templates.get", write=False)
def get_template(uow: UnitOfWork, name: str) -> TemplateView:
    """The text of a template as it is used now, and the shipped default beside it."""
    return _view(uow, name)


# A use case, though it reads nothing: it runs off the UI thread for a signed-in user, like
# every other call the screens make.
@use_case("templates.preview", write=False)
def preview_template(uow: UnitOfWork, name: str, body: str, locale: str = "en_US") -> str:
    """``body`` filled in with the sample data; refused with one sentence when it is broken or,
    for HTML, when the PDF cannot be laid out. Only an Admin: previews run templates."""
    require_role(uow.user, Role.ADMIN, to="preview templates")
    return _check(name, body, locale)


@use_case("templates.save")
def save_template(uow: UnitOfWork, name: str, expected_version: int, body: str) -> TemplateView:
    """Keep ``body`` as the next version of ``name``; the next document is made from it."""
    require_role(uow.user, Role.ADMIN, to="edit templates")
    current = _view(uow, name)
    if current.version != expected_version:
        raise Conflict(TEMPLATE_CHANGED.format(name=name))
    _check(name, body)
    highest = uow.session.scalar(
        select(func.max(DocumentTemplate.version)).where(DocumentTemplate.name == name)
    )
    for copy in uow.session.scalars(
        select(DocumentTemplate).where(
            DocumentTemplate.name == name, DocumentTemplate.active.is_(True)
        )
    ):
        copy.active = False
    try:
        uow.add(
            DocumentTemplate(
                name=name,
                version=(highest or 0) + 1,
                body=body,
                edited_by_id=uow.user.id,
                active=True,
            )
        )
    except IntegrityError:
        # Another admin saved the same next version a moment ago (PostgreSQL).
        raise Conflict(TEMPLATE_CHANGED.format(name=name)) from None
    return _view(uow, name)


@use_case("templates.revert")
def revert_template(uow: UnitOfWork, name: str, expected_version: int) -> TemplateView:
    """Use the shipped default of ``name`` again; the edited copies stay, inactive."""
    require_role(uow.user, Role.ADMIN, to="edit templates")
    current = _view(uow, name)
    if current.version != expected_version:
        raise Conflict(TEMPLATE_CHANGED.format(name=name))
    for copy in uow.session.scalars(
        select(DocumentTemplate).where(
            DocumentTemplate.name == name, DocumentTemplate.active.is_(True)
        )
    ):
        copy.active = False
    uow.session.flush()
    return _view(uow, name)


# --- documents -----------------------------------------------------------------------------------


class DocumentRow(ReadModel):
    id: int
    kind: str
    filename: str
    media_type: str
    record_type: str
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


def _account_of(uow: UnitOfWork, record_type: str, record_id: int) -> Account:
    model = RECORDS.get(record_type)
    if model is None:
        raise NotFound(f"Documents are not kept for {record_type}.")
    record = uow.get(model, record_id, record_type.rstrip("s"))
    account = uow.get(Account, record.account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    return account


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
def record_documents(uow: UnitOfWork, record_type: str, record_id: int) -> list[DocumentRow]:
    """The documents made from one record (``"quotes"``, 12), newest first."""
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
    creator = uow.session.get(User, document.created_by_id) if document.created_by_id else None
    return DocumentView(
        id=document.id,
        kind=document.kind,
        filename=document.filename,
        media_type=document.media_type,
        record_type=document.record_type,
        record_id=document.record_id,
        record_version=document.record_version,
        template_name=document.template_name,
        template_version=document.template_version,
        created_at=document.created_at,
        created_by=creator.name if creator else None,
        sha256=document.sha256,
        size=len(document.content),
        text=_text_of(uow, document),
    )
