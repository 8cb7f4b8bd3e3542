"""A quote edited faster than it saves, and edited by someone else while it is open."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from textual.widgets import Input

from acctmgr.app import AcctmgrApp
from acctmgr.models import Decision, QuoteLine, QuoteStatus
from acctmgr.screens.sales.quote import QuoteScreen
from acctmgr.screens.sales.sku_picker import SkuPicker
from acctmgr.services.approvals import decisions as approval_decisions
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.sales import quote_builder, quotes
from acctmgr.services.sales.quote_builder import NewQuoteIn, OffCatalogueLineIn
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn
from tests.office_support import STAFF
from tests.ui.sales.test_quote import a_new_customer
from tests.ui_support import build_app, notifications, settle, while_waiting

SIZE = (100, 30)


def a_first_quote(app: AcctmgrApp) -> QuoteView:
    """ae's first quote for a new customer, with its starter pack."""
    account_id = a_new_customer(app)
    ae = app.context.as_user("ae")
    return quote_builder.new_quote(
        ae, NewQuoteIn(account_id=account_id, starts_on=date(2027, 1, 1))
    )


def stored_lines(app: AcctmgrApp, quote_id: int) -> int:
    with app.context.database.read_session() as session:
        return int(session.scalar(select(func.count()).where(QuoteLine.quote_id == quote_id)) or 0)


async def test_three_lines_added_faster_than_they_save_are_all_shown_as_stored(
    tmp_path: Path, office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+N, Enter three times while each add is still saving: every line is stored once,
    the screen shows what is stored, and nobody is said to have saved the quote."""
    app = build_app(tmp_path, "ae", office)
    quote = a_first_quote(app)
    slow_add = quote_builder.add_catalogue_line

    def add_slowly(*args: Any) -> QuoteView:
        time.sleep(0.3)  # a slow database: the next key comes while this one saves
        return slow_add(*args)

    monkeypatch.setattr(quote_builder, "add_catalogue_line", add_slowly)
    shown = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(QuoteScreen(quote))
        await settle(app, pilot)
        for _ in range(3):
            await pilot.press("ctrl+n")
            await while_waiting(
                pilot, lambda: isinstance(app.screen, SkuPicker), "the quote at rest"
            )
            await settle(app, pilot)
            await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, QuoteScreen)
        await while_waiting(
            pilot, lambda: len(screen.quote.lines) == len(quote.lines) + 3, "the quote at rest"
        )
        await settle(app, pilot)
        quantities = [field for field in screen.query(Input) if (field.id or "").startswith("qty_")]
        assert len(quantities) == len(quote.lines) + 3
    assert stored_lines(app, quote.id) == len(quote.lines) + 3
    assert not [message for message in shown if "Someone else" in message], shown


async def test_an_approval_given_while_the_quote_is_open_is_seen_before_sending(
    tmp_path: Path, office: Path
) -> None:
    """The quote screen is open while the approvers approve: back on it, F7 sends the PO
    rather than saying only an approved quote can be sent."""
    app = build_app(tmp_path, "ae", office)
    quote = a_first_quote(app)
    ae = app.context.as_user("ae")
    outside = OffCatalogueLineIn.model_validate(
        {"description": "Connector to the customer's CRM", "list_price": "1200", "quantity": "1"}
    )
    quote = quote_builder.add_off_catalogue_line(ae, quote.id, quote.version, outside)
    submitted = quote_builder.submit_quote(ae, quote.id, quote.version)
    assert submitted.quote.status is QuoteStatus.PENDING_APPROVAL
    shown = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(QuoteScreen(submitted.quote))
        await settle(app, pilot)
        _approve_everything(app, quote.id)
        await pilot.press("f7")
        await while_waiting(
            pilot, lambda: type(app.screen).__name__ == "FormDialog", "the quote at rest"
        )
        assert app.screen.query_one("#contact")
    assert not [message for message in shown if "Only an approved quote" in message], shown


async def test_a_line_changed_by_someone_else_is_shown_beside_the_field_not_overwritten(
    tmp_path: Path, office: Path
) -> None:
    """ae types a quantity while someone else stores another one for the same line: Ctrl+S
    shows theirs with a sentence beside the field, and stores nothing of ae's."""
    app = build_app(tmp_path, "ae", office)
    quote = a_first_quote(app)
    line = quote.lines[0]
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(QuoteScreen(quote))
        await settle(app, pilot)
        field = app.screen.query_one(f"#qty_{line.id}", Input)
        field.value = "5"
        _store_quantity(app, quote, line.id, 3)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.screen.query_one(f"#qty_{line.id}", Input).value == "3"  # theirs, shown
        error = app.screen.query_one(f"#qty_{line.id}-error")
        assert "Someone else changed this to 3" in str(error.render())
    stored = quotes.get_quote(app.context.as_user("ae"), quote.id)
    assert next(each for each in stored.lines if each.id == line.id).quantity == 3


def _store_quantity(app: AcctmgrApp, quote: QuoteView, line_id: int, quantity: int) -> None:
    """As another user's save does: the line's quantity, stored from the same version."""
    assert quote.starts_on is not None
    edit = QuoteEdit(
        lines=[
            QuoteLineIn(
                line_id=line.id,
                quantity=quantity if line.id == line_id else line.quantity,
                discount_pct=line.discount_pct or Decimal(0),
            )
            for line in quote.lines
        ],
        starts_on=quote.starts_on,
        territory=quote.territory,
    )
    quotes.update_quote(app.context.as_user("ae"), quote.id, quote.version, edit)


def _approve_everything(app: AcctmgrApp, quote_id: int) -> None:
    """Every approval the quote waits for, approved by its approver, tier after tier."""
    logins = [login for login, _name, _segment, _roles in STAFF]
    number = quotes.get_quote(app.context.as_user("ae"), quote_id).number
    for _ in range(5):
        for login in logins:
            approver = app.context.as_user(login)
            for item in approval_inbox.inbox(approver):
                if number in item.record_label:
                    approval_decisions.decide(approver, item.approval_id, Decision.APPROVE, "")
        stored = quotes.get_quote(app.context.as_user("ae"), quote_id)
        if stored.status is QuoteStatus.APPROVED:
            return
    raise AssertionError(f"the quote is still {stored.status}")
