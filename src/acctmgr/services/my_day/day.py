"""My day: what each person should look at first, shaped by the roles they hold.

Four lists, each small and each answered by an indexed query: tasks and reminders due (overdue
first), approvals waiting for me, cases in my queue, and renewals entering their notice window.

My day is the first thing anyone sees, so it is read with plain SQL through the driver
(``acctmgr.db.reader``) rather than the ORM: at launch it paints before SQLAlchemy, the models and
pydantic have loaded, which would otherwise double the time to the first useful screen
(benchmarks/launch.py). The values below are the ones the models store (a test holds them to
the enums).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from acctmgr.db import HEAD_REVISION
from acctmgr.db.reader import Reader, as_date, as_instant
from acctmgr.domain.roles import Role
from acctmgr.errors import StorageError, UnknownUser
from acctmgr.services.kernel.context import Actor, Context
from acctmgr.services.kernel.plain_reads import reading_actor, segment_clause

LIST_LIMIT = 50
# How far ahead a renewal counts as "entering" its notice window.
RENEWAL_LOOKAHEAD = timedelta(days=30)
# Date arithmetic differs between SQLite and PostgreSQL, so the renewals query bounds ends_on
# (which is indexed) by the longest notice period and the exact deadline is checked in Python.
LONGEST_NOTICE = timedelta(days=180)
RENEWAL_ROLES = (
    Role.ACCOUNT_EXECUTIVE,
    Role.KEY_ACCOUNT_MANAGER,
    Role.CONTRACT_MANAGER,
    Role.SEGMENT_LEADER,
    Role.CUSTOMER_SERVICES,
)
# Stored values of the enums in acctmgr.models that these queries filter on.
TASK_KINDS = ("task", "reminder")
APPROVAL_PENDING = "pending"
CASE_IN_QUEUE = "in_queue"
CASE_CLOSED = "closed"
CONTRACT_ACTIVE = "active"


class Urgency(enum.StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    SOON = "soon"


@dataclass(frozen=True)
class MyDayItem:
    """One line of My day, pointing at the record it opens."""

    key: str  # unique across the four lists, stable between refreshes
    title: str
    detail: str
    when: date | None
    urgency: Urgency
    account_id: int | None
    record_type: str
    record_id: int
    version: int  # of the record as listed, so acting on it detects a newer change


@dataclass(frozen=True)
class MyDay:
    user_name: str
    roles: list[str]
    today: date
    due: list[MyDayItem]
    approvals: list[MyDayItem]
    cases: list[MyDayItem]
    renewals: list[MyDayItem]


def my_day(context: Context) -> MyDay:
    """The signed-in user's day: due work, approvals, cases and renewals for their roles.

    Raises UnknownUser for a login that is not an active user, StorageError when the database
    cannot be read.
    """
    with context.reader() as reader:
        return _read_day(reader, context.login, context.clock.now())


def first_look(context: Context) -> MyDay | None:
    """My day for launch, read before the database layer has loaded.

    None when the database is not ready for it: missing, at another schema than this version's,
    unreadable, or without this user. Launch then opens the database the full way, which
    creates, upgrades, welcomes or explains in a sentence.
    """
    try:
        with context.reader() as reader:
            revisions = reader.rows("SELECT version_num FROM alembic_version")
            if revisions != [(HEAD_REVISION,)]:
                return None
            return _read_day(reader, context.login, context.clock.now())
    except (StorageError, UnknownUser):
        return None


def _read_day(reader: Reader, login: str | None, now: datetime) -> MyDay:
    actor = reading_actor(reader, login)
    today = now.date()
    end_of_week = datetime.combine(today + timedelta(days=7), time.min, tzinfo=now.tzinfo)
    return MyDay(
        user_name=actor.name,
        roles=sorted(role.label for role in actor.roles),
        today=today,
        due=_due(reader, actor, today, end_of_week),
        approvals=_approvals(reader, actor, today),
        cases=_cases(reader, actor),
        renewals=_renewals(reader, actor, today) if actor.has(*RENEWAL_ROLES) else [],
    )


def _urgency(when: date, today: date) -> Urgency:
    if when < today:
        return Urgency.OVERDUE
    return Urgency.TODAY if when == today else Urgency.SOON


def _due(reader: Reader, actor: Actor, today: date, end_of_week: datetime) -> list[MyDayItem]:
    rows = reader.rows(
        """
        SELECT a.id, a.subject, acc.name, a.due_at, a.account_id, a.version
        FROM activities a LEFT OUTER JOIN accounts acc ON acc.id = a.account_id
        WHERE a.assigned_to_id = :user AND a.done_at IS NULL AND a.due_at IS NOT NULL
          AND a.due_at < :end_of_week AND a.kind IN (:task, :reminder)
        ORDER BY a.due_at
        LIMIT :limit
        """,
        user=actor.id,
        end_of_week=end_of_week,
        task=TASK_KINDS[0],
        reminder=TASK_KINDS[1],
        limit=LIST_LIMIT,
    )
    items = []
    for activity_id, subject, account_name, due_at, account_id, version in rows:
        when = as_instant(due_at).date()
        items.append(
            MyDayItem(
                key=f"activity-{activity_id}",
                title=subject,
                detail=account_name or "",
                when=when,
                urgency=_urgency(when, today),
                account_id=account_id,
                record_type="activity",
                record_id=activity_id,
                version=version,
            )
        )
    return items


def _approvals(reader: Reader, actor: Actor, today: date) -> list[MyDayItem]:
    # Approvals are of quotes today; other record types will join their own tables.
    rows = reader.rows(
        """
        SELECT ap.id, ap.due_at, r.record_type, r.record_id, r.record_version, r.submitted_at,
               q.number, acc.id, acc.name
        FROM approvals ap
        JOIN approval_requests r ON r.id = ap.request_id
        LEFT OUTER JOIN quotes q ON r.record_type = 'quote' AND q.id = r.record_id
        LEFT OUTER JOIN accounts acc ON acc.id = q.account_id
        WHERE ap.approver_id = :user AND ap.status = :pending
        ORDER BY ap.due_at IS NULL, ap.due_at
        LIMIT :limit
        """,
        user=actor.id,
        pending=APPROVAL_PENDING,
        limit=LIST_LIMIT,
    )
    items = []
    for row in rows:
        approval_id, due_at, record_type, record_id, record_version, submitted_at = row[:6]
        quote_number, account_id, account_name = row[6:]
        when = as_instant(due_at).date() if due_at is not None else None
        what = quote_number or f"{record_type} {record_id}"
        items.append(
            MyDayItem(
                key=f"approval-{approval_id}",
                title=f"Approve {what}" + (f" for {account_name}" if account_name else ""),
                detail=f"submitted {as_instant(submitted_at):%d %b}",
                when=when,
                urgency=_urgency(when, today) if when else Urgency.SOON,
                account_id=account_id,
                record_type=record_type,
                record_id=record_id,
                version=record_version,
            )
        )
    return items


def _cases(reader: Reader, actor: Actor) -> list[MyDayItem]:
    # A CMS also sees the unassigned cases waiting in their segment's queue.
    in_segment = segment_clause(actor, "acc.segment_id")
    queue = (
        f" OR (rc.assigned_to_id IS NULL AND rc.step = :in_queue AND {in_segment})"
        if actor.has(Role.CONTRACT_MANAGER)
        else ""
    )
    rows = reader.rows(
        f"""
        SELECT rc.id, rc.number, acc.name, rc.assigned_to_id, rc.step, rc.created_at,
               rc.account_id, rc.version
        FROM retention_cases rc JOIN accounts acc ON acc.id = rc.account_id
        WHERE (rc.assigned_to_id = :user OR rc.opened_by_id = :user{queue})
          AND rc.step != :closed
        ORDER BY rc.created_at
        LIMIT :limit
        """,
        user=actor.id,
        segment=actor.segment_id,
        in_queue=CASE_IN_QUEUE,
        closed=CASE_CLOSED,
        limit=LIST_LIMIT,
    )
    items = []
    for case_id, number, account_name, assigned_to, step, created_at, account_id, version in rows:
        items.append(
            MyDayItem(
                key=f"case-{case_id}",
                title=f"{number} {account_name}",
                detail="in the queue, unassigned"
                if assigned_to is None
                else step.replace("_", " "),
                # The date a case was opened is not a deadline: no overdue/today label.
                when=as_instant(created_at).date(),
                urgency=Urgency.SOON,
                account_id=account_id,
                record_type="retention_case",
                record_id=case_id,
                version=version,
            )
        )
    return items


def _renewals(reader: Reader, actor: Actor, today: date) -> list[MyDayItem]:
    """Active contracts whose notice deadline falls within the look-ahead (or has just begun)."""
    horizon = today + RENEWAL_LOOKAHEAD
    # Sellers watch their own accounts; everyone else their segments.
    if actor.has(Role.SEGMENT_LEADER, Role.CONTRACT_MANAGER, Role.CUSTOMER_SERVICES):
        scope = segment_clause(actor, "acc.segment_id")
    else:
        scope = "(acc.owner_id = :user OR acc.key_account_manager_id = :user)"
    rows = reader.rows(
        f"""
        SELECT ct.id, ct.number, acc.name, ct.ends_on, ct.notice_days, ct.account_id, ct.version
        FROM contracts ct JOIN accounts acc ON acc.id = ct.account_id
        WHERE ct.status = :active AND ct.ends_on >= :today AND ct.ends_on <= :until
          AND {scope}
        ORDER BY ct.ends_on
        LIMIT :limit
        """,
        user=actor.id,
        segment=actor.segment_id,
        active=CONTRACT_ACTIVE,
        today=today,
        until=horizon + LONGEST_NOTICE,
        limit=LIST_LIMIT * 4,
    )
    items = []
    for contract_id, number, account_name, ends_on, notice_days, account_id, version in rows:
        ends = as_date(ends_on)
        deadline = ends - timedelta(days=notice_days)
        if deadline > horizon:
            continue
        items.append(
            MyDayItem(
                key=f"renewal-{contract_id}",
                title=f"{number} {account_name}",
                detail=f"notice by {deadline:%d %b %Y}, ends {ends:%d %b %Y}",
                when=deadline,
                urgency=_urgency(deadline, today),
                account_id=account_id,
                record_type="contract",
                record_id=contract_id,
                version=version,
            )
        )
    items.sort(key=lambda item: item.when or today)
    return items[:LIST_LIMIT]
