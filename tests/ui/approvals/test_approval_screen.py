"""What an approver reads before deciding: every line whole, and each approval by its rule."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from acctmgr.domain.records import RecordType
from acctmgr.screens.approvals.inbox import ApprovalScreen
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.sales import quote_builder
from acctmgr.services.sales.quote_builder import OffCatalogueLineIn
from tests.ui.sales.test_quote_races import a_first_quote
from tests.ui_support import build_app, settle

DESCRIPTION = "Custom heatmap integration for Mobile apps and the customer's own data warehouse"


async def test_an_approver_reads_each_line_whole_and_each_approval_by_its_rule(
    tmp_path: Path, office: Path
) -> None:
    """Customer Success sees the whole outside-the-catalogue description, no shouting, and
    every approval of the request named by its rule."""
    app = build_app(tmp_path, "success", office)
    ae = app.context.as_user("ae")
    quote = a_first_quote(app)
    outside = OffCatalogueLineIn.model_validate(
        {"description": DESCRIPTION, "list_price": "1200", "quantity": "1"}
    )
    quote = quote_builder.add_off_catalogue_line(ae, quote.id, quote.version, outside)
    quote_builder.submit_quote(ae, quote.id, quote.version)
    request = approval_inbox.latest_for(app.context.as_user("success"), RecordType.QUOTE, quote.id)
    assert request is not None
    assert request.approvals
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.push_screen(ApprovalScreen(None, record=(RecordType.QUOTE, quote.id)))
        await settle(app, pilot)
        shown = str(app.screen.query_one("#approval-lines", Static).render())
        tiers = str(app.screen.query_one("#approval-tiers", Static).render())
    assert DESCRIPTION in " ".join(shown.split()), shown
    assert "outside the catalogue" in shown
    assert "OUTSIDE" not in shown
    for approval in request.approvals:
        assert f"{approval.rule}: {approval.approver}" in " ".join(tiers.split()), tiers
