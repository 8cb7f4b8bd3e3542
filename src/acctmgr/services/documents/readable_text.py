"""Rendered HTML as a person reads it, for the screens that show a document as text."""

from __future__ import annotations

from html.parser import HTMLParser


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
