"""The account screen's tabs: each lists the account's own records, segment-checked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from acctmgr.errors import PermissionDenied
from acctmgr.services.accounts import account_file
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn, ContactIn
from acctmgr.services.kernel.context import Context
from tests import factories
from tests.retention_support import customer, open_case


def test_tabs_list_the_accounts_records(admin: Context) -> None:
    """Contracts, cases and the timeline come from this account only."""
    account = account_service.create_account(admin, AccountIn(name="Acme", segment_code="SMB"))
    other = account_service.create_account(admin, AccountIn(name="Other", segment_code="SMB"))
    today = admin.clock.today()
    factories.contract(admin, account.id, "C-1", today + timedelta(days=100))
    factories.contract(admin, other.id, "C-2", today + timedelta(days=100))
    factories.retention_case(admin, account.id, "RC-9", opened_by="ae", assigned_to="cms")
    factories.task(admin, "ae", "Call the buyer", admin.clock.now(), account_id=account.id)
    account_service.add_contact(admin, account.id, ContactIn(name="Buyer", email="b@acme.test"))

    assert [row.number for row in account_file.contracts(admin, account.id)] == ["C-1"]
    cases = account_file.cases_and_opportunities(admin, account.id)
    assert [row.title for row in cases] == ["Retention case RC-9"]
    assert cases[0].owner == "Casey Contracts"
    events = account_file.timeline(admin, account.id)
    texts = [event.text for event in events]
    assert "Call the buyer" in texts
    assert "account created (accounts.create)" in texts
    assert "account changed (contacts.add)" in texts  # the search text picked up the contact
    assert all(event.at.tzinfo is not None for event in events)
    assert account_file.invoices(admin, account.id) == []
    assert account_file.subscriptions(admin, account.id) == []


def test_tabs_refuse_another_segments_account(admin: Context) -> None:
    """An AE of another segment cannot read the tabs either."""
    account = account_service.create_account(admin, AccountIn(name="Acme", segment_code="SMB"))
    with pytest.raises(PermissionDenied):
        account_file.timeline(admin.as_user("ae2"), account.id)


def test_the_account_timeline_tells_a_cases_routing_and_steps(admin: Context) -> None:
    """A case's decisions (opened, routed to a CMS) are on its account's timeline, beside the
    case's row changes: both are filed under one RecordType."""
    acme = customer(admin)
    open_case(admin, acme)
    texts = [event.text for event in account_file.timeline(admin, acme.account_id)]
    assert any("retention case" in text and text.endswith(":routed)") for text in texts), texts
    assert any("retention case" in text and text.endswith(":step_open)") for text in texts)
    assert any(text.startswith("retention case created") for text in texts)
