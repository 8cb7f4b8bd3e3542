"""`acctmgr worker --once` puts signed contracts in effect on their date, once; a pause it
cannot keep is refused."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from acctmgr.models import Contract, ContractStatus
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn
from acctmgr.services.kernel.context import Context
from tests import factories
from tests.cli_support import assert_one_sentence, run_acctmgr
from tests.services.fulfilment import running_support as support


def test_worker_once_activates_a_signed_contract_and_supersedes_the_old(
    admin: Context, database_url: str, tmp_path: Path
) -> None:
    """A signed contract whose start has come becomes active; the one it replaces superseded."""
    account = account_service.create_account(admin, AccountIn(name="Acme", segment_code="SMB"))
    today = admin.clock.now().date()
    old = factories.contract(admin, account.id, "CT-OLD", today + timedelta(days=200))
    new = factories.contract(admin, account.id, "CT-NEW", date(2099, 1, 1))
    with admin.database.write_session() as session:
        session.execute(
            update(Contract)
            .where(Contract.id == new)
            .values(status=ContractStatus.SIGNED, supersedes_id=old, starts_on=date(2020, 1, 1))
        )
        session.commit()
    first = run_acctmgr(tmp_path, database_url, "worker", "--once")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith(
        "contracts taking effect: 1; approvals reminded: 0, overdue: 0, escalated: 0; "
        "offers expired: 0; peer figures: 0 counted; "
        "subscriptions started: 0, ended: 0; entitlements warned: 0, expired: 0; "
        "e-mails sent: 0, to retry: 0, failed: 0; ERP exports written: 0, waiting: 0"
    )
    again = run_acctmgr(tmp_path, database_url, "worker", "--once")
    assert again.stdout.strip().endswith(
        "contracts taking effect: 0; approvals reminded: 0, overdue: 0, escalated: 0; "
        "offers expired: 0; peer figures: 0 counted; "
        "subscriptions started: 0, ended: 0; entitlements warned: 0, expired: 0; "
        "e-mails sent: 0, to retry: 0, failed: 0; ERP exports written: 0, waiting: 0"
    )
    with admin.database.read_session() as session:
        statuses = dict(session.execute(select(Contract.number, Contract.status)).all())
    assert statuses == {"CT-OLD": ContractStatus.SUPERSEDED, "CT-NEW": ContractStatus.ACTIVE}


@pytest.mark.parametrize("every", ["0", "86401", "99999999999999999999"])
def test_the_worker_refuses_a_pause_it_cannot_keep(tmp_path: Path, every: str) -> None:
    """--every outside 1 to 86,400 seconds is refused in one sentence before any pass."""
    result = run_acctmgr(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", "worker", "--every", every)
    assert_one_sentence(result, "The worker waits 1 to 86,400 seconds (a day) between passes.")
    assert not (tmp_path / "w.db").exists()


def test_worker_once_starts_a_subscription_on_its_day_once(
    admin: Context, database_url: str, tmp_path: Path
) -> None:
    """The worker's daily pass starts an activated order's subscription whose day has come, and
    a second pass starts nothing more."""
    support.staff(admin)
    skus = support.catalogue(admin)
    account = support.key_account(admin)
    agreed = support.contract(admin, account, "CT-1", [support.Sold(skus.platform)])
    support.activated_order(admin, agreed, "SO-1", date(2026, 1, 1), [support.Sold(skus.platform)])
    first = run_acctmgr(tmp_path, database_url, "worker", "--once")
    assert "subscriptions started: 1, ended: 0;" in first.stdout, first.stderr
    again = run_acctmgr(tmp_path, database_url, "worker", "--once")
    assert "subscriptions started: 0, ended: 0;" in again.stdout, again.stderr
