"""The order situation of a key account: each section lists the account's own current rows."""

from __future__ import annotations

from datetime import date

import pytest

from acctmgr.domain.contracts import RenewalType, SubscriptionKind
from acctmgr.errors import NotFound, PermissionDenied
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts.situation import first_of_months_back, order_situation
from tests.services.key_accounts.situation_support import acme


def test_contracts_show_their_term_and_notice_deadline(admin: Context) -> None:
    """Current contracts only, each with its term, renewal type and notice deadline (the end
    less the notice days); the ended one is history for the account screen."""
    records = acme(admin)
    situation = order_situation(admin.as_user("kam"), records.account_id)
    assert situation.account_name == "Acme Analytics"
    assert situation.key_account_manager == "Kim Keyes"
    assert (situation.contact_cadence_days, situation.last_contact) == (30, None)
    assert situation.may_set_cadence
    assert not order_situation(admin.as_user("kam2"), records.account_id).may_set_cadence
    (contract,) = situation.contracts
    assert (contract.number, contract.term_months, contract.renewal_type) == (
        "CT-000001",
        12,
        RenewalType.FIXED_TERM,
    )
    assert (contract.ends_on, contract.notice_deadline) == (date(2027, 2, 20), date(2026, 12, 22))
    assert situation.active_contract == contract


def test_subscriptions_mark_trials_and_those_ending(admin: Context) -> None:
    """Running subscriptions, paid before trials; both end within 90 days and are flagged."""
    records = acme(admin)
    situation = order_situation(admin.as_user("kam"), records.account_id)
    assert [(s.id, s.sku_code, s.kind, s.ending) for s in situation.subscriptions] == [
        (records.plan_id, "PV-500K", SubscriptionKind.PAID, True),
        (records.trial_id, "SUP-PREM", SubscriptionKind.TEST, True),
    ]
    assert [s.is_trial for s in situation.subscriptions] == [False, True]


def test_open_invoices_and_the_overdue_one(admin: Context) -> None:
    """Invoices not paid or cancelled, by due date; the one due before today is overdue."""
    records = acme(admin)
    situation = order_situation(admin.as_user("kam"), records.account_id)
    assert [(i.id, i.overdue) for i in situation.open_invoices] == [
        (records.overdue_id, True),
        (records.open_id, False),
    ]
    assert [i.number for i in situation.overdue_invoices] == ["IN-000001"]


def test_usage_of_the_last_six_months_against_the_included_volume(admin: Context) -> None:
    """Page views of May to October (not April, not the month being counted), each against the
    500,000 a month the contract includes."""
    records = acme(admin)
    situation = order_situation(admin.as_user("kam"), records.account_id)
    assert [u.month for u in situation.usage] == [date(2026, m, 1) for m in range(5, 11)]
    assert {(u.page_views, u.included, u.over) for u in situation.usage} == {
        (600_000, 500_000, True)
    }


def test_unused_entitlements_with_their_deadlines(admin: Context) -> None:
    """Services with something left to use before a deadline still to come: not the one used
    up, not the one whose deadline has passed."""
    records = acme(admin)
    situation = order_situation(admin.as_user("kam"), records.account_id)
    (workshops,) = situation.entitlements
    assert (workshops.id, workshops.left, workshops.consume_by) == (
        records.workshops_id,
        1,
        date(2027, 1, 10),
    )


def test_renewals_coming_up(admin: Context) -> None:
    """The active contract ending within 120 days is a renewal, with its notice deadline."""
    records = acme(admin)
    situation = order_situation(admin.as_user("kam"), records.account_id)
    (renewal,) = situation.renewals
    assert (renewal.contract_id, renewal.notice_deadline) == (
        records.contract_id,
        date(2026, 12, 22),
    )


def test_another_segment_is_refused_and_a_missing_account_not_found(admin: Context) -> None:
    """An Enterprise KAM may not read a Small business account's situation, as on the account
    screen; an unknown account is named as such."""
    records = acme(admin)
    with pytest.raises(PermissionDenied):
        order_situation(admin.as_user("kam3"), records.account_id)
    with pytest.raises(NotFound):
        order_situation(admin.as_user("kam"), records.account_id + 1_000)


def test_months_back_cross_the_year() -> None:
    """Six months before February 2027 is August 2026."""
    assert first_of_months_back(date(2027, 2, 14), 6) == date(2026, 8, 1)
