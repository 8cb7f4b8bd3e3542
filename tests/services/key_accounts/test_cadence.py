"""The contact cadence of a key account: who may set it, its bounds, and My day's list of the
key accounts due a contact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from acctmgr.domain.accounts import AccountStatus
from acctmgr.domain.activities import ActivityKind
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import Account
from acctmgr.services.accounts import records as account_service
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts import my_day as key_accounts_day
from acctmgr.services.key_accounts.cadence import (
    CONTACT_KINDS,
    cadence_days,
    due_a_contact,
    set_cadence,
)
from acctmgr.services.my_day import day as my_day_service
from tests.services.key_accounts.situation_support import contacted, hire_kams, key_account

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def version_of(admin: Context, account_id: int) -> int:
    return account_service.get_account(admin, account_id).version


def test_the_kam_sets_the_cadence_and_an_admin_may_too(admin: Context) -> None:
    """Kim sets 30 days on her key account, the admin changes it to none; the version moves on
    and the last contact comes back with it."""
    hire_kams(admin)
    account_id = key_account(admin, "Acme")
    contacted(admin, account_id, ActivityKind.CALL, NOW - timedelta(days=3))
    cadence = set_cadence(admin.as_user("kam"), account_id, version_of(admin, account_id), 30)
    assert (cadence.days, cadence.last_contact) == (30, NOW - timedelta(days=3))
    assert cadence.due_on() == (NOW + timedelta(days=27)).date()
    cleared = set_cadence(admin, account_id, cadence.version, None)
    assert cleared.days is None
    assert cleared.version == cadence.version + 1


def test_only_the_accounts_kam_or_an_admin_sets_it(admin: Context) -> None:
    """Another KAM of the segment, an AE, or a KAM of another segment is refused."""
    hire_kams(admin)
    account_id = key_account(admin, "Acme")
    for login in ("kam2", "ae", "kam3"):
        with pytest.raises(PermissionDenied):
            set_cadence(admin.as_user(login), account_id, version_of(admin, account_id), 30)


@pytest.mark.parametrize("days", [0, 366, -5])
def test_a_cadence_is_one_to_365_days(admin: Context, days: int) -> None:
    """Zero, negative, or over a year is refused beside the field, in one sentence."""
    hire_kams(admin)
    account_id = key_account(admin, "Acme")
    with pytest.raises(InvalidInput) as refused:
        set_cadence(admin.as_user("kam"), account_id, version_of(admin, account_id), days)
    assert refused.value.field == "days"
    assert refused.value.message == ("A contact cadence is 1 to 365 days; leave it empty for none.")


def test_a_stale_version_is_a_conflict(admin: Context) -> None:
    """Saved from a copy older than the account, the cadence is refused."""
    hire_kams(admin)
    account_id = key_account(admin, "Acme")
    version = version_of(admin, account_id)
    set_cadence(admin.as_user("kam"), account_id, version, 30)
    with pytest.raises(Conflict):
        set_cadence(admin.as_user("kam"), account_id, version, 14)


def due_accounts(admin: Context) -> dict[str, int]:
    hire_kams(admin)
    accounts = {
        "never": key_account(admin, "Never Called", cadence=30),
        "overdue": key_account(admin, "Long Ago", cadence=30),
        "today": key_account(admin, "Due Today", cadence=7),
        "recent": key_account(admin, "Called Lately", cadence=30),
        "noted": key_account(admin, "Only Noted", cadence=30),
        "none": key_account(admin, "No Cadence"),
        "kits": key_account(admin, "Kit's Own", kam="kam2", cadence=1),
        "churned": key_account(admin, "Gone", cadence=1),
    }
    contacted(admin, accounts["overdue"], ActivityKind.MEETING, NOW - timedelta(days=45))
    contacted(admin, accounts["overdue"], ActivityKind.NOTE, NOW - timedelta(days=1))
    contacted(admin, accounts["today"], ActivityKind.EMAIL, NOW - timedelta(days=7))
    contacted(admin, accounts["recent"], ActivityKind.CALL, NOW - timedelta(days=45))
    contacted(admin, accounts["recent"], ActivityKind.CALL, NOW - timedelta(days=2))
    contacted(admin, accounts["noted"], ActivityKind.NOTE, NOW - timedelta(days=2))
    gone = account_service.get_account(admin, accounts["churned"])
    with admin.database.write_session() as session:
        session.execute(
            update(Account).where(Account.id == gone.id).values(status=AccountStatus.CHURNED)
        )
        session.commit()
    return accounts


def test_my_day_lists_key_accounts_due_a_contact(admin: Context) -> None:
    """Kim's key accounts never contacted, then the longest uncontacted (a note is no contact),
    then the one due today; not those contacted within their cadence, without one, churned, or
    another KAM's."""
    accounts = due_accounts(admin)
    items = my_day_service.my_day(admin.as_user("kam")).items("key_accounts_due")
    assert [(item.title, item.detail) for item in items] == [
        ("Never Called", "never contacted; every 30 days"),
        ("Only Noted", "never contacted; every 30 days"),
        ("Long Ago", "last contact 09 Oct 2026; every 30 days"),
        ("Due Today", "last contact 16 Nov 2026; every 7 days"),
    ]
    assert items[0].record_id == accounts["never"]
    assert [item.urgency.value for item in items] == ["overdue", "overdue", "overdue", "today"]
    kit = my_day_service.my_day(admin.as_user("kam2")).items("key_accounts_due")
    assert [item.title for item in kit] == ["Kit's Own"]


def test_the_section_is_for_key_account_managers(admin: Context) -> None:
    """Nobody but a Key Account Manager has the section, not even the admin."""
    due_accounts(admin)
    for login in ("admin", "ae", "cms"):
        keys = [s.key for s in my_day_service.my_day(admin.as_user(login)).sections]
        assert "key_accounts_due" not in keys, login


def test_my_day_lists_what_its_orm_twin_lists(admin: Context) -> None:
    """The plain-SQL section and ``key_accounts.due_a_contact`` list the same accounts in the
    same order, for every KAM and for someone who is none."""
    due_accounts(admin)
    for login in ("kam", "kam2", "kam3", "ae", "admin"):
        user = admin.as_user(login)
        plain = my_day_service.my_day(user).items("key_accounts_due")
        orm = due_a_contact(user)
        assert [(i.record_id, i.version, i.when) for i in plain] == [
            (c.account_id, c.version, c.due_on()) for c in orm
        ], login


def test_the_plain_values_are_the_stored_ones() -> None:
    """The section's stored values are those of the enums."""
    assert tuple(kind.value for kind in CONTACT_KINDS) == key_accounts_day.CONTACT_KINDS
    assert AccountStatus.CHURNED.value == key_accounts_day.ACCOUNT_CHURNED


@pytest.mark.parametrize(("typed", "days"), [("", None), ("  ", None), (" 30 ", 30)])
def test_a_typed_cadence_is_days_or_none(typed: str, days: int | None) -> None:
    """Blank is no cadence; digits are days."""
    assert cadence_days(typed) == days


@pytest.mark.parametrize("typed", ["a month", "7.5", "-3"])
def test_a_typed_cadence_that_is_no_number_is_refused(typed: str) -> None:
    """Words, fractions and signs are refused beside the field."""
    with pytest.raises(InvalidInput) as refused:
        cadence_days(typed)
    assert refused.value.field == "days"
