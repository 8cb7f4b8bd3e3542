"""Templates and documents on screen: an admin edits, previews and saves a template; a seller
opens an account's documents and reads one with its fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import Input, Static, TextArea

from acctmgr.app import AcctmgrApp
from acctmgr.domain.records import RecordType
from acctmgr.models import Account, Contract, Document, DocumentTemplate, User
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.screens.documents.templates import TemplateEditorScreen, TemplatesScreen
from acctmgr.screens.documents.viewer import DocumentScreen
from acctmgr.services.documents import rendering as documents
from acctmgr.services.documents import sample_data
from acctmgr.services.kernel.unit_of_work import UnitOfWork, run_use_case
from acctmgr.widgets.record_table import RecordTable
from tests.ui_support import build_app, notifications, settle, until, while_waiting

SIZE = (80, 24)
EMAIL = "po_email.txt.j2"


def stored_versions(app: AcctmgrApp, name: str) -> list[tuple[int, bool, str]]:
    with app.context.database.read_session() as session:
        rows = session.scalars(
            select(DocumentTemplate)
            .where(DocumentTemplate.name == name)
            .order_by(DocumentTemplate.version)
        )
        return [(row.version, row.active, row.body) for row in rows]


def static_text(app: AcctmgrApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_editor(app: AcctmgrApp, pilot: object, name: str) -> None:
    await app.push_screen(TemplatesScreen())
    await settle(app, pilot)
    table = app.screen.query_one("#templates", RecordTable)
    assert name in table.texts()
    table.focus()
    table.move_to(name)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await until(
        app,
        pilot,
        lambda: (
            isinstance(app.screen, TemplateEditorScreen)
            and app.screen.query_one("#template-body", TextArea).text != ""
        ),
        "the editor shows the template",
    )


async def test_an_admin_edits_previews_and_saves_a_template(tmp_path: Path, office: Path) -> None:
    """An Admin edits, previews and saves a template; a broken edit is refused; r reverts it."""
    app = build_app(tmp_path, "admin", office)
    shown = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_editor(app, pilot, EMAIL)
        body = app.screen.query_one("#template-body", TextArea)
        assert body.text == documents.shipped_template(EMAIL)
        body.focus()
        body.move_cursor((0, 0))
        await pilot.press(*"Hello. ")
        await pilot.press("f5")
        preview = app.screen.query_one("#template-preview", TextArea)
        await until(app, pilot, lambda: preview.display and preview.text != "", "a preview")
        assert preview.text.startswith("Hello. Dear Anna Berger,")

        # A broken edit is refused under the editor, and nothing is kept.
        await pilot.press(*"{{ oops ")
        await pilot.press("ctrl+s")
        await until(
            app,
            pilot,
            lambda: "has an error on line 1" in static_text(app, "#template-error"),
            "the sentence under the editor",
        )
        assert stored_versions(app, EMAIL) == []

        for _ in range(len("{{ oops ")):
            await pilot.press("backspace")
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: bool(stored_versions(app, EMAIL)), "the template saved")
        assert "Saved as version 1." in shown
        assert "version 1" in (app.screen.sub_title or "")
        assert static_text(app, "#template-error") == ""

        # Back in the list, r reverts to the shipped default after a yes.
        await pilot.press("escape")
        await until(
            app,
            pilot,
            lambda: (
                isinstance(app.screen, TemplatesScreen)
                and "1" in app.screen.query_one(RecordTable).cells(EMAIL)[1]
            ),
            "the list shows version 1",
        )
        await pilot.press("delete")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await until(
            app,
            pilot,
            lambda: not stored_versions(app, EMAIL)[0][1],
            "the copy deactivated",
        )
    versions = stored_versions(app, EMAIL)
    assert [(version, active) for version, active, _ in versions] == [(1, False)]
    assert versions[0][2] == "Hello. " + documents.shipped_template(EMAIL)
    with app.context.database.read_session() as session:
        editor = session.scalars(select(User).where(User.login == "admin")).one()
        row = session.scalars(select(DocumentTemplate)).one()
        assert row.edited_by_id == editor.id


async def test_a_seller_cannot_save_a_template(tmp_path: Path, office: Path) -> None:
    """A seller's save of a template is refused under the editor, and nothing is stored."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_editor(app, pilot, EMAIL)
        app.screen.query_one("#template-body", TextArea).focus()
        await pilot.press(*"Hi ", "ctrl+s")
        await until(
            app,
            pilot,
            lambda: "Only an Admin can edit templates." in static_text(app, "#template-error"),
            "the refusal under the editor",
        )
    assert stored_versions(app, EMAIL) == []


def a_contract_document(app: AcctmgrApp) -> tuple[int, int, str]:
    """A contract PDF (with its HTML twin) for an account the seller ``ae`` works on:
    (account id, PDF id, its SHA-256)."""

    def work(uow: UnitOfWork) -> tuple[int, int, str]:
        seller = uow.session.scalars(select(User).where(User.login == "ae")).one()
        contract = uow.session.scalars(
            select(Contract)
            .join(Account, Account.id == Contract.account_id)
            .where(Account.segment_id == seller.segment_id)
            .order_by(Contract.id)
            .limit(1)
        ).one()
        issued = documents.issue(
            uow,
            kind="contract",
            template="contract.html.j2",
            variables=sample_data.sample_variables("contract.html.j2"),
            locale="de_DE",
            record=(RecordType.CONTRACT, contract.id, contract.version),
            filename=contract.number,
            title=f"Contract {contract.number}",
        )
        return contract.account_id, issued.pdf.id, issued.pdf.sha256

    return run_use_case(app.context, "test.issue", True, True, work)


async def test_a_seller_reads_a_document_from_the_account(tmp_path: Path, office: Path) -> None:
    """A seller opens a contract PDF from the account and reads it with its fingerprint."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        account_id, pdf_id, sha256 = a_contract_document(app)
        await app.push_screen(AccountScreen(account_id))
        await settle(app, pilot)
        await pilot.press("7")  # the Documents tab
        table = app.screen.query_one("#documents-table", RecordTable)
        await until(app, pilot, lambda: table.row_count == 2, "the PDF and its HTML listed")
        table.focus()
        table.move_to(str(pdf_id))
        await pilot.press("enter")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, DocumentScreen) and app.screen.document is not None,
            "the viewer",
        )
        facts = static_text(app, "#document-facts")
        assert sha256 in facts
        assert "contract.html.j2 v0 (shipped default)" in facts
        text = app.screen.query_one("#document-text", TextArea).text
        assert "Contract C-000017" in text
        # A table row on one line, in euros as Germans write them (spaces evened out: Babel
        # puts no-break spaces before the sign).
        assert "12.000,00 € | 10 % | 10.800,00 €" in " ".join(text.split())
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)


async def test_escape_asks_before_dropping_an_unsaved_template_edit(
    tmp_path: Path, office: Path
) -> None:
    """Escape over an unsaved edit asks; n stays with the text, y leaves and keeps nothing."""
    app = build_app(tmp_path, "admin", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_editor(app, pilot, EMAIL)
        body = app.screen.query_one("#template-body", TextArea)
        body.focus()
        body.move_cursor((0, 0))
        await pilot.press(*"Hello. ")
        await pilot.press("escape")
        await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        await while_waiting(
            pilot, lambda: isinstance(app.screen, TemplateEditorScreen), "the editor again"
        )
        assert body.text.startswith("Hello. ")
        await pilot.press("escape")
        await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await while_waiting(pilot, lambda: isinstance(app.screen, TemplatesScreen), "the list")
    assert stored_versions(app, EMAIL) == []


async def test_a_seller_saves_a_copy_and_is_told_there_is_no_viewer_here(
    tmp_path: Path, office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+S asks for a folder and writes the PDF there as it was sent; o, with no desktop,
    says to save a copy instead; F7 asks before sending it again."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = build_app(tmp_path, "ae", office)
    shown = notifications(app)
    folder = tmp_path / "copies"
    folder.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        _account_id, pdf_id, _sha256 = a_contract_document(app)
        await app.push_screen(DocumentScreen(pdf_id))
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, DocumentScreen) and app.screen.document is not None,
            "the document",
        )
        await pilot.press("ctrl+s")
        await while_waiting(pilot, lambda: isinstance(app.screen, FormDialog), "the folder")
        app.screen.query_one("#folder", Input).value = str(folder)
        await pilot.press("ctrl+s")
        await while_waiting(pilot, lambda: isinstance(app.screen, DocumentScreen), "the viewer")
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        await pilot.press("f7")
        await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        await settle(app, pilot)
    (copy,) = folder.iterdir()
    with app.context.database.read_session() as session:
        stored = session.get(Document, pdf_id)
        assert stored is not None
        assert copy.read_bytes() == stored.content
    assert any(message.startswith("Saved as") for message in shown), shown
    assert any("no desktop viewer" in message for message in shown), shown
