"""One kept document: what it is, its fingerprint, and its text as it was sent."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static, TextArea

from acctmgr.screens.base import AcctmgrScreen
from acctmgr.services.documents import stored_documents
from acctmgr.services.documents.stored_documents import DocumentView
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
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, document_id: int) -> None:
        super().__init__()
        self.document_id = document_id
        self.document: DocumentView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="document-facts")
        yield TextArea("", read_only=True, soft_wrap=True, id="document-text")
        yield Footer()

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
