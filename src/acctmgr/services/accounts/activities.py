"""Tasks, reminders and logged activities: scheduling one on a record, rescheduling it, marking
it done with an outcome note, and undoing that.

A task follows up a record (an account, a retention case, an opportunity, a quote, a contract)
or nobody's but its own (a personal reminder). Whoever may see the record may schedule one,
for themselves or for a colleague who may see it too: a task nobody can open helps nobody.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    Account,
    Activity,
    ActivityKind,
    Contract,
    Offer,
    Opportunity,
    Quote,
    RetentionCase,
    User,
)
from acctmgr.services.kernel.permissions import require_segment, sees_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text_fields import FreeText, SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, actor_of, use_case
from acctmgr.services.kernel.validation import invalid_input

# The records a task can follow up, each with the account it belongs to.
FOLLOWED: dict[RecordType, Any] = {
    RecordType.RETENTION_CASE: RetentionCase,
    RecordType.OPPORTUNITY: Opportunity,
    RecordType.QUOTE: Quote,
    RecordType.CONTRACT: Contract,
    RecordType.OFFER: Offer,
}
SCHEDULED_KINDS = (ActivityKind.TASK, ActivityKind.REMINDER)
OUTCOME_LENGTH = 200  # the outcome column's size
DUE_FORMAT = "a due date is written YYYY-MM-DD, with a time as HH:MM after it if it has one"


def _due(value: object) -> object:
    """``2026-12-24`` or ``2026-12-24 14:30`` (UTC, as the app shows times) as an instant."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(9, 0), tzinfo=UTC)
    text = str(value).strip().replace("T", " ")
    try:
        if len(text) == len("2026-12-24"):
            return datetime.combine(date.fromisoformat(text), time(9, 0), tzinfo=UTC)
        return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(DUE_FORMAT) from None


# A due instant as people type it; a date alone is due at 09:00.
DueAt = Annotated[datetime, BeforeValidator(_due)]


class TaskIn(BaseModel):
    """A task or reminder to schedule, on a record or on nothing (a personal one)."""

    kind: ActivityKind = ActivityKind.TASK
    subject: SingleLine
    notes: FreeText = ""
    due_at: DueAt
    # Who does it; the person scheduling it when empty.
    assignee_login: SingleLine = ""
    record_type: RecordType | None = None
    record_id: int | None = None

    @field_validator("kind")
    @classmethod
    def _scheduled(cls, value: ActivityKind) -> ActivityKind:
        if value not in SCHEDULED_KINDS:
            raise ValueError("only a task or a reminder is scheduled")
        return value

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a task needs a subject: what is to be done")
        if len(value) > 200:
            raise ValueError("a task's subject has at most 200 characters")
        return value

    @field_validator("notes")
    @classmethod
    def _notes(cls, value: str) -> str:
        if len(value) > 2000:
            raise ValueError("a task's notes have at most 2000 characters")
        return value.strip()


class RescheduleIn(BaseModel):
    """When a task or reminder is due from now on."""

    due_at: DueAt


class OutcomeIn(BaseModel):
    """The optional note of how a task ended."""

    outcome: SingleLine = Field(default="")

    @field_validator("outcome")
    @classmethod
    def _length(cls, value: str) -> str:
        value = value.strip()
        if len(value) > OUTCOME_LENGTH:
            raise ValueError(f"an outcome note has at most {OUTCOME_LENGTH} characters")
        return value


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
    # The signed-in user's: whether they may mark it done (and undo that), and reschedule it.
    mine: bool = False
    can_reschedule: bool = False


class Assignee(ReadModel):
    login: str
    name: str


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
    return _view(uow, found, account)


@use_case("activities.assignees", write=False)
def assignees(
    uow: UnitOfWork, record_type: RecordType | None = None, record_id: int | None = None
) -> list[Assignee]:
    """The active users a task on this record may be given to: those who may see it (everyone,
    for a personal task), the signed-in user first. PermissionDenied if the user may not see it."""
    account = _followed_account(uow, record_type, record_id)
    users = uow.session.scalars(
        select(User).where(User.active).options(selectinload(User.roles)).order_by(User.name)
    )
    found = [
        Assignee(login=user.login, name=user.name)
        for user in users
        if account is None or sees_segment(actor_of(user), account.segment_id)
    ]
    found.sort(key=lambda person: person.login != uow.user.login)
    return found


@use_case("activities.schedule")
def schedule_task(uow: UnitOfWork, data: TaskIn) -> ActivityView:
    """Schedule a task or reminder on a record the user may see, for them or a colleague who
    may see it too. Nothing is due before today. Raises PermissionDenied or InvalidInput."""
    account = _followed_account(uow, data.record_type, data.record_id)
    _not_before_today(uow, data.due_at)
    assignee = uow.user
    if data.assignee_login and data.assignee_login != uow.user.login:
        user = uow.session.scalars(
            select(User).where(User.login == data.assignee_login, User.active)
        ).one_or_none()
        if user is None:
            raise InvalidInput(
                f"There is no active user {data.assignee_login}.", field="assignee_login"
            )
        found = actor_of(user)
        if account is not None and not sees_segment(found, account.segment_id):
            raise InvalidInput(
                f"{found.name} works in another segment and could not open this task.",
                field="assignee_login",
            )
        assignee = found
    task = uow.add(
        Activity(
            kind=data.kind,
            subject=data.subject,
            notes=data.notes,
            account_id=account.id if account else None,
            record_type=data.record_type if data.record_id is not None else None,
            record_id=data.record_id,
            created_by_id=uow.user.id,
            assigned_to_id=assignee.id,
            due_at=data.due_at,
        )
    )
    return _view(uow, task, account)


@use_case("activities.reschedule")
def reschedule_activity(
    uow: UnitOfWork, activity_id: int, data: RescheduleIn, expected_version: int
) -> ActivityView:
    """Move an open task or reminder to a new due time (today or later). Its assignee or its
    author may; a task changed since it was shown is a Conflict."""
    task = _scheduled(uow, activity_id)
    if uow.user.id not in (task.assigned_to_id, task.created_by_id):
        raise PermissionDenied("Only the person a task is assigned to, or its author, can move it.")
    if task.done_at is not None:
        raise InvalidInput("This task is done; undo that first to move it.")
    _not_before_today(uow, data.due_at)
    uow.expect_version(task, expected_version, "task")
    task.due_at = data.due_at
    uow.session.flush()
    return _view(uow, task, _account_of(uow, task))


@use_case("activities.complete")
def complete_activity(
    uow: UnitOfWork, activity_id: int, expected_version: int, outcome: str = ""
) -> int:
    """Mark a task or reminder done, with an optional note of its outcome; returns its new
    version.

    Only the person it is assigned to can; a task changed since it was listed is a Conflict.
    """
    try:
        note = OutcomeIn(outcome=outcome).outcome
    except ValidationError as error:
        raise invalid_input(error) from None
    activity = uow.get(Activity, activity_id, "task")
    if activity.assigned_to_id != uow.user.id:
        raise PermissionDenied("Only the person a task is assigned to can mark it done.")
    if activity.done_at is not None:
        raise InvalidInput("This task is already done.")
    uow.expect_version(activity, expected_version, "task")
    activity.done_at = uow.now
    if note:
        activity.outcome = note
    uow.session.flush()
    return activity.version


@use_case("activities.reopen")
def reopen_activity(uow: UnitOfWork, activity_id: int, expected_version: int) -> int:
    """Undo "done" on a task or reminder: it is open again, without its outcome note; returns
    its new version. Only its assignee can; a task changed since is a Conflict."""
    task = _scheduled(uow, activity_id)
    if task.assigned_to_id != uow.user.id:
        raise PermissionDenied("Only the person a task is assigned to can reopen it.")
    if task.done_at is None:
        raise InvalidInput("This task is not done.")
    uow.expect_version(task, expected_version, "task")
    task.done_at = None
    task.outcome = ""
    uow.session.flush()
    return task.version


def _not_before_today(uow: UnitOfWork, due_at: datetime) -> None:
    if due_at.date() < uow.now.date():
        raise InvalidInput("A task cannot be due before today.", field="due_at")


def _scheduled(uow: UnitOfWork, activity_id: int) -> Activity:
    task = uow.get(Activity, activity_id, "task")
    if task.kind not in SCHEDULED_KINDS:
        raise InvalidInput(f"A logged {task.kind.value} is not a task.")
    return task


def _followed_account(
    uow: UnitOfWork, record_type: RecordType | None, record_id: int | None
) -> Account | None:
    """The account of the record a task follows up, once the user may see it; None for a
    personal task."""
    if record_type is None or record_id is None:
        if record_type is not None or record_id is not None:
            raise InvalidInput("A task follows up a record named by its kind and its number.")
        return None
    if record_type is RecordType.ACCOUNT:
        account = uow.get(Account, record_id, "account")
    elif record_type in FOLLOWED:
        record = uow.get(FOLLOWED[record_type], record_id, record_type.label)
        account = uow.get(Account, record.account_id, "account")
    else:
        raise InvalidInput(f"A task cannot follow up a {record_type.label}.")
    require_segment(uow.user, account.segment_id, what=record_type.label)
    return account


def _account_of(uow: UnitOfWork, task: Activity) -> Account | None:
    return uow.session.get(Account, task.account_id) if task.account_id else None


def _view(uow: UnitOfWork, found: Activity, account: Account | None) -> ActivityView:
    names = dict(
        uow.session.execute(
            select(User.id, User.name).where(
                User.id.in_([found.created_by_id, found.assigned_to_id or 0])
            )
        ).all()
    )
    me = uow.user.id
    scheduled = found.kind in SCHEDULED_KINDS
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
        mine=scheduled and found.assigned_to_id == me,
        can_reschedule=scheduled
        and found.done_at is None
        and me in (found.assigned_to_id, found.created_by_id),
    )
