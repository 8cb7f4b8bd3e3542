"""Scheduling a task or reminder, moving it, marking it done with an outcome note, and undoing
that: the dialogs the account, case, task and My day screens share.

A host is any acctmgr screen (it has ``call``, ``run_service`` and ``app``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from acctmgr.domain.activities import ActivityKind
from acctmgr.domain.records import RecordType
from acctmgr.screens.dialog import FormDialog
from acctmgr.services.accounts import activities
from acctmgr.services.accounts.activities import ActivityView, OutcomeIn, RescheduleIn, TaskIn
from acctmgr.widgets.form import FormField

# The records a task may follow up, as the service accepts them.
FOLLOWED = frozenset({RecordType.ACCOUNT, *activities.FOLLOWED})
PERSONAL = ("Nothing: a personal task", "")
KINDS = (("Task", ActivityKind.TASK.value), ("Reminder", ActivityKind.REMINDER.value))
UNDO_HINT = "Ctrl+Z undoes it."


def about(record_type: RecordType, record_id: int, label: str) -> tuple[str, str]:
    """One choice of what a new task follows up."""
    return label, f"{record_type.value}:{record_id}"


def _record(value: str) -> tuple[RecordType | None, int | None]:
    kind, _, number = value.partition(":")
    if not kind or not number.isdigit():
        return None, None
    return RecordType(kind), int(number)


async def schedule_task(host: Any, choices: list[tuple[str, str]]) -> ActivityView | None:
    """Ask for a new task or reminder about one of ``choices`` (the first is the default);
    the scheduled task, or None when cancelled."""
    record_type, record_id = _record(choices[0][1]) if choices else (None, None)
    people = await host.call(activities.assignees, record_type, record_id)
    if people is None:
        return None
    tomorrow = host.context.clock.now().date() + timedelta(days=1)
    fields = [
        FormField("about", "About", "choice", choices=choices or [PERSONAL]),
        FormField("kind", "Kind", "choice", choices=KINDS),
        FormField("subject", "What is to be done"),
        FormField("due_at", "Due", placeholder="YYYY-MM-DD, or YYYY-MM-DD HH:MM (UTC)"),
        FormField(
            "assignee_login",
            "Assigned to",
            "choice",
            choices=[(person.name, person.login) for person in people],
        ),
        FormField("notes", "Notes", "area"),
    ]

    async def save(typed: dict[str, str]) -> ActivityView:
        chosen_type, chosen_id = _record(typed["about"])
        data = TaskIn(
            kind=ActivityKind(typed["kind"] or ActivityKind.TASK.value),
            subject=typed["subject"],
            notes=typed["notes"],
            due_at=typed["due_at"],  # parsed by the input model
            assignee_login=typed["assignee_login"],
            record_type=chosen_type,
            record_id=chosen_id,
        )
        made: ActivityView = await host.run_service(activities.schedule_task, data)
        return made

    result: ActivityView | None = await host.app.push_screen_wait(
        FormDialog(
            "New task or reminder",
            fields,
            save,
            values={
                "about": choices[0][1] if choices else "",
                "kind": ActivityKind.TASK.value,
                "due_at": tomorrow.isoformat(),
                "assignee_login": people[0].login if people else "",
            },
            save_label="Schedule it",
        )
    )
    return result


async def reschedule(
    host: Any, activity_id: int, version: int, due: datetime | None, subject: str
) -> ActivityView | None:
    """Ask for a new due time; the moved task, or None when cancelled."""

    async def save(typed: dict[str, str]) -> ActivityView:
        data = RescheduleIn(due_at=typed["due_at"])
        moved: ActivityView = await host.run_service(
            activities.reschedule_activity, activity_id, data, version
        )
        return moved

    result: ActivityView | None = await host.app.push_screen_wait(
        FormDialog(
            f"Reschedule: {subject}",
            [FormField("due_at", "Due", placeholder="YYYY-MM-DD, or YYYY-MM-DD HH:MM (UTC)")],
            save,
            values={"due_at": f"{due:%Y-%m-%d %H:%M}" if due else ""},
            save_label="Move it",
        )
    )
    return result


async def mark_done(host: Any, activity_id: int, version: int, subject: str) -> int | None:
    """Ask for an optional outcome note and mark the task done; its new version, or None."""

    async def save(typed: dict[str, str]) -> int:
        note = OutcomeIn(outcome=typed["outcome"]).outcome
        done: int = await host.run_service(
            activities.complete_activity, activity_id, version, outcome=note
        )
        return done

    result: int | None = await host.app.push_screen_wait(
        FormDialog(
            f"Done: {subject}",
            [FormField("outcome", "Outcome note", placeholder="optional: how it ended")],
            save,
            save_label="Mark done",
        )
    )
    if result is not None:
        host.notify(f"Done: {subject}. {UNDO_HINT}")
    return result


async def undo_done(host: Any, activity_id: int, version: int, subject: str) -> int | None:
    """Reopen a task marked done; its new version, or None when refused (with a notice)."""
    reopened: int | None = await host.call(activities.reopen_activity, activity_id, version)
    if reopened is not None:
        host.notify(f"Open again: {subject}")
    return reopened
