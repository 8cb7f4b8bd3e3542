"""The footer every screen shows: its own keys first, the app's F-keys after, and nothing cut.

Textual's Footer lays every key in a row and cuts the row at the screen's edge, so at 80
columns "f4 Approvals" became "f4 Approva". Here the screen's keys come first, in the order
the screen declares them, then the app's (F2 My day, F3 Accounts, F4 Approvals); a key that
does not fit whole is left out of the row. Every key stays in the keys panel (F1) and the
command palette, which the footer always ends with.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# What Textual's FooterKey draws around a key and its description ("` f2 My day `").
KEY_PADDING = 3


class KeysFooter(Footer):
    """A Footer whose keys fit its width, the screen's own before the app's."""

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        room = self.app.size.width - (self._cost(palette.binding) if palette else 0)
        shown: set[str] = set()
        # The screen's and its widgets' keys first (the app's are the same on every screen).
        ordered = sorted(active.values(), key=lambda each: each.node is self.app)
        palette_binding = palette.binding if palette else None
        for _node, binding, enabled, tooltip in ordered:
            if not binding.show or binding.action in shown or binding is palette_binding:
                continue
            cost = self._cost(binding)
            if cost > room:
                continue  # a smaller key after it may still fit
            room -= cost
            shown.add(binding.action)
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        if palette is not None and self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            yield FooterKey(
                palette.binding.key,
                self.app.get_key_display(palette.binding),
                palette.binding.description,
                palette.binding.action,
                classes="-command-palette",
                disabled=not palette.enabled,
                tooltip=palette.binding.tooltip or palette.binding.description,
            )

    def _cost(self, binding: Binding) -> int:
        return len(self.app.get_key_display(binding)) + len(binding.description) + KEY_PADDING

    def on_resize(self) -> None:
        self.call_after_refresh(self.recompose)
