"""Writing ERP exports to the drop folder: once, whole, never twice, and nothing lost when the
folder cannot take them."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from acctmgr.clock import AdjustableClock
from acctmgr.config import LoadedSettings, Paths, load_settings
from acctmgr.domain.records import RecordType
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import ErpExport, ExportStatus
from acctmgr.services.fulfilment import erp_export, erp_files
from acctmgr.services.fulfilment.erp_export import write_due
from acctmgr.services.fulfilment.erp_queue import queue_export
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.sorting import Sort
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from tests.conftest import NOW
from tests.worker_support import race_two_workers

PAYLOAD: dict[str, Any] = {
    "number": "SO-000012",
    "account": {"name": "Acme, Inc.", "number": "A-7"},
    "starts_on": "2026-12-01",
    "trial": False,
    "lines": [
        {"sku": "WEB-ANALYTICS", "quantity": 2, "net_minor": 120000},
        {"sku": "WORKSHOP", "quantity": 1, "net_minor": 90000, "consume_by": "2027-06-30"},
    ],
}
CSV = (
    "account.name,account.number,idempotency_key,number,replaces,starts_on,trial,"
    "line.net_minor,line.quantity,line.sku,line.consume_by\r\n"
    '"Acme, Inc.",A-7,order:SO-000012:1,SO-000012,,2026-12-01,false,120000,2,WEB-ANALYTICS,\r\n'
    '"Acme, Inc.",A-7,order:SO-000012:1,SO-000012,,2026-12-01,false,90000,1,WORKSHOP,'
    "2027-06-30\r\n"
)


@use_case("tests.queue_export")
def _queue(
    uow: UnitOfWork, number: str, revision: int, payload: dict[str, Any], replaces: str | None
) -> int:
    return queue_export(
        uow, RecordType.ORDER, 1, number, revision, payload, replaces_key=replaces
    ).id


def queue(
    context: Context,
    number: str = "SO-000012",
    revision: int = 1,
    payload: dict[str, Any] | None = None,
    replaces: str | None = None,
) -> int:
    """An order's export queued the way activating it queues it."""
    return _queue(context, number, revision, PAYLOAD if payload is None else payload, replaces)


def drop_settings(tmp_path: Path, folder: Path | None = None) -> LoadedSettings:
    """Settings whose data dir is under tmp_path, and whose drop folder is ``folder`` if given."""
    paths = Paths(tmp_path / "data", tmp_path / "config", tmp_path / "logs")
    environ = {"ACCTMGR_ERP_DROP_FOLDER": str(folder)} if folder else {}
    return load_settings(environ=environ, paths=paths)


def stored(context: Context, export_id: int) -> ErpExport:
    with context.database.read_session() as session:
        row = session.get(ErpExport, export_id)
        assert row is not None
        return row


def test_the_drop_folder_is_erp_in_the_data_dir_unless_configured(tmp_path: Path) -> None:
    """Unset, the drop folder is erp in the data dir (config show says so); set, it is that."""
    default = drop_settings(tmp_path)
    assert default.erp_drop_folder == tmp_path / "data" / "erp"
    shown = {name: (value, source) for name, value, source in default.describe()}
    where = tmp_path / "data" / "erp"
    assert shown["erp_drop_folder"] == (f"{where}  (in the data dir)", "default")
    configured = drop_settings(tmp_path, tmp_path / "to-erp")
    assert configured.erp_drop_folder == tmp_path / "to-erp"
    assert configured.sources["erp_drop_folder"] == "environment"


def test_an_export_is_written_once_as_json_and_csv(admin: Context, tmp_path: Path) -> None:
    """An export becomes its payload as JSON, byte for byte, and a CSV row per line; a re-run
    writes nothing."""
    folder = tmp_path / "drop"
    folder.mkdir()
    export_id = queue(admin)

    report = write_due(admin, drop_settings(tmp_path, folder), worker="w:1")

    assert (report.written, report.waiting) == (1, 0)
    row = stored(admin, export_id)
    assert (row.status, row.written_at, row.file_name) == (
        ExportStatus.WRITTEN,
        NOW,
        "order_SO-000012_1.json",
    )
    assert (row.claimed_by, row.lease_until, row.attempts, row.last_error) == (None, None, 0, "")
    assert sorted(path.name for path in folder.iterdir()) == [
        "order_SO-000012_1.csv",
        "order_SO-000012_1.json",
    ]
    written = (folder / "order_SO-000012_1.json").read_bytes()
    assert written == row.payload.encode("utf-8")
    assert hashlib.sha256(written).hexdigest() == row.payload_sha256
    assert (folder / "order_SO-000012_1.csv").read_bytes() == CSV.encode("utf-8")

    stamps = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    again = write_due(admin, drop_settings(tmp_path, folder), worker="w:1")
    assert (again.written, again.waiting) == (0, 0)
    assert {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} == stamps


def test_the_default_folder_is_made_but_a_configured_one_never(
    admin: Context, clock: AdjustableClock, tmp_path: Path
) -> None:
    """A fresh install writes to erp in the data dir, made on first need; a folder set in the
    settings that is missing is not made (a share that failed to mount), the export waits."""
    export_id = queue(admin)
    configured = tmp_path / "share"
    write_due(admin, drop_settings(tmp_path, configured), worker="w:1")
    assert not configured.exists()
    assert stored(admin, export_id).status is ExportStatus.QUEUED

    clock.advance(timedelta(hours=1))  # past the back-off
    write_due(admin, drop_settings(tmp_path), worker="w:1")
    assert (tmp_path / "data" / "erp" / "order_SO-000012_1.json").exists()
    assert stored(admin, export_id).status is ExportStatus.WRITTEN


def test_a_payload_without_lines_is_one_csv_row_and_a_revision_names_what_it_replaces() -> None:
    """A document without lines is one CSV row of its fields; the key makes a safe file name."""
    files = erp_files.export_files(
        "order:SO/1:2", '{"number": "SO/1", "replaces": "order:SO/1:1", "lines": []}'
    )
    assert files.stem == "order_SO_1_2"
    assert files.csv_text == "number,replaces\r\nSO/1,order:SO/1:1\r\n"


def test_two_workers_write_each_export_exactly_once(
    admin: Context, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers, each with its own connections, racing over one queue: every file is
    written once, every export marked once."""
    folder = tmp_path / "drop"
    folder.mkdir()
    ids = [queue(admin, f"SO-{n:06d}") for n in range(12)]
    replaced: list[str] = []
    replace = erp_files.replace_atomically

    def counted(where: Path, name: str, data: bytes) -> None:
        replaced.append(name)
        time.sleep(0.005)  # a slow disk widens the window two workers could share
        replace(where, name, data)

    monkeypatch.setattr(erp_files, "replace_atomically", counted)
    settings = drop_settings(tmp_path, folder)
    written: Counter[str] = Counter()

    def one_pass(context: Context, name: str) -> None:
        written[name] += write_due(context, settings, worker=name, limit=3).written

    race_two_workers(
        database_url,
        admin.clock,
        one_pass,
        lambda session: session.scalar(
            select(func.count())
            .select_from(ErpExport)
            .where(ErpExport.status != ExportStatus.WRITTEN)
        ),
        seconds=30,
    )
    assert sum(written.values()) == len(ids)
    assert Counter(replaced) == Counter(
        f"order_SO-{n:06d}_1.{kind}" for n in range(12) for kind in ("json", "csv")
    )
    assert {stored(admin, export_id).status for export_id in ids} == {ExportStatus.WRITTEN}


def test_a_file_of_other_content_is_never_overwritten(
    admin: Context, clock: AdjustableClock, tmp_path: Path
) -> None:
    """A file under the export's name with other bytes is left alone, and the export waits,
    saying so."""
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "order_SO-000012_1.csv").write_text("someone else's\n", encoding="utf-8")
    export_id = queue(admin)

    assert write_due(admin, drop_settings(tmp_path, folder), worker="w:1").waiting == 1

    assert (folder / "order_SO-000012_1.csv").read_text(encoding="utf-8") == "someone else's\n"
    assert not (folder / "order_SO-000012_1.json").exists()
    row = stored(admin, export_id)
    assert row.status is ExportStatus.QUEUED
    assert row.last_error == (
        f"The ERP drop folder {folder} already holds order_SO-000012_1.csv with other content, "
        "which acctmgr will not overwrite."
    )
    # It waits 1, 2, 5, 10 and then every 30 minutes, for as long as it takes.
    for minutes in (2, 5, 10, 30, 30):
        clock.set(row.lease_until)  # type: ignore[arg-type]
        assert write_due(admin, drop_settings(tmp_path, folder), worker="w:1").waiting == 1
        row = stored(admin, export_id)
        assert row.lease_until == clock.now() + timedelta(minutes=minutes)
    assert row.attempts == 6


def test_a_payload_changed_since_it_was_queued_is_not_written(
    admin: Context, tmp_path: Path
) -> None:
    """A payload that no longer has the SHA-256 it was queued with waits, and writes nothing."""
    folder = tmp_path / "drop"
    folder.mkdir()
    export_id = queue(admin)
    with admin.database.write_session() as session:
        session.execute(
            update(ErpExport).where(ErpExport.id == export_id).values(payload='{"lines": []}')
        )
        session.commit()

    assert write_due(admin, drop_settings(tmp_path, folder), worker="w:1").waiting == 1

    assert list(folder.iterdir()) == []
    assert stored(admin, export_id).last_error == (
        "Its payload no longer matches the SHA-256 it was queued with, so it is not written."
    )


def read_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``folder`` refuse new files, as a read-only share does (root ignores the mode)."""
    folder.chmod(0o555)
    real = os.open

    def refuse(path: Any, flags: int, *args: Any) -> int:
        if flags & os.O_CREAT and Path(path).parent == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return int(real(path, flags, *args))

    monkeypatch.setattr(os, "open", refuse)


def test_a_missing_then_read_only_folder_keeps_the_export_waiting_until_fixed(
    admin: Context, clock: AdjustableClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing drop folder, then a read-only one: the export waits with the reason, tried
    again after its back-off, and is written once the folder is fixed."""
    folder = tmp_path / "drop"
    settings = drop_settings(tmp_path, folder)
    export_id = queue(admin)

    assert write_due(admin, settings, worker="w:1") == erp_export.ExportReport(written=0, waiting=1)
    row = stored(admin, export_id)
    assert (row.status, row.attempts, row.claimed_by) == (ExportStatus.QUEUED, 1, None)
    assert row.last_error == f"The ERP drop folder {folder} does not exist."
    assert row.lease_until == NOW + timedelta(minutes=1)
    # Not tried before then, yet still waiting: the worker's line counts it.
    assert write_due(admin, settings, worker="w:1") == erp_export.ExportReport(written=0, waiting=1)
    assert stored(admin, export_id).attempts == 1

    folder.mkdir()
    with monkeypatch.context() as patch:
        read_only(folder, patch)
        clock.advance(timedelta(minutes=1))
        assert write_due(admin, settings, worker="w:1").waiting == 1
        folder.chmod(0o755)
    row = stored(admin, export_id)
    assert (row.status, row.attempts) == (ExportStatus.QUEUED, 2)
    assert row.last_error == (
        f"The ERP drop folder {folder} is read-only: acctmgr may not write in it."
    )
    assert row.lease_until == clock.now() + timedelta(minutes=2)
    assert list(folder.iterdir()) == []  # no temporary file left behind

    # Fixed: an admin need not wait for the back-off.
    with pytest.raises(PermissionDenied):
        erp_export.retry_export(admin.as_user("ae"), export_id, row.version)
    with pytest.raises(Conflict):
        erp_export.retry_export(admin, export_id, row.version - 1)
    retried = erp_export.retry_export(admin, export_id, row.version)
    assert retried.waits_until is None
    assert write_due(admin, settings, worker="w:1").written == 1
    row = stored(admin, export_id)
    assert (row.status, row.last_error, row.attempts) == (ExportStatus.WRITTEN, "", 2)
    assert sorted(path.name for path in folder.iterdir()) == [
        "order_SO-000012_1.csv",
        "order_SO-000012_1.json",
    ]
    with pytest.raises(InvalidInput, match="Only a queued ERP export can be tried again"):
        erp_export.retry_export(admin, export_id, row.version)


def test_admins_see_the_exports_newest_first_in_pages(
    admin: Context, clock: AdjustableClock, tmp_path: Path
) -> None:
    """The exports list newest first, in pages and by status, with why one waits; admins only."""
    ids = []
    for n in range(4):
        replaces = f"order:SO-000001:{n}" if n else None
        ids.append(queue(admin, "SO-000001", n + 1, replaces=replaces))
        clock.advance(timedelta(minutes=1))
    write_due(admin, drop_settings(tmp_path, tmp_path / "missing"), worker="w:1", limit=1)

    listed = erp_export.exports(admin)
    assert [row.id for row in listed] == ids[::-1]
    assert [row.id for row in erp_export.exports(admin, limit=2, offset=1)] == [ids[2], ids[1]]
    [waiting] = erp_export.exports(admin, ExportStatus.QUEUED, sort=Sort("attempts"))[-1:]
    assert (waiting.id, waiting.document, waiting.attempts) == (
        ids[0],
        "Order SO-000001, revision 1",
        1,
    )
    assert waiting.last_error.startswith("The ERP drop folder")
    assert waiting.waits_until == clock.now() + timedelta(minutes=1)
    assert listed[0].replaces_key == "order:SO-000001:3"
    with pytest.raises(InvalidInput, match="cannot be sorted by"):
        erp_export.exports(admin, sort=Sort("payload"))
    with pytest.raises(PermissionDenied):
        erp_export.exports(admin.as_user("finance"))
    assert len(erp_export.order_payloads(admin.as_user("finance"), NOW.date())) == 4
    with pytest.raises(PermissionDenied, match="Only an Admin or Finance can export the orders"):
        erp_export.order_payloads(admin.as_user("ae"), NOW.date())


# A worker in a process of its own that stops, to be killed, where the test says: after the CSV
# is in the folder but before the JSON ("json"), or after both but before marking ("mark").
DOOMED_WORKER = """
import sys
import time

from acctmgr.config import load_settings
from acctmgr.db import Database
from acctmgr.services.bootstrap import bootstrap
from acctmgr.services.fulfilment import erp_export, erp_files
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.sorting import Sort

url, stop_at = sys.argv[1], sys.argv[2]
replace = erp_files.replace_atomically


def stop() -> None:
    print("stopped", flush=True)
    time.sleep(60)


def replacing(folder, name, data):
    if stop_at == "json" and name.endswith(".json"):
        stop()
    replace(folder, name, data)


def marking(*args, **kwargs):
    stop()


erp_files.replace_atomically = replacing
erp_export._mark_written = marking
bootstrap()
erp_export.write_due(Context(Database(url)), load_settings(), worker="doomed:1")
"""


@pytest.mark.parametrize("stop_at", ["json", "mark"])
def test_a_worker_killed_mid_run_loses_nothing_and_writes_nothing_twice(
    stop_at: str,
    admin: Context,
    clock: AdjustableClock,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker process SIGKILLed half-way through an export: after its lease another worker
    finishes it, writing only what is missing, and each file holds what it always held."""
    folder = tmp_path / "drop"
    folder.mkdir()
    export_id = queue(admin)
    environment = {
        **os.environ,
        "ACCTMGR_DATA_DIR": str(tmp_path / "data"),
        "ACCTMGR_CONFIG_DIR": str(tmp_path / "config"),
        "ACCTMGR_LOG_DIR": str(tmp_path / "logs"),
        "ACCTMGR_ERP_DROP_FOLDER": str(folder),
    }
    doomed = subprocess.Popen(
        [sys.executable, "-c", DOOMED_WORKER, database_url, stop_at],
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        assert doomed.stdout is not None
        assert doomed.stdout.readline().strip() == "stopped"
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    row = stored(admin, export_id)
    assert (row.status, row.claimed_by) == (ExportStatus.WRITING, "doomed:1")
    left = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert set(left) == (
        {"order_SO-000012_1.csv"}
        if stop_at == "json"
        else {"order_SO-000012_1.csv", "order_SO-000012_1.json"}
    )

    replaced: list[str] = []
    replace = erp_files.replace_atomically

    def counted(where: Path, name: str, data: bytes) -> None:
        replaced.append(name)
        replace(where, name, data)

    monkeypatch.setattr(erp_files, "replace_atomically", counted)
    settings = drop_settings(tmp_path, folder)
    assert row.lease_until is not None
    clock.set(row.lease_until - timedelta(seconds=1))
    assert write_due(admin, settings, worker="next:2").written == 0  # its claim still holds
    clock.set(row.lease_until + timedelta(seconds=1))
    assert write_due(admin, settings, worker="next:2").written == 1

    assert replaced == (["order_SO-000012_1.json"] if stop_at == "json" else [])
    files = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert files == left | {"order_SO-000012_1.json": row.payload.encode("utf-8")}
    assert files["order_SO-000012_1.csv"] == CSV.encode("utf-8")
    assert stored(admin, export_id).status is ExportStatus.WRITTEN
    assert write_due(admin, settings, worker="next:2").written == 0
    # The dead worker's claim is gone: were it to wake up, it could neither mark nor queue it.
    assert erp_export._mark_written(admin, export_id, "doomed:1", "x.json") is False
    erp_export._record_wait(admin, export_id, "doomed:1", "It timed out.")
    assert stored(admin, export_id).status is ExportStatus.WRITTEN
