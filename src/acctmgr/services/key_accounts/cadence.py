"""How often a key account expects its manager's call or visit, and when it was last contacted.

Seed 001: key accounts "expect to get personal consulting from their specialist at your company
on a regular basis". Each key account may have a contact cadence in days; a logged call,
meeting or e-mail on the account is a contact. My day lists the accounts whose cadence has run
out (``key_accounts.my_day``); ``due_a_contact`` is its ORM twin.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from acctmgr.domain.activities import ActivityKind
from acctmgr.domain.roles import Role
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import Account, AccountStatus, Activity
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT
from acctmgr.services.kernel.permissions import require_segment, segment_filter
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

CONTACT_KINDS = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.EMAIL)
MAX_CADENCE_DAYS = 365


class Cadence(ReadModel):
    """An account's contact cadence, its last contact, and when the next one is due."""

    account_id: int
    account_name: str
    version: int  # of the account
    days: int | None
    last_contact: datetime | None

    def due_on(self) -> date | None:
        """The day the next contact is due (None without a cadence; never contacted: None
        with a cadence, and ``is_due``)."""
        if self.days is None or self.last_contact is None:
            return None
        return self.last_contact.date() + timedelta(days=self.days)

    def is_due(self, today: date) -> bool:
        if self.days is None:
            return False
        due_on = self.due_on()
        return due_on is None or due_on <= today


def cadence_days(typed: str) -> int | None:
    """The cadence a person typed: blank for none, else a whole number of days (checked for
    its bounds by ``set_cadence``). Raises InvalidInput for anything else."""
    text = typed.strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput(
            "A contact cadence is a whole number of days, such as 30; leave it empty for none.",
            field="days",
        )
    return int(text)


def may_set_cadence(actor: Actor, account: Account) -> bool:
    """The account's own Key Account Manager, or an admin."""
    manages = actor.has(Role.KEY_ACCOUNT_MANAGER) and account.key_account_manager_id == actor.id
    return manages or actor.has(Role.ADMIN)


def last_contact(uow: UnitOfWork, account_id: int) -> datetime | None:
    """When the latest call, meeting or e-mail on the account was logged; None for none."""
    return uow.session.scalar(
        select(func.max(Activity.created_at)).where(
            Activity.account_id == account_id, Activity.kind.in_(CONTACT_KINDS)
        )
    )


@use_case("key_accounts.set_cadence")
def set_cadence(
    uow: UnitOfWork, account_id: int, expected_version: int, days: int | None
) -> Cadence:
    """Set how many days may pass between two contacts with the account (1 to 365), or None
    for no cadence.

    Raises PermissionDenied for anyone but the account's Key Account Manager or an admin (and
    for another segment's account), InvalidInput for days out of bounds, Conflict when the
    account changed since ``expected_version``.
    """
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    if not may_set_cadence(uow.user, account):
        raise PermissionDenied(
            "Only the account's Key Account Manager or an admin can set its contact cadence."
        )
    if days is not None and not 1 <= days <= MAX_CADENCE_DAYS:
        raise InvalidInput(
            f"A contact cadence is 1 to {MAX_CADENCE_DAYS} days; leave it empty for none.",
            field="days",
        )
    uow.expect_version(account, expected_version, "account")
    account.contact_cadence_days = days
    uow.session.flush()
    return Cadence(
        account_id=account.id,
        account_name=account.name,
        version=account.version,
        days=days,
        last_contact=last_contact(uow, account.id),
    )


@use_case("key_accounts.due_a_contact", write=False)
def due_a_contact(uow: UnitOfWork) -> list[Cadence]:
    """The key accounts the signed-in KAM manages whose cadence has run out (or that were
    never contacted), the longest uncontacted first: My day's list, read with the ORM.
    Empty for anyone who is not a Key Account Manager."""
    actor = uow.user
    if not actor.has(Role.KEY_ACCOUNT_MANAGER):
        return []
    latest = (
        select(func.max(Activity.created_at))
        .where(Activity.account_id == Account.id, Activity.kind.in_(CONTACT_KINDS))
        .correlate(Account)
        .scalar_subquery()
    )
    rows = uow.session.execute(
        select(
            Account.id, Account.name, Account.version, Account.contact_cadence_days, latest
        ).where(
            Account.key_account_manager_id == actor.id,
            Account.contact_cadence_days.is_not(None),
            Account.status != AccountStatus.CHURNED,
            segment_filter(actor, Account.segment_id),
        )
    )
    today = uow.now.date()
    found = [
        Cadence(
            account_id=account_id,
            account_name=name,
            version=version,
            days=days,
            last_contact=contacted,
        )
        for account_id, name, version, days, contacted in rows
    ]
    due = [cadence for cadence in found if cadence.is_due(today)]
    return sorted(due, key=contact_order)[:LIST_LIMIT]


def contact_order(cadence: Cadence) -> tuple[bool, datetime | None, str, int]:
    """Never contacted first, then the longest since the last contact; by name on a tie."""
    contacted = cadence.last_contact
    return (contacted is not None, contacted, cadence.account_name, cadence.account_id)
