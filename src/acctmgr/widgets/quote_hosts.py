"""What a screen hands its quote editors (its way of calling use cases, the dialogs), and how
their actions take turns."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from textual.screen import Screen

from acctmgr.services.sales.quote_views import QuoteLineView, QuoteView

if TYPE_CHECKING:
    from acctmgr.services.kernel.context import Context

Save = Callable[[dict[str, str]], Awaitable[QuoteView]]


class QuoteServices(Protocol):
    """How an editor reaches the use cases: what every acctmgr screen has."""

    @property
    def context(self) -> Context: ...

    async def run_service(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...


class QuoteDialogs(Protocol):
    """The dialogs an editor opens. They are screens, which widgets do not import, so the
    screens hand them in (``acctmgr.screens.sales.quote_dialogs``)."""

    def pick_sku(self, currency: str) -> Screen[Any]:
        """The catalogue, priced in the currency; dismisses with a SKU's id, or None."""
        ...

    def outside_item(self, add: Save) -> Screen[Any]:
        """The item's description, price, quantity and discount; dismisses with what ``add``
        returned, or None."""
        ...

    def statement_of_work(self, line: QuoteLineView, write: Save) -> Screen[Any]:
        """The line's statement of work; dismisses with what ``write`` returned, or None."""
        ...


def in_turn(action: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """An action of a quote editor (or of its screen, which has ``editor``) run in its turn:
    after whatever is saving the quote now, never beside it. Its worker must not be exclusive,
    which would cancel the save on its way while its thread still commits."""

    @functools.wraps(action)
    async def in_its_turn(owner: Any, *args: Any) -> None:
        editor = getattr(owner, "editor", owner)  # a screen holding one editor, or the editor
        async with editor.one_at_a_time():
            await action(owner, *args)

    return in_its_turn
