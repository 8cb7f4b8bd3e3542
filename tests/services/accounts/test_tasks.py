"""Tasks and reminders: scheduling on a record or on nothing, rescheduling, done with an
outcome note, and undoing done; who may, and the audit of each change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from acctmgr.domain.activities import ActivityKind
from acctmgr.domain.records import RecordType
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import Activity
from acctmgr.services.accounts import activities
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.activities import RescheduleIn, TaskIn
from acctmgr.services.accounts.records import AccountIn
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.validation import invalid_input
from tests.conftest import NOW
from tests.retention_support import customer, open_case

TOMORROW = (NOW + timedelta(days=1)).date().isoformat()


def _account(context: Context, segment: str = "SMB") -> int:
    return account_service.create_account(
        context, AccountIn(name="Acme Corp", segment_code=segment)
    ).id


def _task(account_id: int | None, **fields: object) -> TaskIn:
    about = {"record_type": RecordType.ACCOUNT, "record_id": account_id} if account_id else {}
    return TaskIn.model_validate({"subject": "Call back", "due_at": TOMORROW, **about, **fields})


def test_a_task_on_an_account_is_stored_for_its_assignee_and_audited(admin: Context) -> None:
    """The row holds the record, the account, who made it, who does it and when; its insert is
    audited in the same transaction."""
    account_id = _account(admin)
    ae = admin.as_user("ae")
    task = activities.schedule_task(
        ae, _task(account_id, assignee_login="cms", kind="reminder", notes="About renewal")
    )
    with admin.database.read_session() as session:
        row = session.get(Activity, task.id)
        assert row is not None
        assert (row.kind, row.record_type, row.record_id) == (
            ActivityKind.REMINDER,
            RecordType.ACCOUNT,
            account_id,
        )
        assert row.account_id == account_id
        assert row.assigned_to_id != row.created_by_id
        assert row.due_at is not None
        assert row.done_at is None
    assert task.assigned_to == "Casey Contracts"
    assert task.due_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    (event,) = audit.trail(admin, RecordType.ACTIVITY, task.id)
    assert (event.change, event.action) == ("insert", "activities.schedule")


def test_a_task_on_a_case_belongs_to_the_cases_account(admin: Context) -> None:
    """A task following up a retention case is filed on the case and on its account."""
    acme = customer(admin)
    case = open_case(admin, acme)
    task = activities.schedule_task(
        admin.as_user("ae"),
        _task(None, record_type=RecordType.RETENTION_CASE, record_id=case.id),
    )
    assert task.account_id == acme.account_id
    with admin.database.read_session() as session:
        row = session.get(Activity, task.id)
        assert row is not None
        assert (row.record_type, row.record_id) == (RecordType.RETENTION_CASE, case.id)


def test_a_personal_task_is_the_schedulers_own(admin: Context) -> None:
    """With no record and no assignee, the task is the signed-in user's, on no account."""
    task = activities.schedule_task(admin.as_user("ae"), _task(None, due_at=f"{TOMORROW} 14:30"))
    assert task.account_id is None
    assert task.assigned_to == "Erin Executive"
    assert task.due_at == datetime(2026, 11, 24, 14, 30, tzinfo=UTC)


def test_the_assignee_must_see_the_record(admin: Context) -> None:
    """A Small-business account's task cannot go to an Enterprise AE; the refusal names them
    beside the assignee field, and nothing is saved."""
    account_id = _account(admin)
    with pytest.raises(InvalidInput, match="Eli Executive works in another segment") as caught:
        activities.schedule_task(admin.as_user("ae"), _task(account_id, assignee_login="ae2"))
    assert caught.value.field == "assignee_login"
    with pytest.raises(InvalidInput, match="no active user ghost"):
        activities.schedule_task(admin.as_user("ae"), _task(account_id, assignee_login="ghost"))
    with admin.database.read_session() as session:
        assert session.scalars(select(Activity.id)).all() == []


def test_the_assignees_offered_are_those_who_see_the_record(admin: Context) -> None:
    """The signed-in user first, then everyone of the segment or of every segment."""
    account_id = _account(admin)
    offered = activities.assignees(admin.as_user("ae"), RecordType.ACCOUNT, account_id)
    logins = [person.login for person in offered]
    assert logins[0] == "ae"
    assert "cms" in logins
    assert "finance" in logins  # Finance sees every segment
    assert "ae2" not in logins
    everyone = activities.assignees(admin.as_user("ae"))
    assert "ae2" in [person.login for person in everyone]


def test_nobody_schedules_a_task_on_a_record_they_cannot_see(admin: Context) -> None:
    """An Enterprise AE is refused a task on a Small-business account."""
    account_id = _account(admin)
    with pytest.raises(PermissionDenied, match="another segment"):
        activities.schedule_task(admin.as_user("ae2"), _task(account_id))


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"due_at": "next week"}, "due_at", "A due date is written YYYY-MM-DD"),
        ({"due_at": "2026-13-01"}, "due_at", "A due date is written YYYY-MM-DD"),
        ({"subject": "  "}, "subject", "A task needs a subject"),
        ({"subject": "x" * 201}, "subject", "A task's subject has at most 200 characters."),
        ({"kind": "call"}, "kind", "Only a task or a reminder is scheduled."),
    ],
)
def test_bad_task_input_is_one_sentence_beside_its_field(
    fields: dict[str, str], field: str, words: str
) -> None:
    """Dates, subjects and kinds are refused in our words, not pydantic's."""
    with pytest.raises(ValidationError) as caught:
        _task(None, **fields)
    refusal = invalid_input(caught.value)
    assert refusal.field == field
    assert refusal.message.startswith(words)


def test_nothing_is_due_before_today(admin: Context) -> None:
    """Scheduling or moving a task to yesterday is refused beside the due date."""
    yesterday = (NOW - timedelta(days=1)).date().isoformat()
    with pytest.raises(InvalidInput, match="cannot be due before today") as caught:
        activities.schedule_task(admin.as_user("ae"), _task(None, due_at=yesterday))
    assert caught.value.field == "due_at"
    task = activities.schedule_task(admin.as_user("ae"), _task(None))
    with pytest.raises(InvalidInput, match="cannot be due before today"):
        activities.reschedule_activity(
            admin.as_user("ae"), task.id, RescheduleIn(due_at=yesterday), task.version
        )


def test_rescheduling_moves_the_due_time_and_is_audited(admin: Context) -> None:
    """The assignee or the author moves an open task; others may not; a stale move conflicts."""
    account_id = _account(admin)
    task = activities.schedule_task(admin.as_user("ae"), _task(account_id, assignee_login="cms"))
    later = RescheduleIn(due_at="2026-12-01 16:00")
    moved = activities.reschedule_activity(admin.as_user("cms"), task.id, later, task.version)
    assert moved.due_at == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    latest = audit.trail(admin, RecordType.ACTIVITY, task.id)[0]
    assert (latest.change, latest.action) == ("update", "activities.reschedule")
    with pytest.raises(Conflict, match="Someone else saved this task"):
        activities.reschedule_activity(admin.as_user("ae"), task.id, later, task.version)
    with pytest.raises(PermissionDenied, match="assigned to, or its author"):
        activities.reschedule_activity(admin.as_user("finance"), task.id, later, moved.version)


def test_done_keeps_the_outcome_note_and_undo_reopens_the_task(admin: Context) -> None:
    """Done stores when and the note; reopening clears both; each is audited."""
    account_id = _account(admin)
    ae = admin.as_user("ae")
    task = activities.schedule_task(ae, _task(account_id))
    version = activities.complete_activity(ae, task.id, task.version, outcome=" Agreed a call ")
    done = activities.activity(ae, task.id)
    assert done.done_at == admin.clock.now()
    assert done.outcome == "Agreed a call"
    with pytest.raises(InvalidInput, match="already done"):
        activities.complete_activity(ae, task.id, version)
    with pytest.raises(InvalidInput, match="done; undo that first"):
        activities.reschedule_activity(ae, task.id, RescheduleIn(due_at=TOMORROW), version)
    reopened = activities.reopen_activity(ae, task.id, version)
    again = activities.activity(ae, task.id)
    assert (again.done_at, again.outcome, again.version) == (None, "", reopened)
    actions = [event.action for event in audit.trail(admin, RecordType.ACTIVITY, task.id)]
    assert actions == ["activities.reopen", "activities.complete", "activities.schedule"]
    with pytest.raises(InvalidInput, match="not done"):
        activities.reopen_activity(ae, task.id, reopened)


def test_only_the_assignee_reopens_and_a_stale_undo_conflicts(admin: Context) -> None:
    """Someone else's done task stays done; an undo from an old version is refused."""
    account_id = _account(admin)
    ae = admin.as_user("ae")
    task = activities.schedule_task(ae, _task(account_id))
    version = activities.complete_activity(ae, task.id, task.version)
    with pytest.raises(PermissionDenied, match="Only the person"):
        activities.reopen_activity(admin.as_user("cms"), task.id, version)
    with pytest.raises(Conflict):
        activities.reopen_activity(ae, task.id, task.version)


def test_a_long_outcome_note_is_refused_with_a_sentence(admin: Context) -> None:
    """An outcome note fits its column (200 characters), or the task stays open."""
    ae = admin.as_user("ae")
    task = activities.schedule_task(ae, _task(None))
    with pytest.raises(InvalidInput, match="at most 200 characters"):
        activities.complete_activity(ae, task.id, task.version, outcome="x" * 201)
    assert activities.activity(ae, task.id).done_at is None
