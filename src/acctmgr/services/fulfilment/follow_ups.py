"""Who hears of what the daily pass did: the account's Key Account Manager gets a task, the
customer an e-mail at the contact invoices go to (else the primary contact, else any)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from acctmgr.domain.records import RecordType
from acctmgr.models import Account, Activity, ActivityKind, Contact, SkuVersion, User
from acctmgr.services.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Audience:
    """An account as the pass tells it: its name, who looks after it, whom to write to."""

    account_id: int
    account_name: str
    manager_id: int | None  # the KAM, else the account's owner
    manager_name: str
    customer_email: str  # "" when no contact has an address
    customer_name: str


def audiences(uow: UnitOfWork, account_ids: Iterable[int]) -> dict[int, Audience]:
    """The audience of each account, read in two queries however many accounts."""
    wanted = sorted(set(account_ids))
    if not wanted:
        return {}
    manager = User.__table__.alias("manager")
    accounts = uow.session.execute(
        select(
            Account.id,
            Account.name,
            Account.invoice_contact_id,
            manager.c.id.label("manager_id"),
            manager.c.name.label("manager_name"),
        )
        .outerjoin(
            manager,
            manager.c.id == func.coalesce(Account.key_account_manager_id, Account.owner_id),
        )
        .where(Account.id.in_(wanted))
    ).all()
    contacts: dict[int, list[Contact]] = {}
    for contact in uow.session.scalars(
        select(Contact)
        .where(Contact.account_id.in_(wanted), Contact.email != "")
        .order_by(Contact.is_primary.desc(), Contact.name, Contact.id)
    ):
        contacts.setdefault(contact.account_id, []).append(contact)
    found = {}
    for row in accounts:
        choices = contacts.get(row.id, [])
        invoiced = [c for c in choices if c.id == row.invoice_contact_id]
        chosen = next(iter(invoiced or choices), None)
        found[row.id] = Audience(
            account_id=row.id,
            account_name=row.name,
            manager_id=row.manager_id,
            manager_name=row.manager_name or "",
            customer_email=chosen.email if chosen else "",
            customer_name=chosen.name if chosen else "",
        )
    return found


def add_task(
    uow: UnitOfWork, audience: Audience, subject: str, notes: str, record: tuple[RecordType, int]
) -> Activity | None:
    """A task for the account's KAM (its owner when it has none) about ``record``, due now;
    none when nobody looks after the account. Added without a flush: a pass adds many."""
    if audience.manager_id is None:
        return None
    task = Activity(
        kind=ActivityKind.TASK,
        subject=subject[:200],
        notes=notes,
        account_id=audience.account_id,
        record_type=record[0],
        record_id=record[1],
        # The worker acts for nobody: the task is written in its assignee's name.
        created_by_id=audience.manager_id,
        assigned_to_id=audience.manager_id,
        due_at=uow.now,
    )
    uow.session.add(task)
    return task


def sku_names(uow: UnitOfWork, version_ids: set[int]) -> dict[int, str]:
    """The name of each SKU version, by id."""
    if not version_ids:
        return {}
    rows = uow.session.execute(
        select(SkuVersion.id, SkuVersion.name).where(SkuVersion.id.in_(version_ids))
    )
    return dict(rows.all())
