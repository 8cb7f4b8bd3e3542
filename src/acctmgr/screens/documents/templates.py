"""Document templates: which version each document is made from, and an editor for admins.

The editor previews a template with sample data (F5) before it is kept (Ctrl+S); a template
that does not render, or whose HTML the PDF cannot lay out, is refused with its sentence under
the editor and nothing is saved. ``r`` in the list goes back to the shipped default.
"""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static, TextArea

from acctmgr.errors import AcctmgrError
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.screens.documents.viewer import shown_text
from acctmgr.services.documents import templates as template_service
from acctmgr.services.documents.readable_text import readable_text
from acctmgr.services.documents.templates import TemplateRow, TemplateView
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.text import content, day, plain


class TemplatesScreen(AcctmgrScreen):
    """Every template with the version in use; Enter edits one, Delete retires the edit so the
    shipped default is used again."""

    TITLE = "Document templates"
    DEFAULT_CSS = """
    TemplatesScreen #templates-status { height: 1; padding: 0 1; color: $text-muted; }
    """
    AUTO_FOCUS = "#templates"
    BINDINGS = [Binding("delete", "revert", "Retire the edit (use the shipped default)")]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, TemplateRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield RecordTable(
            ("Template", 24), ("Version", 12), "Edited by", ("When", 17), id="templates"
        )
        yield Static(
            "Enter edits a template; version 0 is the shipped default.", id="templates-status"
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(group="templates")
    async def load(self) -> None:
        rows = await self.call(template_service.list_templates)
        if rows is None:
            return
        self.rows = {row.name: row for row in rows}
        self.query_one("#templates", RecordTable).show(_row(row) for row in rows)

    @on(RecordTable.RowSelected, "#templates")
    def _open(self, event: RecordTable.RowSelected) -> None:
        self.app.push_screen(TemplateEditorScreen(event.key))

    def action_revert(self) -> None:
        name = self.query_one("#templates", RecordTable).selected_key
        row = self.rows.get(name or "")
        if row is None:
            return
        if row.version == 0:
            self.notify(f"{row.name} already uses the shipped default.")
            return
        self.app.push_screen(
            ConfirmScreen(
                f"Use the shipped default of {row.name} again?",
                f"Version {row.version} stays on record; the next documents use the default.",
            ),
            lambda answer: self.revert(row) if answer else None,
        )

    @work(group="templates-revert")
    async def revert(self, row: TemplateRow) -> None:
        view = await self.call(template_service.revert_template, row.name, row.version)
        if view is not None:
            self.notify(f"{row.name} uses the shipped default again.")
            self.load()


def _row(row: TemplateRow) -> Row:
    return (
        row.name,
        [
            plain(row.name),
            plain("0 (shipped)" if row.version == 0 else str(row.version)),
            plain(row.edited_by or ""),
            plain(day(row.edited_at)),
        ],
    )


class TemplateEditorScreen(AcctmgrScreen):
    """One template's text; F5 previews it with sample data, Ctrl+S keeps it as a new version."""

    TITLE = "Template"
    DEFAULT_CSS = """
    TemplateEditorScreen #template-body { height: 1fr; }
    TemplateEditorScreen #template-error { height: auto; padding: 0 1; color: $text-error; }
    TemplateEditorScreen #template-preview { height: 1fr; display: none; }
    TemplateEditorScreen.previewing #template-preview { display: block; }
    """
    AUTO_FOCUS = "#template-body"
    BINDINGS = [
        Binding("escape", "leave", "Back (asks before dropping changes)"),
        Binding("f5", "preview", "Refresh the preview", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.template_name = name
        self.view: TemplateView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield TextArea("", soft_wrap=True, tab_behavior="focus", id="template-body")
        yield Static("", id="template-error")
        yield TextArea("", read_only=True, soft_wrap=True, id="template-preview")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @work(group="template")
    async def load(self) -> None:
        view = await self.call(template_service.get_template, self.template_name)
        if view is None:
            self.dismiss()
            return
        self.show_view(view)
        self.query_one("#template-body", TextArea).load_text(view.body)

    def show_view(self, view: TemplateView) -> None:
        self.view = view
        state = "shipped default" if view.version == 0 else f"version {view.version}"
        self.sub_title = f"{view.name} · {state}"

    def _say(self, sentence: str) -> None:
        self.query_one("#template-error", Static).update(content(sentence))

    @property
    def body(self) -> str:
        return self.query_one("#template-body", TextArea).text

    def has_unsaved_work(self) -> bool:
        """Whether the text differs from the version it was loaded as, or last saved as."""
        return self.view is not None and self.body != self.view.body

    @work(group="template-leave", exclusive=True)
    async def action_leave(self) -> None:
        # Escape never drops an edit silently: unsaved text is kept only by Ctrl+S.
        if self.has_unsaved_work():
            drop = await self.app.push_screen_wait(
                ConfirmScreen(
                    "This template has changes that are not saved.",
                    "Leave and drop them? (n stays; Ctrl+S saves them)",
                )
            )
            if not drop:
                return
        self.dismiss()

    @work(group="template-preview", exclusive=True)
    async def action_preview(self) -> None:
        self._say("")
        try:
            text = await self.run_service(
                template_service.preview_template, self.template_name, self.body
            )
        except AcctmgrError as error:
            self._say(error.message)
            self.notify(error.message, severity="error", timeout=8)
            return
        if self.template_name.endswith(".html.j2"):
            # Up to megabytes of HTML: turned to text off the UI thread.
            text = await asyncio.to_thread(readable_text, text)
        self.query_one("#template-preview", TextArea).load_text(shown_text(text))
        self.add_class("previewing")

    @work(group="template-save", exclusive=True)
    async def action_save(self) -> None:
        if self.view is None:
            return
        self._say("")
        try:
            view = await self.run_service(
                template_service.save_template,
                self.template_name,
                self.view.version,
                self.body,
            )
        except AcctmgrError as error:
            self._say(error.message)
            self.notify(error.message, severity="error", timeout=8)
            return
        self.show_view(view)
        self.notify(f"Saved as version {view.version}.")
