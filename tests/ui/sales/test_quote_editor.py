"""Two quote editors on one screen, as the offer wizard will hold them: each keeps its own
form, totals and messages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from acctmgr.domain.catalogue import SkuKind
from acctmgr.screens.sales.quote_dialogs import QUOTE_DIALOGS
from acctmgr.services.kernel.context import Context
from acctmgr.services.sales import quote_builder
from acctmgr.services.sales.quote_builder import NewQuoteIn
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.widgets.quote_editor import PREVIEW_DELAY, QuoteEditor
from tests import quote_support


class TwoQuotes(App[None]):
    """Two editors on the default screen; the app is their way to the use cases."""

    def __init__(self, context: Context, quotes: list[QuoteView]) -> None:
        super().__init__()
        self.context = context
        self.quotes = quotes
        self.changed: list[QuoteEditor] = []

    def compose(self) -> ComposeResult:
        for quote in self.quotes:
            yield QuoteEditor(quote, self, QUOTE_DIALOGS)

    async def run_service(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(fn, self.context, *args, **kwargs)

    def on_quote_editor_changed(self, event: QuoteEditor.Changed) -> None:
        self.changed.append(event.editor)


async def previewed(app: TwoQuotes, pilot: Any) -> None:
    """Wait out the typing delay and the previews it starts."""
    await pilot.pause(PREVIEW_DELAY + 0.2)
    await app.workers.wait_for_complete()
    await pilot.pause()


def totals(editor: QuoteEditor) -> str:
    return str(editor.query_one(".quote-totals", Static).render())


async def test_a_discount_typed_in_one_editor_changes_only_its_own_totals(admin: Context) -> None:
    """Two editors on one screen: a discount typed in one reprices it, the other stays put."""
    quote_support.catalogue(admin)
    ae = admin.as_user("ae")
    quotes = [
        quote_builder.new_quote(
            ae,
            NewQuoteIn(
                account_id=quote_support.new_customer(admin, name),
                starts_on=quote_support.STARTS,
            ),
        )
        for name in ("Nova GmbH", "Orbit AG")
    ]
    app = TwoQuotes(ae, quotes)
    async with app.run_test(size=(100, 50)) as pilot:
        await previewed(app, pilot)
        left, right = app.query(QuoteEditor).results(QuoteEditor)
        assert {left.quote.id, right.quote.id} == {quote.id for quote in quotes}
        for editor in (left, right):
            assert "Total list 2,500.00 USD · sold 2,500.00 USD" in totals(editor)
        app.changed.clear()

        workshop = {
            editor: next(line for line in editor.quote.lines if line.kind is SkuKind.SERVICE).id
            for editor in (left, right)
        }
        field = left.query_one(f"#disc_{workshop[left]}", Input)
        field.focus()
        field.value = ""
        await pilot.press(*"40")
        await previewed(app, pilot)

        assert "Total list 2,500.00 USD · sold 1,500.00 USD" in totals(left)
        assert "Total list 2,500.00 USD · sold 2,500.00 USD" in totals(right)
        assert set(app.changed) == {left}
        assert right.values()[f"disc_{workshop[right]}"] == "0"


async def test_a_field_that_cannot_be_priced_shows_no_stale_total(admin: Context) -> None:
    """While a quantity is invalid or past the money limit the total says so, not a stale figure."""
    quote_support.catalogue(admin)
    ae = admin.as_user("ae")
    quote = quote_builder.new_quote(
        ae,
        NewQuoteIn(
            account_id=quote_support.new_customer(admin, "Nova GmbH"),
            starts_on=quote_support.STARTS,
        ),
    )
    app = TwoQuotes(ae, [quote])
    async with app.run_test(size=(100, 50)) as pilot:
        await previewed(app, pilot)
        editor = app.query_one(QuoteEditor)
        workshop = next(line for line in editor.quote.lines if line.kind is SkuKind.SERVICE)
        field = editor.query_one(f"#qty_{workshop.id}", Input)
        for typed in ("two", "1000000"):  # not a number; 2,500.00 x 1,000,000 is past the limit
            field.focus()
            field.value = ""
            await pilot.press(*typed)
            await previewed(app, pilot)
            shown = totals(editor)
            assert f"Total: — (fix line {workshop.position}'s quantity)" in shown
            assert "Total list" not in shown
        field.value = ""
        await pilot.press("2")
        await previewed(app, pilot)
        assert "Total list 5,000.00 USD · sold 5,000.00 USD" in totals(editor)
