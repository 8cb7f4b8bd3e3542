"""A one-line search box whose keystrokes repaint only itself.

Textual's Input keeps the width of its text as its virtual size, a reactive that lays the
whole screen out again: on the accounts list that layout took a third of each keystroke and
pushed its results a frame later (benchmarks/search.py). The box never scrolls through the
layout (it scrolls its own text, which reads the virtual size directly), so here the virtual
size only repaints it.
"""

from __future__ import annotations

from textual.events import Blur
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class SearchBox(Input):
    """An Input for search-as-you-type."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def type_in(self, text: str) -> None:
        """Take the focus and add ``text`` at the end, as if it had been typed here: a letter
        typed on a list goes on its search."""
        # Focus selects the text, and the next letter would replace it; not this time.
        self.select_on_focus = False
        self.focus()
        self.value += text
        self.cursor_position = len(self.value)

    def _on_blur(self, event: Blur) -> None:
        self.select_on_focus = True
