"""The ERP exports screen walked with Pilot: an admin sees why an export waits and sends it
on the next pass."""

from __future__ import annotations

from pathlib import Path

from acctmgr.app import AcctmgrApp
from acctmgr.models import ErpExport, ExportStatus
from acctmgr.screens.fulfilment.exports import ExportsScreen
from acctmgr.services.fulfilment.erp_export import write_due
from acctmgr.widgets.record_table import RecordTable
from tests.services.fulfilment.test_erp_export import drop_settings, queue
from tests.ui_support import build_app, footer_keys, notifications, run_from_palette, settle

SIZE = (80, 24)


def _stored(app: AcctmgrApp, export_id: int) -> ErpExport:
    with app.context.database.read_session() as session:
        row = session.get(ErpExport, export_id)
        assert row is not None
        return row


async def test_an_admin_sees_why_an_export_waits_and_sends_it_now(
    tmp_path: Path, office: Path
) -> None:
    """An Admin sees a written export and one waiting for a missing drop folder, with the
    reason, and has the waiting one sent on the next pass; the filter shows one status."""
    app = build_app(tmp_path, "admin", office)
    shown = notifications(app)
    (tmp_path / "drop").mkdir()
    written = queue(app.context, "SO-000001")
    write_due(app.context, drop_settings(tmp_path, tmp_path / "drop"), worker="w:1")
    waiting = queue(app.context, "SO-000002", 2, replaces="order:SO-000002:1")
    folder = tmp_path / "share"  # a configured folder nobody made (it is never made)
    write_due(app.context, drop_settings(tmp_path, folder), worker="w:1")
    async with app.run_test(size=SIZE) as pilot:
        await run_from_palette(app, pilot, "Open the ERP exports")
        assert isinstance(app.screen, ExportsScreen)
        assert {"Send on the next pass", "Filter by status"} <= footer_keys(app)
        table = app.screen.query_one(RecordTable)
        assert "Failed" in app.export_screenshot()  # failed tries, 0 for one written at once
        assert table.texts(2) == ["1", "0"]
        assert table.keys == [str(waiting), str(written)]  # newest first
        assert table.texts(0) == ["queued", "written"]
        assert table.texts(1) == ["order:SO-000002:2", "order:SO-000001:1"]
        why = str(app.screen.query_one("#exports-why").render())
        assert "Order SO-000002, revision 2, replacing order:SO-000002:1: waiting" in why
        assert f"The ERP drop folder {folder} does not exist." in why.replace("\n", "")

        await pilot.press("f7")
        await settle(app, pilot)
        assert any("Written on the worker's next pass" in message for message in shown)
        assert "1 failed try so far" in str(app.screen.query_one("#exports-why").render())
        assert _stored(app, waiting).lease_until is None

        await pilot.press("down", "f7")  # a written export is not sent again
        await settle(app, pilot)
        assert any("Only a queued ERP export can be tried again" in m for m in shown)

        for _ in range(3):  # all, queued, writing, written
            await pilot.press("f")
            await settle(app, pilot)
        assert app.screen.query_one(RecordTable).keys == [str(written)]
    assert _stored(app, written).status is ExportStatus.WRITTEN
