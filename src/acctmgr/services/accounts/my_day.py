"""My day's tasks and reminders due: the signed-in user's, this week, overdue first."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from acctmgr.db.reader import Reader, as_instant
from acctmgr.domain.records import RecordType
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, urgency

# Stored values of ActivityKind (a test holds them to the enum).
TASK_KINDS = ("task", "reminder")


def due(reader: Reader, actor: Actor, now: datetime) -> list[MyDayItem]:
    """The actor's open tasks and reminders due before a week from today, soonest first."""
    today = now.date()
    end_of_week = datetime.combine(today + timedelta(days=7), time.min, tzinfo=now.tzinfo)
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
                urgency=urgency(when, today),
                account_id=account_id,
                record_type=RecordType.ACTIVITY,
                record_id=activity_id,
                version=version,
            )
        )
    return items


DUE = Section("due", "Tasks and reminders due", due)
