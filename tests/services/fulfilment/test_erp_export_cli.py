"""`acctmgr export orders` for scripts, and `acctmgr worker` writing the ERP exports."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from acctmgr.clock import AdjustableClock
from acctmgr.services.kernel.context import Context
from tests.cli_support import assert_one_sentence, run_acctmgr
from tests.services.fulfilment.test_erp_export import queue, stored


def test_export_orders_prints_each_order_exported_since_a_day_as_a_json_line(
    admin: Context, clock: AdjustableClock, database_url: str, tmp_path: Path
) -> None:
    """Orders exported on or after --since, oldest first, one JSON a line; a bad day is one
    sentence."""
    clock.set(clock.now() - timedelta(days=3))
    queue(admin, "SO-000001")
    clock.advance(timedelta(days=3))
    second = queue(admin, "SO-000002")
    queue(admin, "SO-000002", 2, replaces="order:SO-000002:1")

    output = tmp_path / "orders.jsonl"
    done = run_acctmgr(
        tmp_path,
        database_url,
        "--as",
        "finance",
        "export",
        "orders",
        "--since",
        "2026-11-21",
        "--output",
        str(output),
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == f"Wrote 2 orders to {output}."
    lines = output.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["idempotency_key"] for line in lines] == [
        "order:SO-000002:1",
        "order:SO-000002:2",
    ]
    assert json.loads(lines[1])["replaces"] == "order:SO-000002:1"
    assert json.loads(lines[0]) == json.loads(stored(admin, second).payload)

    bad = run_acctmgr(
        tmp_path, database_url, "--as", "admin", "export", "orders", "--since", "23/11/2026"
    )
    assert_one_sentence(
        bad, "--since takes a day as YYYY-MM-DD (2026-11-01, say), not '23/11/2026'."
    )


def test_worker_once_writes_the_erp_exports_to_the_configured_folder(
    admin: Context, database_url: str, tmp_path: Path
) -> None:
    """`acctmgr worker --once` writes a queued export to the drop folder and says so; a folder
    that is missing keeps the next one waiting, the worker ending well."""
    folder = tmp_path / "drop"
    folder.mkdir()
    export_id = queue(admin)
    environ = {"ACCTMGR_ERP_DROP_FOLDER": str(folder)}

    done = run_acctmgr(tmp_path, database_url, "worker", "--once", environ=environ)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ERP exports written: 1, waiting: 0")
    assert (folder / "order_SO-000012_1.json").read_text(encoding="utf-8") == stored(
        admin, export_id
    ).payload

    waiting = queue(admin, "SO-000013")
    environ = {"ACCTMGR_ERP_DROP_FOLDER": str(tmp_path / "gone")}
    done = run_acctmgr(tmp_path, database_url, "worker", "--once", environ=environ)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ERP exports written: 0, waiting: 1")
    assert stored(admin, waiting).last_error == (
        f"The ERP drop folder {tmp_path / 'gone'} does not exist."
    )
