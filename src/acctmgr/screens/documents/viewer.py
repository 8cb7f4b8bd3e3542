"""One kept document: what it is, its fingerprint, and its text as it was sent; a copy saved to
a folder (Ctrl+S), opened in the desktop's viewer (o), or the document sent again (F7)."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static, TextArea

from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.services.documents import copies, stored_documents
from acctmgr.services.documents.stored_documents import DocumentView
from acctmgr.widgets.form import FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.text import day, fields, safe


def shown_text(text: str) -> str:
    """Text from a document or a template, line by line, with control characters visible."""
    return "\n".join(safe(line) for line in text.split("\n"))


class DocumentScreen(AcctmgrScreen):
    """A document's facts (kind, file, SHA-256, versions, made when and by whom) and its text."""

    TITLE = "Document"
    DEFAULT_CSS = """
    DocumentScreen #document-facts { height: auto; padding: 0 1; color: $text-muted; }
    DocumentScreen #document-text { height: 1fr; }
    """
    AUTO_FOCUS = "#document-text"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+s", "save_copy", "Save a copy", priority=True),
        Binding("o", "open_viewer", "Open in the desktop's viewer", priority=True),
        Binding("f7", "send_again", "Send again", priority=True),
    ]

    def __init__(self, document_id: int) -> None:
        super().__init__()
        self.document_id = document_id
        self.document: DocumentView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="document-facts")
        yield TextArea("", read_only=True, soft_wrap=True, id="document-text")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @work(group="document")
    async def load(self) -> None:
        document = await self.call(stored_documents.document_text, self.document_id)
        if document is None:
            self.dismiss()
            return
        self.document = document
        self.sub_title = document.filename
        template = f"{document.template_name} v{document.template_version}"
        if document.template_version == 0:
            template += " (shipped default)"
        made = f"{day(document.created_at)} by {document.created_by or 'the system'}"
        self.query_one("#document-facts", Static).update(
            fields(
                [
                    ("Kind", document.kind),
                    ("File", f"{document.filename} ({document.media_type})"),
                    ("SHA-256", document.sha256),
                    ("Template", template),
                    (
                        "Record",
                        f"{document.record_type} #{document.record_id}, "
                        f"version {document.record_version}",
                    ),
                    ("Made", made),
                ],
                width=9,  # the SHA-256 then fits 80 columns on one line
            )
        )
        self.query_one("#document-text", TextArea).load_text(shown_text(document.text))

    @work(group="document-copy", exclusive=True)
    async def action_save_copy(self) -> None:
        document_id = self.document_id

        async def save(values: dict[str, str]) -> str:
            path = await self.run_service(copies.save_copy, document_id, values["folder"])
            return str(path)

        home = Path.home()
        downloads = home / "Downloads"
        saved = await self.app.push_screen_wait(
            FormDialog(
                "Save a copy",
                [FormField("folder", "Folder", placeholder="a folder on this computer")],
                save,
                intro="The copy is the document exactly as it was sent; a file of the same "
                "name is never overwritten.",
                values={"folder": str(downloads if downloads.is_dir() else home)},
                save_label="Save the copy",
            )
        )
        if saved:
            self.notify(f"Saved as {saved}.")

    @work(group="document-copy", exclusive=True)
    async def action_open_viewer(self) -> None:
        opened = await self.call(copies.open_in_viewer, self.document_id)
        if opened is not None:
            self.notify(f"Opened {opened.name} in the desktop's viewer.")

    @work(group="document-send", exclusive=True)
    async def action_send_again(self) -> None:
        name = self.document.filename if self.document else "this document"
        question = f"Send {name} again?"
        detail = "A new e-mail goes to the people the last one went to, with the same text."
        if not await self.app.push_screen_wait(ConfirmScreen(question, detail)):
            return
        to = await self.call(copies.resend_document, self.document_id)
        if to is not None:
            self.notify(f"Queued for e-mail to {', '.join(to)}.")
