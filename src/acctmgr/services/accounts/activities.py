"""Tasks, reminders and logged activities: reading one and marking it done."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import Account, Activity, ActivityKind, User
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case


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
