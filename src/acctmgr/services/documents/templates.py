"""Editing document templates: list, read, preview, save and revert them.

An admin edits a copy of a shipped template; each save is a new version, and the newest active
copy is what the next document is made from (``rendering.template_source``). A copy is checked
before it is kept: it must render the sample data of its template inside the sandbox, in a worker
process under time and memory limits (``documents.render_pool``), and an HTML template must also
make a PDF, so a broken template is refused at the keyboard instead of
breaking the next purchase order. Reverting deactivates the copies, so the shipped default is
used again; nothing is deleted, because every document records the version it was made from.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from acctmgr.errors import Conflict
from acctmgr.models import DocumentTemplate, Role, User
from acctmgr.services.documents import render_pool
from acctmgr.services.documents.rendering import active_copy, shipped_names, shipped_template
from acctmgr.services.documents.sample_data import sample_variables
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text import free_text
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

TEMPLATE_CHANGED = (
    "Someone else changed the template {name} since you opened it; your changes were not "
    "saved. Reopen it to see theirs, then make your change again."
)


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


def _view(uow: UnitOfWork, name: str) -> TemplateView:
    shipped = shipped_template(name)
    copy = active_copy(uow, name)
    return TemplateView(
        name=name,
        version=copy.version if copy else 0,
        body=copy.body if copy else shipped,
        shipped_body=shipped,
        makes_pdf=name.endswith(".html.j2"),
    )


def _check(name: str, body: str, locale: str = "en_US", *, whole_pdf: bool = True) -> str:
    """Render ``body`` with the sample data and make its PDF (or, not ``whole_pdf``, only lay
    it out: a preview answers in half the time); InvalidInput when it fails."""
    title = name if name.endswith(".html.j2") else None
    filled = render_pool.fill_in(
        name,
        body,
        sample_variables(name),
        locale=locale,
        pdf_title=title,
        lay_out_only=not whole_pdf,
    )
    return filled.text


@use_case("templates.list", write=False)
def list_templates(uow: UnitOfWork) -> list[TemplateRow]:
    """Every shipped template with the version in use and who edited it last."""
    rows = []
    for name in shipped_names():
        copy = active_copy(uow, name)
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
    """The text of a template as it is used now, and the shipped default beside it; the
    workers that preview it start meanwhile."""
    view = _view(uow, name)
    render_pool.warm_up()
    return view


# A use case, though it reads nothing: it runs off the UI thread for a signed-in user, like
# every other call the screens make.
@use_case("templates.preview", write=False)
def preview_template(uow: UnitOfWork, name: str, body: str, locale: str = "en_US") -> str:
    """``body`` filled in with the sample data; refused with one sentence when it holds control
    characters (see ``save_template``), is broken or, for HTML, when the PDF cannot be laid out.
    Only an Admin: previews run templates."""
    require_role(uow.user, Role.ADMIN, to="preview templates")
    return _check(name, free_text(body, what="template", field="body"), locale, whole_pdf=False)


@use_case("templates.save")
def save_template(uow: UnitOfWork, name: str, expected_version: int, body: str) -> TemplateView:
    """Keep ``body`` as the next version of ``name``; the next document is made from it.

    Only an Admin can. Refused with InvalidInput when it holds control characters other than
    line breaks and tabs, or does not render the sample data (or, for HTML, make its PDF), and
    with Conflict when someone saved the template since it was loaded.
    """
    require_role(uow.user, Role.ADMIN, to="edit templates")
    _expect_in_use(uow, name, expected_version)
    body = free_text(body, what="template", field="body")
    _check(name, body)
    highest = uow.session.scalar(
        select(func.max(DocumentTemplate.version)).where(DocumentTemplate.name == name)
    )
    _deactivate_copies(uow, name)
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
    """Use the shipped default of ``name`` again; the edited copies stay, inactive.

    Only an Admin can. Refused with Conflict when someone saved the template since it was loaded.
    """
    require_role(uow.user, Role.ADMIN, to="edit templates")
    _expect_in_use(uow, name, expected_version)
    _deactivate_copies(uow, name)
    uow.session.flush()
    return _view(uow, name)


def _expect_in_use(uow: UnitOfWork, name: str, expected_version: int) -> None:
    """Refuse a change made from a version of ``name`` that is no longer the one in use."""
    if _view(uow, name).version != expected_version:
        raise Conflict(TEMPLATE_CHANGED.format(name=name))


def _deactivate_copies(uow: UnitOfWork, name: str) -> None:
    for copy in uow.session.scalars(
        select(DocumentTemplate).where(
            DocumentTemplate.name == name, DocumentTemplate.active.is_(True)
        )
    ):
        copy.active = False
