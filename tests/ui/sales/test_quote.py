"""The quote builder walked with Pilot: ae builds a new customer's first quote from the
catalogue with an exception and a statement of work, Customer Success approves it, and ae sends
the PO."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import Input

from acctmgr.app import AcctmgrApp
from acctmgr.domain.records import RecordType
from acctmgr.models import (
    ApprovalRequest,
    ApprovalRequestStatus,
    Document,
    EmailAttachment,
    OutboxEmail,
    Quote,
    QuoteLine,
    QuoteStatus,
    SkuKind,
    SkuVersion,
)
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.approvals.inbox import ApprovalScreen
from acctmgr.screens.dialog import FormDialog
from acctmgr.screens.sales.quote import QuoteScreen
from acctmgr.screens.sales.sku_picker import SkuPicker
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn, ContactIn
from tests.ui_support import build_app, settle

SIZE = (100, 30)


def a_new_customer(app: AcctmgrApp) -> int:
    """A Mid-market prospect of ae's with complete billing details and no contracts."""
    admin = app.context.as_user("admin")
    account = account_service.create_account(
        admin,
        AccountIn(
            name="Nova Retail GmbH",
            segment_code="MID",
            owner_login="ae",
            territory="Germany",
            locale="de_DE",
            currency="EUR",
            billing_street="Hauptstrasse 1",
            billing_city="Berlin",
            billing_postal_code="10115",
            billing_country="DE",
        ),
    )
    contact = account_service.add_contact(
        admin, account.id, ContactIn(name="Ines Invoice", email="ines@nova.example")
    )
    version = account_service.get_account(admin, account.id).version
    account_service.set_invoice_contact(admin, account.id, contact.id, version)
    return account.id


async def type_into(app: AcctmgrApp, pilot: Any, selector: str, text: str) -> None:
    field = app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)


async def press(app: AcctmgrApp, pilot: Any, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(app, pilot)
    await settle(app, pilot)


async def test_a_first_quote_from_catalogue_to_po(tmp_path: Path, office: Path) -> None:
    """ae builds a first quote from the catalogue, two approvers approve, and ae sends the PO."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        account_id = a_new_customer(app)
        await app.push_screen(AccountScreen(account_id))
        await settle(app, pilot)
        await press(app, pilot, "q")
        assert isinstance(app.screen, FormDialog)
        await type_into(app, pilot, "#starts_on", "2027-01-01")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, QuoteScreen)
        starter = [line.kind for line in app.screen.quote.lines]
        assert starter, "a new customer's first quote starts with the starter pack"

        # A subscription from the catalogue, found by typing, at 35% off (Finance's rule).
        await press(app, pilot, "ctrl+n")
        assert isinstance(app.screen, SkuPicker)
        await pilot.press(*"essentials")
        await settle(app, pilot)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, QuoteScreen)
        added = app.screen.quote.lines[-1]
        assert added.kind is SkuKind.SUBSCRIPTION
        await type_into(app, pilot, f"#disc_{added.id}", "135")
        await press(app, pilot, "ctrl+s")
        assert "between 0% and 100%" in str(
            app.screen.query_one(f"#disc_{added.id}-error").render()
        )
        await type_into(app, pilot, f"#disc_{added.id}", "35")
        await press(app, pilot, "ctrl+s")

        # An item outside the catalogue: an exception for Customer Success.
        await press(app, pilot, "ctrl+o")
        assert isinstance(app.screen, FormDialog)
        await type_into(app, pilot, "#description", "Connector to the customer's CRM")
        await type_into(app, pilot, "#list_price", "1200")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, QuoteScreen)

        # The statement of work on the starter pack's workshop.
        workshop = next(line for line in app.screen.quote.lines if line.kind is SkuKind.SERVICE)
        app.screen.query_one(f"#qty_{workshop.id}", Input).focus()
        await press(app, pilot, "ctrl+t")
        assert isinstance(app.screen, FormDialog)
        await pilot.press(*"Two days on journey analysis")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, QuoteScreen)

        await press(app, pilot, "f6")
        quote = app.screen.quote
        assert quote.status is QuoteStatus.PENDING_APPROVAL
        await press(app, pilot, "escape")

    for login in ("success", "finance"):
        approver = build_app(tmp_path, login)
        async with approver.run_test(size=SIZE) as pilot:
            await settle(approver, pilot)
            await approver.push_screen(ApprovalScreen(None, record=(RecordType.QUOTE, quote.id)))
            await settle(approver, pilot)
            await press(approver, pilot, "ctrl+a")

    app = build_app(tmp_path, "ae")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        from acctmgr.services.sales import quotes

        await app.push_screen(QuoteScreen(quotes.get_quote(app.context, quote.id)))
        await settle(app, pilot)
        assert app.screen.quote.status is QuoteStatus.APPROVED
        await press(app, pilot, "f7")
        assert isinstance(app.screen, FormDialog)
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, QuoteScreen)

    with app.context.database.read_session() as session:
        stored = session.get(Quote, quote.id)
        assert stored is not None
        assert stored.status is QuoteStatus.APPROVED
        assert stored.territory == "DE"
        lines = session.scalars(
            select(QuoteLine).where(QuoteLine.quote_id == quote.id).order_by(QuoteLine.position)
        ).all()
        assert any(line.sku_version_id is None for line in lines)
        assert any(line.statement_of_work == "Two days on journey analysis" for line in lines)
        kinds = {
            line.id: session.get(SkuVersion, line.sku_version_id).kind
            for line in lines
            if line.sku_version_id
        }
        assert SkuKind.SERVICE in kinds.values()
        request = session.scalars(
            select(ApprovalRequest).where(ApprovalRequest.record_id == quote.id)
        ).one()
        assert request.status is ApprovalRequestStatus.APPROVED
        po = session.scalars(
            select(Document).where(
                Document.record_type == RecordType.QUOTE, Document.record_id == quote.id
            )
        ).all()
        pdf = [doc for doc in po if doc.media_type == "application/pdf"]
        assert len(pdf) == 1
        email = session.scalars(select(OutboxEmail)).all()[-1]
        assert email.to_addresses == "ines@nova.example"
        attached = session.scalars(
            select(EmailAttachment.document_id).where(EmailAttachment.email_id == email.id)
        ).all()
        assert pdf[0].id in attached


async def test_a_price_past_the_money_limit_is_refused_and_escape_still_leaves(
    tmp_path: Path, office: Path
) -> None:
    """A huge price outside the catalogue gets a sentence beside it, and Escape still leaves."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        account_id = a_new_customer(app)
        await app.push_screen(AccountScreen(account_id))
        await settle(app, pilot)
        await press(app, pilot, "q")
        await type_into(app, pilot, "#starts_on", "2027-01-01")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, QuoteScreen)
        quote_id = app.screen.quote.id
        lines_before = len(app.screen.quote.lines)

        await press(app, pilot, "ctrl+o")
        assert isinstance(app.screen, FormDialog)
        await type_into(app, pilot, "#description", "Connector to the customer's CRM")
        for price, quantity, field in (
            ("99999999999999999999", "1", "list_price"),
            ("9000000000000", "1000000", "list_price"),
            ("10,000,000", "3", "quantity"),
        ):
            await type_into(app, pilot, "#list_price", price)
            await type_into(app, pilot, "#quantity", quantity)
            await press(app, pilot, "ctrl+s")
            assert isinstance(app.screen, FormDialog)
            error = str(app.screen.query_one(f"#{field}-error").render())
            assert "at most 20,000,000.00" in error
        await press(app, pilot, "escape")
        assert isinstance(app.screen, QuoteScreen)
        await press(app, pilot, "escape")
        assert isinstance(app.screen, AccountScreen)

    with app.context.database.read_session() as session:
        lines = session.scalars(select(QuoteLine).where(QuoteLine.quote_id == quote_id)).all()
        assert len(lines) == lines_before
