"""Usage and overage walked with Pilot at 80x24: Finance opens the overage queue from My day,
waives one line with a note, approves the selected one, and reads the account's usage."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from acctmgr.domain.fulfilment import OverageStatus
from acctmgr.models import OverageLine, UsageRecord
from acctmgr.screens.dialog import FormDialog
from acctmgr.screens.fulfilment.usage import AccountUsageScreen, OverageReviewScreen
from acctmgr.services.fulfilment.usage_import import import_usage
from acctmgr.widgets.record_table import RecordTable
from tests.ui_support import build_app, footer_keys, settle
from tests.usage_support import usage_csv, usage_customers

SIZE = (80, 24)


async def test_finance_reviews_the_overage_and_reads_an_accounts_usage(
    tmp_path: Path, office: Path
) -> None:
    """From My day's Overage to review: space selects, W waives with a note (refused without
    one), Ctrl+A approves the selected; u on the account shows its months and their status."""
    app = build_app(tmp_path, "finance", office)
    who = usage_customers(app.context.as_user("admin"), quiet_segment="MID")
    path = tmp_path / "usage.csv"
    path.write_text(
        usage_csv("100001,,2026-09,400000", "100001,,2026-10,1200000", "100002,,2026-10,2100000")
    )
    assert import_usage(app.context, path).overage_to_review == 2
    with app.context.database.write_session() as session:
        # History brought in before acctmgr priced overage: above the plan, no line.
        session.add(
            UsageRecord(
                account_id=who.one_unit, metric="page_views", month=date(2026, 8, 1), quantity=9**7
            )
        )
        session.commit()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        # The amount and month lead, so 80 columns cut the account's name, not them.
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "9,000.00 USD, Oct 2026" in shown
        app.screen.query_one("#table-overage", RecordTable).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, OverageReviewScreen)
        table = app.screen.query_one(RecordTable)
        assert table.texts(2) == ["Acme Pages", "Bolt Views"]
        await pilot.press("space")  # selects Acme and moves on to Bolt
        await pilot.press("W")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog)  # no note: refused beside the field
        await pilot.press(*"Glitch")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, OverageReviewScreen)
        assert table.texts(2) == ["Acme Pages"]
        assert table.texts(0) == ["✓"]
        await pilot.press("ctrl+a")
        await settle(app, pilot)
        assert table.row_count == 0
        with app.context.database.read_session() as session:
            stored = {
                line.account_id: (line.status, line.review_note)
                for line in session.scalars(select(OverageLine))
            }
        assert stored == {
            who.one_unit: (OverageStatus.APPROVED, ""),
            who.two_units: (OverageStatus.WAIVED, "Glitch"),
        }
        await pilot.press("escape")
        app.open_account(who.one_unit)
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountUsageScreen)
        assert "Open" not in footer_keys(app)  # Enter opens nothing here, so none is offered
        usage = app.screen.query_one(RecordTable)
        assert usage.texts(0) == ["Oct 2026", "Sep 2026", "Aug 2026"]
        assert usage.texts(3) == ["500,000", "500,000", "500,000"]
        assert usage.texts(4) == ["9,000.00 USD", "", "not priced"]
        assert usage.texts(5) == ["Approved", "", ""]
        review = app.screen.query_one("#usage-review")
        assert "Approved by Fin Ance" in str(review.render())
        await pilot.press("down", "down")
        await settle(app, pilot)
        assert str(review.render()).startswith("Not priced: this month's usage came in before")
