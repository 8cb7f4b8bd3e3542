"""The offer wizard walked with Pilot as each holder of a step: the KAM designs an offer for a
key account, Finance approves its discount, the KAM sends it and records the customer's
acceptance, and Customer Services finalise the contract and order it, the wizard's last step;
then the stored rows are checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input, Static

from acctmgr.app import AcctmgrApp
from acctmgr.domain.records import RecordType
from acctmgr.domain.sales import OfferStatus, QuoteStatus
from acctmgr.models import (
    AccountPackage,
    Activity,
    Contract,
    ContractStatus,
    Document,
    ErpExport,
    Offer,
    OfferAcceptance,
    Order,
    OrderedLine,
    OrderStatus,
    OutboxEmail,
    Package,
    Quote,
    Sku,
    Subscription,
    SubscriptionStatus,
    User,
)
from acctmgr.screens.accounts.account import AccountScreen
from acctmgr.screens.approvals.inbox import ApprovalScreen
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.screens.key_accounts.finalise import FinaliseStep
from acctmgr.screens.key_accounts.offer import OfferScreen
from acctmgr.screens.key_accounts.offer_steps import AnswerStep, DesignStep, SendStep
from acctmgr.screens.key_accounts.orders_step import OrdersStep
from acctmgr.screens.key_accounts.situation import OrderSituationScreen
from acctmgr.screens.sales.sku_picker import SkuPicker
from acctmgr.services.accounts import records as account_service
from acctmgr.services.key_accounts import managers, offers
from acctmgr.services.key_accounts.offer_views import current_stage
from acctmgr.services.sales import quote_builder
from acctmgr.widgets.record_table import RecordTable
from tests.services.key_accounts.finalise_support import TINY_PDF
from tests.ui.sales.test_quote import a_new_customer, press, type_into
from tests.ui_support import build_app, notifications, settle, until, while_waiting

SIZE = (100, 30)


def checklist(app: AcctmgrApp) -> str:
    return str(app.screen.query_one("#finalise-checklist", Static).render())


def key_account(app: AcctmgrApp) -> int:
    """Nova Retail (the quote test's new customer, complete billing details), made a key
    account of kam's."""
    account_id = a_new_customer(app)
    admin = app.context.as_user("admin")
    version = account_service.get_account(admin, account_id).version
    managers.assign_manager(admin, account_id, version, "kam")
    return account_id


async def test_an_offer_from_the_order_situation_to_the_finalised_contract(
    tmp_path: Path, office: Path
) -> None:
    app = build_app(tmp_path, "kam", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        account_id = key_account(app)
        await app.push_screen(AccountScreen(account_id))
        await settle(app, pilot)
        # Before the call: the order situation (a new key account: nothing running yet).
        await press(app, pilot, "o")
        assert isinstance(app.screen, OrderSituationScreen)
        await press(app, pilot, "escape")
        assert isinstance(app.screen, AccountScreen)
        await press(app, pilot, "w")
        assert isinstance(app.screen, FormDialog)
        await type_into(app, pilot, "#title", "Analytics for every store")
        await type_into(app, pilot, "#valid_until", "2020-01-01")
        await press(app, pilot, "ctrl+s")
        assert "validity cannot end in the past" in str(
            app.screen.query_one("#valid_until-error").render()
        )
        await type_into(app, pilot, "#valid_until", "2026-12-31")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, OfferScreen)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, DesignStep)
        # No lines yet: refused, nothing submitted; the new title is kept for the next try.
        await type_into(app, pilot, "#title", "Analytics for all stores")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, DesignStep)
        await press(app, pilot, "ctrl+n")
        assert isinstance(app.screen, SkuPicker)
        await pilot.press(*"essentials")
        await settle(app, pilot)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, DesignStep)
        line = app.screen.editor.quote.lines[-1]
        await type_into(app, pilot, f"#disc_{line.id}", "35")  # Finance's rule: over 30%
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, OfferScreen)
        offer = app.screen.offer
        assert offer is not None
        assert offer.quote.status is QuoteStatus.PENDING_APPROVAL
        assert offer.title == "Analytics for all stores"

    approver = build_app(tmp_path, "finance")
    async with approver.run_test(size=SIZE) as pilot:
        await settle(approver, pilot)
        await approver.push_screen(ApprovalScreen(None, record=(RecordType.QUOTE, offer.quote.id)))
        await settle(approver, pilot)
        await press(approver, pilot, "ctrl+a")

    app = build_app(tmp_path, "kam")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(OfferScreen(offer.id))
        await settle(app, pilot)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, SendStep)
        goes_to = str(app.screen.query_one("#send-to", Static).render())
        assert goes_to == "Goes to: Ines Invoice"
        await pilot.press("ctrl+s")
        await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asked")
        await press(app, pilot, "y")
        assert isinstance(app.screen, AnswerStep)
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, OfferScreen)
        shown = app.screen.offer
        assert shown is not None
        assert shown.status is OfferStatus.ACCEPTED
        assert shown.holder == "Customer Services"

    app = build_app(tmp_path, "custsvc")
    shown_notes = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await app.push_screen(OfferScreen(offer.id))
        await settle(app, pilot)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, FinaliseStep)
        await until(app, pilot, lambda: "✗" in checklist(app), "the checklist is shown")
        for name, value in (
            ("signer_name", "Ines Invoice"),
            ("signer_title", "CFO"),
            ("signed_on", "2026-11-23"),
            ("our_signer_name", "Sam Service"),
            ("our_signer_title", "Customer Services"),
            ("our_signed_on", "2026-11-23"),
        ):
            app.screen.query_one(f"#{name}", Input).value = value
        await press(app, pilot, "ctrl+s")
        await until(app, pilot, lambda: "✓ Both signatures" in checklist(app), "signatures")
        pdf = tmp_path / "signed.pdf"
        pdf.write_bytes(TINY_PDF)
        app.screen.query_one("#path", Input).value = str(pdf)
        await press(app, pilot, "ctrl+n")
        await until(app, pilot, lambda: "✗" not in checklist(app), "every item passes")
        await pilot.press("ctrl+w")
        await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asked")
        await pilot.press("y")
        # Finalised, the wizard goes on to Customer Services' last step: the orders.
        await until(app, pilot, lambda: isinstance(app.screen, OrdersStep), "on to the orders")
        assert any("is finalised" in note for note in shown_notes)
        to_order = app.screen.query_one("#to-order-table", RecordTable)
        await until(app, pilot, lambda: to_order.row_count > 0, "the lines to order")
        await press(app, pilot, "ctrl+s")  # one order of every line, from the contract's start
        orders = app.screen.query_one("#orders-table", RecordTable)
        await until(app, pilot, lambda: to_order.row_count == 0, "ordered")
        orders.focus()
        await pilot.press("A")
        await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asked")
        await pilot.press("y")
        await until(app, pilot, lambda: "Activated" in orders.texts(1), "activated")
        await pilot.press("escape")
        await until(app, pilot, lambda: isinstance(app.screen, OfferScreen), "the step is left")
        await until(
            app,
            pilot,
            lambda: app.screen.offer is not None and app.screen.offer.stage.value == "fulfilment",
            "at its last stage",
        )
        finished = app.screen.offer
        assert finished is not None
        assert current_stage(finished) is None  # nothing left to order or activate: all done
        assert not finished.mine

    with app.context.database.read_session() as session:
        stored = session.get(Offer, offer.id)
        assert stored is not None
        assert stored.status is OfferStatus.ACCEPTED
        quote = session.scalars(select(Quote).where(Quote.offer_id == offer.id)).one()
        assert quote.status is QuoteStatus.ACCEPTED
        acceptance = session.scalars(select(OfferAcceptance)).one()
        assert acceptance.quote_version == quote.version
        contract = session.scalars(select(Contract).where(Contract.quote_id == quote.id)).one()
        # Finalised; it starts on the first of next month, when the worker puts it in effect.
        assert contract.status is ContractStatus.SIGNED
        assert (contract.signer_name, contract.our_signer_name) == ("Ines Invoice", "Sam Service")
        finaliser = session.scalar(select(User.login).where(User.id == contract.finalised_by_id))
        assert finaliser == "custsvc"
        signed = session.scalars(select(Document).where(Document.kind == "signed_contract")).one()
        assert signed.record_id == contract.id
        assert contract.annual_value_minor == quote.net_total_minor
        subjects = [m.subject for m in session.scalars(select(OutboxEmail))]
        assert any(s.startswith("Our offer for Nova Retail GmbH") for s in subjects)
        assert any(s.startswith(f"Contract {contract.number}") for s in subjects)
        reminder = session.scalars(
            select(Activity).where(Activity.record_type == RecordType.OFFER)
        ).one()
        assert reminder.done_at is not None
        order = session.scalars(select(Order)).one()
        assert (order.contract_id, order.status, order.starts_on) == (
            contract.id,
            OrderStatus.ACTIVATED,
            contract.starts_on,
        )
        ordered = set(session.scalars(select(OrderedLine.quote_line_id)))
        assert ordered == {line.id for line in quote.lines}
        subscriptions = session.scalars(
            select(Subscription).where(Subscription.contract_id == contract.id)
        ).all()
        assert subscriptions
        assert {s.status for s in subscriptions} == {SubscriptionStatus.PENDING}  # from next month
        assert session.scalars(select(ErpExport.idempotency_key)).one() == (
            f"order:{order.number}:1"
        )


async def test_an_offers_lines_are_saved_as_the_accounts_package(
    tmp_path: Path, office: Path
) -> None:
    app = build_app(tmp_path, "kam", office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        account_id = key_account(app)
        kam = app.context.as_user("kam")
        opportunity = offers.open_opportunity(
            kam, offers.OpportunityIn(account_id=account_id, name="Stores")
        )
        with app.context.database.read_session() as session:
            sku_id = session.scalars(select(Sku.id).where(Sku.retired_at.is_(None))).first()
        assert sku_id is not None
        made = offers.new_offer(
            kam,
            opportunity,
            offers.NewOfferIn(
                title="Stores", valid_until=date(2026, 12, 31), starts_on=date(2027, 1, 1)
            ),
        ).offer
        quote_builder.add_catalogue_line(
            kam, made.quote.id, made.quote.version, quote_builder.CatalogueLineIn(sku_id=sku_id)
        )
        await app.push_screen(OfferScreen(made.id))
        await settle(app, pilot)
        await press(app, pilot, "v")
        assert isinstance(app.screen, FormDialog)
        await type_into(app, pilot, "#name", "Nova's store pack")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, OfferScreen)
    with app.context.database.read_session() as session:
        owned = session.scalars(select(AccountPackage)).one()
        package = session.get(Package, owned.package_id)
        assert package is not None
        assert owned.account_id == account_id
        assert package.name == "Nova's store pack"
        assert [item.sku_id for item in package.items] == [sku_id]
