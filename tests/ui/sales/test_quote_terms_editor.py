"""A quote's terms in its editor: typed, previewed against the rules, refused out of bounds,
saved."""

from __future__ import annotations

from textual.widgets import Input

from acctmgr.services.kernel.context import Context
from acctmgr.services.sales import quote_builder, quotes
from acctmgr.services.sales.quote_builder import NewQuoteIn
from acctmgr.widgets.quote_editor import QuoteEditor
from tests import quote_support
from tests.services.sales.test_quote_terms import UNSUSTAINABLE, unsustainable_terms_rule
from tests.ui.sales.test_quote_editor import TwoQuotes, previewed, totals


async def test_terms_typed_in_the_editor_are_previewed_and_saved(admin: Context) -> None:
    """The editor shows the quote's terms; 90 days to pay previews the approval it needs, 999
    shows no total but which field to fix, and saving stores what was typed."""
    quote_support.catalogue(admin)
    unsustainable_terms_rule(admin)
    ae = admin.as_user("ae")
    quote = quote_builder.new_quote(
        ae,
        NewQuoteIn(account_id=quote_support.new_customer(admin), starts_on=quote_support.STARTS),
    )
    app = TwoQuotes(ae, [quote])
    async with app.run_test(size=(100, 50)) as pilot:
        await previewed(app, pilot)
        editor = app.query_one(QuoteEditor)
        assert {name: editor.values()[name] for name in ("term_months", "notice_days")} == {
            "term_months": "12",
            "notice_days": "60",
        }
        assert "Approvals this quote needs: none" in totals(editor)
        field = editor.query_one("#payment_terms_days", Input)
        for typed, shown in (("999", "Total: — (fix the payment terms)"), ("90", UNSUSTAINABLE)):
            field.focus()
            field.value = ""
            await pilot.press(*typed)
            await previewed(app, pilot)
            assert shown in totals(editor)
        async with editor.one_at_a_time():
            assert await editor.save_typed()
    assert quotes.get_quote(ae, quote.id).payment_terms_days == 90
