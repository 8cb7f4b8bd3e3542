"""Usage imported from a file: idempotent per account, metric and month, a dry run that writes
nothing, every rejection with its sentence and nothing half-written, and one audit event."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import AuditEvent, ImportRun, OverageLine, UsageRecord
from acctmgr.services.fulfilment.usage_import import import_usage
from acctmgr.services.kernel.context import Context
from tests.cli_support import run_acctmgr
from tests.usage_support import MONTH, usage_csv, usage_customers


def _file(tmp_path: Path, text: str, name: str = "usage.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _usage(admin: Context) -> dict[tuple[int, str, date], int]:
    with admin.database.read_session() as session:
        rows = session.execute(
            select(
                UsageRecord.account_id, UsageRecord.metric, UsageRecord.month, UsageRecord.quantity
            )
        ).all()
    return {(a, m, month): q for a, m, month, q in rows}


def _count(admin: Context, model: type) -> int:
    with admin.database.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_an_import_adds_updates_and_a_rerun_writes_nothing(admin: Context, tmp_path: Path) -> None:
    """New months are inserted, changed ones updated, unchanged ones counted; the same file
    again writes no row and no audit event."""
    who = usage_customers(admin)
    finance = admin.as_user("finance")
    first = _file(tmp_path, usage_csv("100001,,2026-09,400000", "100002,page_views,2026-09,900000"))
    done = import_usage(finance, first)
    assert (done.new, done.changed, done.unchanged, done.rejected, done.written) == (
        2,
        0,
        0,
        [],
        True,
    )
    second = usage_csv(
        "100001,,2026-09,400000", "100002,page_views,2026-09,1100000", "100003,,2026-10,1200"
    )
    done = import_usage(finance, _file(tmp_path, second, "second.csv"))
    assert (done.new, done.changed, done.unchanged) == (1, 1, 1)
    assert done.months == [date(2026, 9, 1), MONTH]
    assert _usage(admin) == {
        (who.one_unit, "page_views", date(2026, 9, 1)): 400_000,
        (who.two_units, "page_views", date(2026, 9, 1)): 1_100_000,
        (who.no_plan, "page_views", MONTH): 1200,
    }
    events = _count(admin, AuditEvent)
    again = import_usage(finance, _file(tmp_path, second, "second.csv"))
    assert (again.new, again.changed, again.unchanged) == (0, 0, 3)
    assert again.summary() == (
        "new 0, changed 0, unchanged 3, rejected 0; overage lines to review: 0"
    )
    assert _count(admin, AuditEvent) == events  # not even a run: it changed nothing
    runs = _runs(admin)
    assert len(runs) == 2
    assert runs[-1].source_sha256 == hashlib.sha256(second.encode()).hexdigest()
    assert runs[-1].summary | {"months": None} == {
        "kind": "usage",
        "new": 1,
        "changed": 1,
        "unchanged": 1,
        "months": None,
        "overage": {"new": 1, "repriced": 0, "reopened": 0, "removed": 0},
    }


def _runs(admin: Context) -> list[ImportRun]:
    with admin.database.read_session() as session:
        return list(session.scalars(select(ImportRun).order_by(ImportRun.id)))


def test_a_dry_run_counts_the_same_and_writes_nothing(admin: Context, tmp_path: Path) -> None:
    """A dry run reports what the import would do, overage included, and writes no row."""
    usage_customers(admin)
    path = _file(tmp_path, usage_csv("100001,,2026-10,700000", "100002,,2026-10,100"))
    events = _count(admin, AuditEvent)
    dry = import_usage(admin.as_user("csu"), path, dry_run=True)
    assert (dry.new, dry.changed, dry.unchanged, dry.overage_to_review) == (2, 0, 0, 1)
    assert not dry.written
    assert _usage(admin) == {}
    assert _count(admin, OverageLine) == 0
    assert _count(admin, AuditEvent) == events
    done = import_usage(admin.as_user("csu"), path)
    assert (done.new, done.overage_to_review, done.written) == (2, 1, True)


def test_rejected_lines_each_say_why_and_nothing_is_written(admin: Context, tmp_path: Path) -> None:
    """An unknown account, a negative or fractional volume, a month twice for one account and
    metric, a malformed month, a metric acctmgr does not measure: each line says why, and the
    valid lines are not written either."""
    usage_customers(admin)
    text = usage_csv(
        "100001,,2026-10,700000",  # valid, yet not written
        "999999,,2026-10,5",
        "100002,,2026-10,-3",
        "100002,,2026-09,12.5",
        "100001,,2026-13,5",
        "100001,,October,5",
        "100001,page_views,2026-10,9",
        "100001,page_veiws,2026-10,9",  # misspelt: a metric acctmgr does not measure
        "100001,api_calls,2026-10,9",
    )
    done = import_usage(admin.as_user("finance"), _file(tmp_path, text))
    assert [(r.line, r.reason) for r in done.rejected] == [
        (3, "Line 3: no account has the iSeries number 999999."),
        (4, "Line 4: the quantity '-3' is not a whole number from 0 to 2,000,000,000."),
        (5, "Line 5: the quantity '12.5' is not a whole number from 0 to 2,000,000,000."),
        (6, "Line 6: the month '2026-13' is not a month written YYYY-MM."),
        (7, "Line 7: the month 'October' is not a month written YYYY-MM."),
        (8, "Line 8: account 100001 has page_views for 2026-10 on line 2 already."),
        (9, "Line 9: acctmgr does not measure the metric 'page_veiws'; it knows page_views."),
        (10, "Line 10: acctmgr does not measure the metric 'api_calls'; it knows page_views."),
    ]
    assert (done.new, done.written) == (1, False)
    assert done.summary() == (
        "Nothing imported: 8 lines rejected; the file would have made new 1, changed 0, "
        "unchanged 0, overage lines to review: 1."
    )
    assert _usage(admin) == {}
    assert _runs(admin) == []


def test_the_account_column_may_be_acctmgrs_id(admin: Context, tmp_path: Path) -> None:
    """With an account_id column the accounts are found by acctmgr's id."""
    who = usage_customers(admin)
    text = f"account_id,month,quantity\n{who.no_plan},2026-10,7\n99999999999,2026-10,1\n"
    done = import_usage(admin.as_user("finance"), _file(tmp_path, text))
    assert [r.reason for r in done.rejected] == [
        "Line 3: no account has the acctmgr id 99999999999."
    ]
    done = import_usage(
        admin.as_user("finance"),
        [{"account_id": str(who.no_plan), "month": "2026-10", "quantity": "7"}],
    )
    assert done.written
    assert _usage(admin) == {(who.no_plan, "page_views", MONTH): 7}


def test_only_finance_customer_success_and_admins_import(admin: Context, tmp_path: Path) -> None:
    """Anyone else is refused, and a file without its columns or not there is one sentence."""
    usage_customers(admin)
    path = _file(tmp_path, usage_csv("100003,,2026-10,7"))
    for login in ("ae", "cms", "leader", "cs"):
        with pytest.raises(PermissionDenied, match="Only a Finance or Customer Success or Admin"):
            import_usage(admin.as_user(login), path, dry_run=True)
    for login in ("finance", "csu", "admin"):
        assert import_usage(admin.as_user(login), path, dry_run=True).new == 1
    with pytest.raises(InvalidInput, match="header has no account or quantity column"):
        import_usage(admin, _file(tmp_path, "customer,month\n1,2026-10\n", "bad.csv"))
    with pytest.raises(InvalidInput, match="There is no usage file"):
        import_usage(admin, tmp_path / "missing.csv")


def test_the_command_prints_rejections_and_the_counts(
    admin: Context, database_url: str, tmp_path: Path
) -> None:
    """`acctmgr import usage` prints each rejected line and the counts, fails when any line
    is rejected, and a dry run says it wrote nothing."""
    usage_customers(admin)
    good = _file(tmp_path, usage_csv("100001,,2026-10,700000"), "good.csv")
    bad = _file(tmp_path, usage_csv("100001,,2026-10,700000", "100009,,2026-10,1"), "bad.csv")
    refused = run_acctmgr(tmp_path, database_url, "--as", "finance", "import", "usage", str(bad))
    assert refused.returncode == 1, refused.stderr
    assert refused.stdout.splitlines() == [
        "Line 3: no account has the iSeries number 100009.",
        "Nothing imported: 1 line rejected; the file would have made new 1, changed 0, "
        "unchanged 0, overage lines to review: 1.",
    ]
    dry = run_acctmgr(
        tmp_path, database_url, "--as", "finance", "import", "usage", str(good), "--dry-run"
    )
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == "Dry run: nothing was written."
    done = run_acctmgr(tmp_path, database_url, "--as", "finance", "import", "usage", str(good))
    assert done.stdout.splitlines() == [
        "new 1, changed 0, unchanged 0, rejected 0; overage lines to review: 1"
    ]
    assert _count(admin, UsageRecord) == 1


def test_two_imports_of_one_file_at_once_write_it_once(admin: Context, tmp_path: Path) -> None:
    """Run side by side, one import writes the rows and their overage, the other then finds
    them unchanged: neither fails on the unique key, nothing is written twice."""
    usage_customers(admin)
    path = _file(tmp_path, usage_csv("100001,,2026-10,700000", "100002,,2026-10,100"))
    start = threading.Barrier(2)

    def run() -> tuple[int, int]:
        start.wait()
        done = import_usage(admin.as_user("finance"), path)
        return done.new, done.unchanged

    with ThreadPoolExecutor(2) as pool:
        results = sorted(future.result() for future in [pool.submit(run), pool.submit(run)])
    assert results == [(0, 2), (2, 0)]
    assert (_count(admin, UsageRecord), _count(admin, OverageLine)) == (2, 1)


def test_numbers_python_cannot_read_are_rejected_lines(admin: Context, tmp_path: Path) -> None:
    """A digit that is not 0 to 9 ("²"), a number of thousands of digits, or an account id
    longer than any: each a rejected line with its sentence, never a traceback."""
    who = usage_customers(admin)
    text = usage_csv("100001,,2026-10,²", f"100002,,2026-10,{'9' * 5000}")
    done = import_usage(admin.as_user("finance"), _file(tmp_path, text))
    assert [(r.line, r.reason) for r in done.rejected] == [
        (2, "Line 2: the quantity '²' is not a whole number from 0 to 2,000,000,000."),
        (
            3,
            f"Line 3: the quantity '{'9' * 40}…' is not a whole number from 0 to 2,000,000,000.",
        ),
    ]
    by_id = (
        f"account_id,month,quantity\n²,2026-10,1\n{'1' * 5000},2026-10,1\n{who.no_plan},2026-10,1\n"
    )
    done = import_usage(admin.as_user("finance"), _file(tmp_path, by_id, "ids.csv"))
    assert [(r.line, r.reason) for r in done.rejected] == [
        (2, "Line 2: the account id '²' is not a number."),
        (3, f"Line 3: the account id '{'1' * 40}…' is not a number."),
    ]
    assert _usage(admin) == {}


def test_a_quote_left_open_is_one_sentence(admin: Context, tmp_path: Path) -> None:
    """A quote never closed swallows the lines after it: past the csv module's field limit
    the file is refused in a sentence naming the line; short of it, that line is rejected."""
    usage_customers(admin)
    rest = "".join(f"1000{n:02},,2026-10,{n}\n" for n in range(10_000))
    text = usage_csv("100001,,2026-10,5", '100002,,2026-10,"7') + rest
    with pytest.raises(InvalidInput) as refused:
        import_usage(admin.as_user("finance"), _file(tmp_path, text))
    assert str(refused.value) == (
        'Line 3: a quote (") is left open, or a value is far too long; nothing from there on '
        "can be read."
    )
    short = usage_csv("100001,,2026-10,5", '100002,,2026-10,"7', "100001,,2026-09,3")
    done = import_usage(admin.as_user("finance"), _file(tmp_path, short, "short.csv"))
    assert [(r.line, r.reason) for r in done.rejected] == [
        (
            3,
            "Line 3: the quantity '7\\n100001,,2026-09,3' is not a whole number from 0 to "
            "2,000,000,000.",
        )
    ]
    assert _usage(admin) == {}


def test_a_dry_run_only_reads(admin: Context, tmp_path: Path) -> None:
    """A dry run takes no write lock: it runs while another transaction is writing (on SQLite
    it would otherwise wait for it, then fail as the database is locked)."""
    usage_customers(admin)
    path = _file(tmp_path, usage_csv("100001,,2026-10,700000"))
    with admin.database.write_session() as session:
        session.execute(update(UsageRecord).values(quantity=0))  # takes the write lock
        dry = import_usage(admin.as_user("finance"), path, dry_run=True)
        session.rollback()
    assert (dry.new, dry.overage_to_review, dry.written) == (1, 1, False)
