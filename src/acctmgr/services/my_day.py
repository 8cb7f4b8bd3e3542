"""My day: what each person should look at first, shaped by the roles they hold.

Four lists, each small and each answered by an indexed query: tasks and reminders due (overdue
first), approvals waiting for me, cases in my queue, and renewals entering their notice window.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select

from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    Account,
    Activity,
    ActivityKind,
    Approval,
    ApprovalRequest,
    ApprovalStatus,
    Contract,
    ContractStatus,
    Quote,
    RetentionCase,
    RetentionStep,
    Role,
    User,
)
from acctmgr.services.context import UnitOfWork, use_case
from acctmgr.services.permissions import require_segment, segment_filter
from acctmgr.services.views import ReadModel

LIST_LIMIT = 50
# How far ahead a renewal counts as "entering" its notice window.
RENEWAL_LOOKAHEAD = timedelta(days=30)
RENEWAL_ROLES = (
    Role.ACCOUNT_EXECUTIVE,
    Role.KEY_ACCOUNT_MANAGER,
    Role.CONTRACT_MANAGER,
    Role.SEGMENT_LEADER,
    Role.CUSTOMER_SERVICES,
)


class Urgency(enum.StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    SOON = "soon"


class MyDayItem(ReadModel):
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


class MyDay(ReadModel):
    user_name: str
    roles: list[str]
    today: date
    due: list[MyDayItem]
    approvals: list[MyDayItem]
    cases: list[MyDayItem]
    renewals: list[MyDayItem]


@use_case("my_day.show", write=False)
def my_day(uow: UnitOfWork) -> MyDay:
    """The signed-in user's day: due work, approvals, cases and renewals for their roles."""
    actor = uow.user
    today = uow.now.date()
    return MyDay(
        user_name=actor.name,
        roles=sorted(role.label for role in actor.roles),
        today=today,
        due=_due(uow, today),
        approvals=_approvals(uow, today),
        cases=_cases(uow),
        renewals=_renewals(uow, today) if actor.has(*RENEWAL_ROLES) else [],
    )


class ActivityView(ReadModel):
    id: int
    kind: ActivityKind
    subject: str
    notes: str
    outcome: str
    due_at: datetime | None
    done_at: datetime | None
    account_id: int | None
    account_name: str | None
    assigned_to: str | None
    created_by: str
    version: int


@use_case("activities.get", write=False)
def activity(uow: UnitOfWork, activity_id: int) -> ActivityView:
    """One task, reminder or logged activity, for its assignee, its author, or anyone who may
    see its account."""
    found = uow.get(Activity, activity_id, "task")
    actor = uow.user
    account = uow.session.get(Account, found.account_id) if found.account_id else None
    if actor.id not in (found.assigned_to_id, found.created_by_id):
        if account is None:
            raise PermissionDenied("This task belongs to someone else.")
        require_segment(actor, account.segment_id, what="task")
    names = dict(
        uow.session.execute(
            select(User.id, User.name).where(
                User.id.in_([found.created_by_id, found.assigned_to_id or 0])
            )
        ).all()
    )
    return ActivityView(
        id=found.id,
        kind=found.kind,
        subject=found.subject,
        notes=found.notes,
        outcome=found.outcome,
        due_at=found.due_at,
        done_at=found.done_at,
        account_id=found.account_id,
        account_name=account.name if account else None,
        assigned_to=names.get(found.assigned_to_id) if found.assigned_to_id else None,
        created_by=names[found.created_by_id],
        version=found.version,
    )


@use_case("activities.complete")
def complete_activity(uow: UnitOfWork, activity_id: int, expected_version: int) -> int:
    """Mark a task or reminder done; returns its new version.

    Only the person it is assigned to can; a task changed since it was listed is a Conflict.
    """
    activity = uow.get(Activity, activity_id, "task")
    if activity.assigned_to_id != uow.user.id:
        raise PermissionDenied("Only the person a task is assigned to can mark it done.")
    if activity.done_at is not None:
        raise InvalidInput("This task is already done.")
    uow.expect_version(activity, expected_version, "task")
    activity.done_at = uow.now
    uow.session.flush()
    return activity.version


def _urgency(when: date, today: date) -> Urgency:
    if when < today:
        return Urgency.OVERDUE
    return Urgency.TODAY if when == today else Urgency.SOON


def _due(uow: UnitOfWork, today: date) -> list[MyDayItem]:
    end_of_week = datetime.combine(today + timedelta(days=7), time.min, tzinfo=uow.now.tzinfo)
    rows = uow.session.execute(
        select(Activity, Account.name)
        .outerjoin(Account, Account.id == Activity.account_id)
        .where(
            Activity.assigned_to_id == uow.user.id,
            Activity.done_at.is_(None),
            Activity.due_at.is_not(None),
            Activity.due_at < end_of_week,
            Activity.kind.in_([ActivityKind.TASK, ActivityKind.REMINDER]),
        )
        .order_by(Activity.due_at)
        .limit(LIST_LIMIT)
    )
    items = []
    for activity, account_name in rows:
        assert activity.due_at is not None
        when = activity.due_at.date()
        items.append(
            MyDayItem(
                key=f"activity-{activity.id}",
                title=activity.subject,
                detail=account_name or "",
                when=when,
                urgency=_urgency(when, today),
                account_id=activity.account_id,
                record_type="activity",
                record_id=activity.id,
                version=activity.version,
            )
        )
    return items


def _approvals(uow: UnitOfWork, today: date) -> list[MyDayItem]:
    rows = uow.session.execute(
        select(Approval, ApprovalRequest, Quote.number, Account.id, Account.name)
        .join(ApprovalRequest, ApprovalRequest.id == Approval.request_id)
        # Approvals are of quotes today; other record types will join their own tables.
        .outerjoin(
            Quote,
            and_(ApprovalRequest.record_type == "quote", Quote.id == ApprovalRequest.record_id),
        )
        .outerjoin(Account, Account.id == Quote.account_id)
        .where(Approval.approver_id == uow.user.id, Approval.status == ApprovalStatus.PENDING)
        .order_by(Approval.due_at.is_(None), Approval.due_at)
        .limit(LIST_LIMIT)
    )
    items = []
    for approval, request, quote_number, account_id, account_name in rows:
        when = approval.due_at.date() if approval.due_at else None
        what = quote_number or f"{request.record_type} {request.record_id}"
        items.append(
            MyDayItem(
                key=f"approval-{approval.id}",
                title=f"Approve {what}" + (f" for {account_name}" if account_name else ""),
                detail=f"submitted {request.submitted_at:%d %b}",
                when=when,
                urgency=_urgency(when, today) if when else Urgency.SOON,
                account_id=account_id,
                record_type=request.record_type,
                record_id=request.record_id,
                version=request.record_version,
            )
        )
    return items


def _cases(uow: UnitOfWork) -> list[MyDayItem]:
    actor = uow.user
    mine = RetentionCase.assigned_to_id == actor.id
    # A CMS also sees the unassigned cases waiting in their segment's queue.
    queue = (
        and_(
            RetentionCase.assigned_to_id.is_(None),
            RetentionCase.step == RetentionStep.IN_QUEUE,
            segment_filter(actor, Account.segment_id),
        )
        if actor.has(Role.CONTRACT_MANAGER)
        else None
    )
    opened = RetentionCase.opened_by_id == actor.id
    condition = or_(mine, opened, queue) if queue is not None else or_(mine, opened)
    rows = uow.session.execute(
        select(RetentionCase, Account.name)
        .join(Account, Account.id == RetentionCase.account_id)
        .where(condition, RetentionCase.step != RetentionStep.CLOSED)
        .order_by(RetentionCase.created_at)
        .limit(LIST_LIMIT)
    )
    items = []
    for case, account_name in rows:
        waiting = case.assigned_to_id is None
        items.append(
            MyDayItem(
                key=f"case-{case.id}",
                title=f"{case.number} {account_name}",
                detail="in the queue, unassigned" if waiting else case.step.value.replace("_", " "),
                # The date a case was opened is not a deadline: no overdue/today label.
                when=case.created_at.date(),
                urgency=Urgency.SOON,
                account_id=case.account_id,
                record_type="retention_case",
                record_id=case.id,
                version=case.version,
            )
        )
    return items


def _renewals(uow: UnitOfWork, today: date) -> list[MyDayItem]:
    """Active contracts whose notice deadline falls within the look-ahead (or has just begun)."""
    actor = uow.user
    horizon = today + RENEWAL_LOOKAHEAD
    # Date arithmetic differs between SQLite and PostgreSQL, so the query bounds ends_on (which
    # is indexed) by the longest notice period and the exact deadline is checked here.
    longest_notice = timedelta(days=180)
    # Sellers watch their own accounts; everyone else their segments.
    if actor.has(Role.SEGMENT_LEADER, Role.CONTRACT_MANAGER, Role.CUSTOMER_SERVICES):
        scope = segment_filter(actor, Account.segment_id)
    else:
        scope = or_(Account.owner_id == actor.id, Account.key_account_manager_id == actor.id)
    rows = uow.session.execute(
        select(Contract, Account.name)
        .join(Account, Account.id == Contract.account_id)
        .where(
            Contract.status == ContractStatus.ACTIVE,
            Contract.ends_on >= today,
            Contract.ends_on <= horizon + longest_notice,
            scope,
        )
        .order_by(Contract.ends_on)
        .limit(LIST_LIMIT * 4)
    )
    items = []
    for contract, account_name in rows:
        deadline = contract.ends_on - timedelta(days=contract.notice_days)
        if deadline > horizon:
            continue
        items.append(
            MyDayItem(
                key=f"renewal-{contract.id}",
                title=f"{contract.number} {account_name}",
                detail=f"notice by {deadline:%d %b %Y}, ends {contract.ends_on:%d %b %Y}",
                when=deadline,
                urgency=_urgency(deadline, today),
                account_id=contract.account_id,
                record_type="contract",
                record_id=contract.id,
                version=contract.version,
            )
        )
    items.sort(key=lambda item: item.when or today)
    return items[:LIST_LIMIT]
