"""Rendering documents from templates, and keeping each one exactly as it was sent.

Templates are Jinja2. The default of each ships in ``acctmgr/documents/templates``; an admin
may edit a copy kept in the database (``documents.templates``), and the newest active copy wins.
Rendering runs in the sandbox (``documents.sandbox``), in a worker process of the render pool
(``documents.render_pool``), because an admin's template is code. HTML templates also make the
PDF (``documents.pdf``), in the same worker, so one template drives both. A generated
document is stored with its SHA-256, the template version and the version of the record it was
made from, and never changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import Document, DocumentTemplate
from acctmgr.services.documents.render_pool import fill_in
from acctmgr.services.kernel.unit_of_work import UnitOfWork

# --- where a template's text comes from ------------------------------------------------------


def shipped_template(name: str) -> str:
    """The text of a template that ships with acctmgr (``po.html.j2``)."""
    folder = resources.files("acctmgr.documents") / "templates"
    path = folder / name
    if "/" in name or not path.is_file():
        raise InvalidInput(f"There is no template called {name}.", field="template")
    return path.read_text("utf-8")


def shipped_names() -> list[str]:
    """Every template acctmgr ships, by name."""
    folder = resources.files("acctmgr.documents") / "templates"
    return sorted(item.name for item in folder.iterdir() if item.name.endswith(".j2"))


def template_source(uow: UnitOfWork, name: str) -> tuple[str, int]:
    """The text a document is made from and its version: an admin's copy, else the shipped one
    (version 0)."""
    copy = active_copy(uow, name)
    if copy is not None:
        return copy.body, copy.version
    return shipped_template(name), 0


def active_copy(uow: UnitOfWork, name: str) -> DocumentTemplate | None:
    """The admin's copy of ``name`` in use: the newest active version; None for the shipped one."""
    return uow.session.scalar(
        select(DocumentTemplate)
        .where(DocumentTemplate.name == name, DocumentTemplate.active.is_(True))
        .order_by(DocumentTemplate.version.desc())
        .limit(1)
    )


# --- rendering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    text: str
    template: str
    version: int  # 0 = the shipped default


def render(
    uow: UnitOfWork, name: str, variables: dict[str, Any], *, locale: str = "en_US"
) -> Rendered:
    """Render the template ``name`` as it stands in this database."""
    source, version = template_source(uow, name)
    return Rendered(fill_in(name, source, variables, locale=locale).text, name, version)


# --- keeping documents ---------------------------------------------------------------------------


def store(
    uow: UnitOfWork,
    *,
    kind: str,
    record: tuple[RecordType, int, int],
    rendered: Rendered,
    filename: str,
    media_type: str,
    content: bytes,
) -> Document:
    """Keep a generated document with its hash; ``record`` is (type, id, version)."""
    record_type, record_id, record_version = record
    return uow.add(
        Document(
            kind=kind,
            record_type=record_type,
            record_id=record_id,
            record_version=record_version,
            template_name=rendered.template,
            template_version=rendered.version,
            media_type=media_type,
            filename=filename,
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            created_by_id=uow.actor.id if uow.actor else None,
        )
    )


@dataclass(frozen=True)
class Issued:
    pdf: Document
    html: Document


def issue(
    uow: UnitOfWork,
    *,
    kind: str,
    template: str,
    variables: dict[str, Any],
    locale: str,
    record: tuple[RecordType, int, int],
    filename: str,
    title: str,
) -> Issued:
    """Render an HTML template and keep it twice: as the PDF that is sent, and as the HTML it
    was made from (which the TUI shows as text)."""
    source, version = template_source(uow, template)
    filled = fill_in(template, source, variables, locale=locale, pdf_title=title)
    rendered, pdf = Rendered(filled.text, template, version), filled.pdf
    return Issued(
        pdf=store(
            uow,
            kind=kind,
            record=record,
            rendered=rendered,
            filename=f"{filename}.pdf",
            media_type="application/pdf",
            content=pdf,
        ),
        html=store(
            uow,
            kind=kind,
            record=record,
            rendered=rendered,
            filename=f"{filename}.html",
            media_type="text/html",
            content=rendered.text.encode("utf-8"),
        ),
    )
