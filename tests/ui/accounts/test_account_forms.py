"""Accounts and contacts made and fixed in the app, walked with Pilot at 80x24: a new account,
a contact, the invoice contact and the billing address, then the rows and their audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import Input, Select

from acctmgr.app import AcctmgrApp
from acctmgr.domain.records import RecordType
from acctmgr.models import Account, AuditEvent, Contact, Segment
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.accounts.search import AccountsScreen
from acctmgr.screens.dialog import FormDialog
from acctmgr.services.accounts import records as account_service
from tests.ui_support import build_app, footer_keys, notifications, settle, until

SIZE = (80, 24)


async def type_into(pilot: Any, app: AcctmgrApp, field: str, text: str) -> None:
    """Focus a form's field, clear it and type ``text`` as a person would."""
    box = app.screen.query_one(f"#{field}", Input)
    box.focus()
    box.value = ""
    await pilot.pause()
    await pilot.press(*text)


def choose(app: AcctmgrApp, field: str, value: str) -> None:
    app.screen.query_one(f"#{field}", Select).value = value


def assert_fits(app: AcctmgrApp) -> None:
    """The open dialog is whole on an 80x24 screen."""
    frame = app.screen.query_one("FormDialog > Vertical").region
    assert min(frame.x, frame.y) >= 0, frame
    assert frame.right <= SIZE[0], frame
    assert frame.bottom <= SIZE[1], frame


def contacts(screen: AccountScreen) -> list[account_service.ContactView]:
    return screen.account.contacts if screen.account else []


def overview(screen: AccountScreen) -> str:
    return str(screen.query_one("#overview-text").render())


async def save_dialog(app: AcctmgrApp, pilot: Any) -> None:
    """Ctrl+S, and wait until the dialog has closed."""
    assert_fits(app)
    await pilot.press("ctrl+s")
    await until(app, pilot, lambda: not isinstance(app.screen, FormDialog), "the dialog closed")


async def test_an_account_is_created_and_made_ready_to_invoice(
    tmp_path: Path, office: Path
) -> None:
    """Ctrl+N on Accounts creates the account; c adds a contact, i makes them the invoice
    contact, b fills the billing address; the rows hold it all and each change is audited."""
    app = build_app(tmp_path, "ae", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountsScreen)
        await pilot.press("ctrl+n")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the account form")
        await type_into(pilot, app, "name", "Zephyr Analytics Ltd")
        choose(app, "segment_code", "MID")
        await type_into(pilot, app, "territory", "United Kingdom")
        await type_into(pilot, app, "currency", "GBP")
        await save_dialog(app, pilot)
        await until(app, pilot, lambda: isinstance(app.screen, AccountScreen), "the account")
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        await until(app, pilot, lambda: screen.account is not None, "the account loaded")
        assert screen.account is not None
        account_id = screen.account.id
        assert {"Edit account", "Add contact", "Invoice contact", "Billing address"} <= (
            footer_keys(app)
        )

        await pilot.press("c")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the contact form")
        await type_into(pilot, app, "name", "Ivy Invoices")
        await type_into(pilot, app, "email", "ivy@zephyr")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        # Refused beside the field, the dialog open with what was typed.
        assert isinstance(app.screen, FormDialog)
        error = str(app.screen.query_one("#email-error").render())
        assert error == "An e-mail address looks like name@example.com."
        # The refused address is selected: what is typed now replaces it.
        await pilot.press(*"ivy@zephyr.example")
        await save_dialog(app, pilot)
        await until(app, pilot, lambda: len(contacts(screen)) == 1, "the contact")

        await pilot.press("i")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the invoice form")
        contact_id = contacts(screen)[0].id
        choose(app, "contact", str(contact_id))
        await save_dialog(app, pilot)

        await pilot.press("b")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the address form")
        await type_into(pilot, app, "billing_street", "10 Downing Street")
        await type_into(pilot, app, "billing_city", "London")
        await type_into(pilot, app, "billing_country", "GB")
        await type_into(pilot, app, "billing_postal_code", "SW1A 2AA")
        await save_dialog(app, pilot)
        await until(app, pilot, lambda: "London" in overview(screen), "the address shown")
        assert "Ivy Invoices <ivy@zephyr.example>" in overview(screen)
        assert "10 Downing Street, SW1A 2AA, London, GB" in overview(screen)

    with app.context.database.read_session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        assert (account.name, account.territory, account.currency) == (
            "Zephyr Analytics Ltd",
            "United Kingdom",
            "GBP",
        )
        assert (account.billing_postal_code, account.billing_country) == ("SW1A 2AA", "GB")
        assert account.invoice_contact_id == contact_id
        contact = session.get(Contact, contact_id)
        assert contact is not None
        assert (contact.name, contact.email) == ("Ivy Invoices", "ivy@zephyr.example")
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == RecordType.ACCOUNT, AuditEvent.entity_id == account_id)
            .order_by(AuditEvent.id)
        ).all()
        assert actions[0] == "accounts.create"
        assert "accounts.set_invoice_contact" in actions
        assert actions[-1] == "accounts.update_billing_address"
        contact_events = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == RecordType.CONTACT, AuditEvent.entity_id == contact_id
            )
        ).all()
        assert contact_events == ["contacts.add"]


async def test_a_concurrent_edit_is_reported_and_keeps_what_was_typed(
    tmp_path: Path, office: Path
) -> None:
    """Someone else saves the account while the form is open: the save is refused with a
    sentence and the dialog stays, with the typed name; after it, the screen shows their save
    and the next edit goes through."""
    app = build_app(tmp_path, "ae", office)
    shown = notifications(app)
    with app.context.database.read_session() as session:
        account_id = session.scalars(
            select(Account.id)
            .join(Segment, Segment.id == Account.segment_id)
            .where(Segment.code == "MID")
            .order_by(Account.id)
        ).first()
    assert account_id is not None
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        account = account_service.get_account(app.context, account_id)
        app.open_account(account_id)
        await settle(app, pilot)
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the account form")
        admin = app.context.as_user("admin")
        renamed = account_service.AccountIn(
            name="Renamed Elsewhere", segment_code="MID", billing_country=account.billing_country
        )
        account_service.update_account(admin, account_id, renamed, account.version)
        await type_into(pilot, app, "name", "My New Name")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog)
        assert app.screen.query_one("#name", Input).value == "My New Name"
        assert any("Someone else saved this account" in message for message in shown)
        # Leaving the form shows the stored account; the next edit starts from it and saves.
        await pilot.press("escape")
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        await until(
            app,
            pilot,
            lambda: screen.account is not None and screen.account.name == "Renamed Elsewhere",
            "the newer account shown",
        )
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the account form")
        assert app.screen.query_one("#name", Input).value == "Renamed Elsewhere"
        await type_into(pilot, app, "name", "My New Name")
        await save_dialog(app, pilot)
    assert account_service.get_account(app.context, account_id).name == "My New Name"


async def test_the_palette_offers_a_new_account(tmp_path: Path, office: Path) -> None:
    """Ctrl+P, "New account", Enter: the account form opens over My day; Escape leaves it
    without saving."""
    app = build_app(tmp_path, "ae", office)
    with app.context.database.read_session() as session:
        before = session.scalars(select(Account.id)).all()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"New account")
        await pilot.pause(0.5)
        await settle(app, pilot)
        await pilot.press("enter")
        await until(app, pilot, lambda: isinstance(app.screen, FormDialog), "the account form")
        assert_fits(app)
        assert app.screen.query_one("#segment_code", Select).value == "MID"
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, FormDialog)
    with app.context.database.read_session() as session:
        assert session.scalars(select(Account.id)).all() == before
