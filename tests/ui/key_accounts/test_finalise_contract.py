"""Customer Services finalises a key account's contract on screen: from My day to the
checklist, the refusal while items fail, both signatures, the signed PDF, the final yes."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input, Select, Static

from acctmgr.app import AcctmgrApp
from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.domain.contracts import ContractStatus, SignatureMethod
from acctmgr.models import Contract, Document, User
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.screens.key_accounts.finalise import FinaliseScreen
from acctmgr.services.kernel.context import Context
from acctmgr.widgets.record_table import RecordTable
from tests.conftest import NOW
from tests.services.key_accounts.finalise_support import TINY_PDF, accepted_contract
from tests.ui_support import build_app, notifications, settle, until, while_waiting

SIZE = (80, 24)


def office_with_a_contract(tmp_path: Path, office: Path) -> tuple[Path, int]:
    """The office with a key account's contract out for signature, made from its offer."""
    template = tmp_path / "template.db"
    shutil.copy(office, template)
    database = Database(f"sqlite:///{template}")
    try:
        made = accepted_contract(Context(database, AdjustableClock(NOW), "admin"))
    finally:
        database.dispose()
    return template, made.contract_id


def checklist(app: AcctmgrApp) -> str:
    return str(app.screen.query_one("#finalise-checklist", Static).render())


async def test_customer_services_finalises_from_my_day(tmp_path: Path, office: Path) -> None:
    """Customer Services opens the contract from My day, is refused while the signatures and
    the document are missing, records both, attaches the PDF and finalises."""
    template, contract_id = office_with_a_contract(tmp_path, office)
    app = build_app(tmp_path, "custsvc", template)
    shown = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#table-finalise", RecordTable)
        assert any(text.startswith("CT-OF-") for text in table.texts(1))
        table.focus()
        await pilot.press("enter")
        await until(
            app,
            pilot,
            lambda: isinstance(app.screen, FinaliseScreen) and "✗" in checklist(app),
            "the checklist is shown",
        )
        lines = checklist(app).splitlines()
        assert lines[0].startswith("✓ Billing details: ")
        assert any(line.startswith("✗ Both signatures: ") for line in lines)
        assert any(line.startswith("✗ Signed document: ") for line in lines)

        await pilot.press("ctrl+w")
        await until(app, pilot, lambda: bool(shown), "the refusal")
        assert "cannot be finalised yet (both signatures)" in shown[-1]

        for name, value in (
            ("signer_name", "Carla Buyer"),
            ("signer_title", "CFO"),
            ("signed_on", "2026-11-23"),
            ("our_signer_name", "Sam Seller"),
            ("our_signer_title", "Head of Sales"),
            ("our_signed_on", "2026-11-23"),
        ):
            app.screen.query_one(f"#{name}", Input).value = value
        app.screen.query_one("#signature_method", Select).value = SignatureMethod.WET_INK.value
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "✓ Both signatures" in checklist(app), "signatures")

        not_a_pdf = tmp_path / "scan.png"
        not_a_pdf.write_bytes(b"\x89PNG")
        path = app.screen.query_one("#path", Input)
        path.value = str(not_a_pdf)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        error = str(app.screen.query_one("#path-error", Static).render())
        assert "scan.png is not a PDF" in error
        pdf = tmp_path / "signed contract.pdf"
        pdf.write_bytes(TINY_PDF)
        path.value = str(pdf)
        path.focus()
        await pilot.press("enter")
        await until(app, pilot, lambda: "✗" not in checklist(app), "every item passes")

        await pilot.press("ctrl+w")
        await while_waiting(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asked")
        await pilot.press("y")
        await until(app, pilot, lambda: "finalised" in shown[-1], "finalised")
        assert shown[-1] == f"{shown[-1].split()[0]} is finalised: signed."

    with app.context.database.read_session() as session:
        contract = session.get(Contract, contract_id)
        assert contract is not None
        # It starts on 1 January: signed now, in effect when the worker sees that day come.
        assert contract.status is ContractStatus.SIGNED
        assert (contract.signer_name, contract.signer_title) == ("Carla Buyer", "CFO")
        assert contract.signature_method is SignatureMethod.WET_INK
        assert (contract.our_signer_name, contract.our_signed_on) == (
            "Sam Seller",
            date(2026, 11, 23),
        )
        finaliser = session.scalar(select(User.login).where(User.id == contract.finalised_by_id))
        assert finaliser == "custsvc"
        document = session.scalars(select(Document).where(Document.kind == "signed_contract")).one()
        assert (document.record_id, document.filename) == (contract_id, "signed contract.pdf")
        assert document.content == TINY_PDF
