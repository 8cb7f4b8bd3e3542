"""Admins edit document templates: each save is a new version the next document is made from
and records; a template that does not render or lay out is refused and the old one kept."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import DocumentTemplate
from acctmgr.services.documents import rendering as documents
from acctmgr.services.documents import sample_data
from acctmgr.services.documents import templates as template_service
from acctmgr.services.documents.pdf import pdf_of
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import UnitOfWork, run_use_case

PO = "po.html.j2"


def issue_po(admin: Context) -> documents.Issued:
    """A PO document made from the sample data, as sending one does."""

    def work(uow: UnitOfWork) -> documents.Issued:
        issued = documents.issue(
            uow,
            kind="po",
            template=PO,
            variables=sample_data.sample_variables(PO),
            locale="en_US",
            record=(RecordType.QUOTE, 1, 3),
            filename="PO-Q-000042",
            title="Purchase order Q-000042",
        )
        uow.session.expunge_all()
        return issued

    return run_use_case(admin, "test.issue", True, True, work)


def stored(admin: Context) -> list[tuple[int, bool, str]]:
    with admin.database.read_session() as session:
        rows = session.scalars(
            select(DocumentTemplate)
            .where(DocumentTemplate.name == PO)
            .order_by(DocumentTemplate.version)
        )
        return [(row.version, row.active, row.body) for row in rows]


def test_an_admin_edit_is_used_by_the_next_document_and_recorded_on_it(admin: Context) -> None:
    """An Admin's edit makes the next document, which records the version; old ones stay."""
    first = issue_po(admin)
    assert (first.pdf.template_version, first.html.template_version) == (0, 0)

    body = template_service.get_template(admin, PO).body
    edited = body.replace("Purchase order", "Order form")
    view = template_service.save_template(admin, PO, 0, edited)
    assert (view.version, view.body) == (1, edited)
    assert view.shipped_body == documents.shipped_template(PO)

    second = issue_po(admin)
    assert (second.pdf.template_version, second.html.template_version) == (1, 1)
    assert "Order form Q-000042" in second.html.content.decode()
    row = next(row for row in template_service.list_templates(admin) if row.name == PO)
    assert (row.version, row.edited_by) == (1, "Ada Admin")
    assert row.edited_at is not None

    template_service.save_template(admin, PO, 1, edited.replace("Order form", "Order"))
    assert [(version, active) for version, active, _ in stored(admin)] == [(1, False), (2, True)]


def test_only_an_admin_edits_templates(admin: Context) -> None:
    """Only an Admin saves, reverts or previews a template; nothing is stored for others."""
    body = template_service.get_template(admin, PO).body
    for login in ("ae", "finance", "leader"):
        with pytest.raises(PermissionDenied, match="Only an Admin can edit templates"):
            template_service.save_template(admin.as_user(login), PO, 0, body + "<p>x</p>")
    with pytest.raises(PermissionDenied):
        template_service.revert_template(admin.as_user("ae"), PO, 0)
    # Previews run template code too (seconds of CPU at most): only an Admin.
    with pytest.raises(PermissionDenied, match="Only an Admin can preview templates"):
        template_service.preview_template(admin.as_user("ae"), PO, body)
    assert stored(admin) == []
    assert "Purchase order" in template_service.preview_template(admin, PO, body)


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        (
            "<h1>PO {{ quote.number }</h1>",
            "The template po.html.j2 has an error on line 1:",
        ),
        (
            "<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>",
            "The template po.html.j2 makes HTML the PDF cannot lay out:",
        ),
        ("<table><td>{{ quote.number }}</td></table>", "makes HTML the PDF cannot lay out"),
        ("{{ ''.__class__ }}", "was stopped: it uses '__class__'"),
        ("{{ quote.number.missing() }}", "cannot be filled in"),
        ("<h1>\x1b[2J{{ quote.number }}</h1>", "The template cannot contain control characters"),
        ("<h1>{{ quote.number }}\x00</h1>", "The template cannot contain control characters"),
    ],
)
def test_a_broken_template_is_refused_and_the_old_one_still_used(
    admin: Context, body: str, sentence: str
) -> None:
    """A template that cannot render is refused, and the saved version stays in use."""
    kept = template_service.save_template(admin, PO, 0, "<h1>Kept {{ quote.number }}</h1>")
    for attempt in (
        lambda: template_service.preview_template(admin, PO, body),
        lambda: template_service.save_template(admin, PO, kept.version, body),
    ):
        with pytest.raises(InvalidInput) as caught:
            attempt()
        assert sentence in caught.value.message
        assert caught.value.field == "body"
    assert [(version, active) for version, active, _ in stored(admin)] == [(1, True)]
    issued = issue_po(admin)
    assert issued.pdf.template_version == 1
    assert issued.html.content.decode() == "<h1>Kept Q-000042</h1>"


def test_revert_brings_back_the_shipped_default(admin: Context) -> None:
    """Reverting brings back the shipped default; the next edit is a new version."""
    template_service.save_template(admin, PO, 0, "<h1>Edited {{ quote.number }}</h1>")
    view = template_service.revert_template(admin, PO, 1)
    assert view.version == 0
    assert view.body == documents.shipped_template(PO)
    assert [(version, active) for version, active, _ in stored(admin)] == [(1, False)]
    assert issue_po(admin).pdf.template_version == 0
    # The next edit after a revert is a new version; the old one stays on record.
    again = template_service.save_template(admin, PO, 0, "<h1>Again {{ quote.number }}</h1>")
    assert again.version == 2


def test_a_save_from_a_stale_copy_is_a_conflict(admin: Context) -> None:
    """Saving or reverting from a stale copy is a Conflict, and nothing is stored."""
    template_service.save_template(admin, PO, 0, "<h1>First {{ quote.number }}</h1>")
    with pytest.raises(Conflict, match=r"Someone else changed the template po\.html\.j2"):
        template_service.save_template(admin, PO, 0, "<h1>Second {{ quote.number }}</h1>")
    with pytest.raises(Conflict):
        template_service.revert_template(admin, PO, 0)
    assert [version for version, _, _ in stored(admin)] == [1]


def test_an_unknown_template_is_named(admin: Context) -> None:
    """A template name that is not shipped, or a path, is refused by name."""
    with pytest.raises(InvalidInput, match=r"There is no template called nope\.j2"):
        template_service.save_template(admin, "nope.j2", 0, "x")
    with pytest.raises(InvalidInput, match="There is no template called"):
        template_service.get_template(admin, "../secrets")


@pytest.mark.parametrize("name", documents.shipped_names())
def test_every_shipped_template_previews_with_its_sample(admin: Context, name: str) -> None:
    """Every shipped template previews with its sample data, and an HTML one makes a PDF."""
    view = template_service.get_template(admin, name)
    text = template_service.preview_template(admin, name, view.body)
    variables: dict[str, Any] = sample_data.sample_variables(name)
    assert text.strip()
    if "account" in variables:
        assert "Müller &" in text
    if name.endswith(".html.j2"):
        pdf = pdf_of(text, name=name, title=name)
        assert pdf.startswith(b"%PDF")
    assert {row.name for row in template_service.list_templates(admin)} == set(
        documents.shipped_names()
    )
