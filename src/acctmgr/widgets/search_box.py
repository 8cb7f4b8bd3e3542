"""A one-line search box whose keystrokes repaint only itself.

Textual's Input keeps the width of its text as its virtual size, a reactive that lays the
whole screen out again: on the accounts list that layout took a third of each keystroke and
pushed its results a frame later (benchmarks/search.py). The box never scrolls through the
layout (it scrolls its own text, which reads the virtual size directly), so here the virtual
size only repaints it.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class SearchBox(Input):
    """An Input for search-as-you-type."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
