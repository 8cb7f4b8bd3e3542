"""My day's retention cases: those I hold or opened, and for a CMS the segment's queue."""

from __future__ import annotations

from datetime import datetime

from acctmgr.db.reader import Reader, as_instant
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, Urgency
from acctmgr.services.kernel.plain_reads import segment_clause

# Stored values of RetentionStep (a test holds them to the enum).
CASE_IN_QUEUE = "in_queue"
CASE_CLOSED = "closed"


def cases(reader: Reader, actor: Actor, _now: datetime) -> list[MyDayItem]:
    """Open cases assigned to or opened by the actor, oldest first; a CMS also sees the
    unassigned cases waiting in their segment's queue."""
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
                record_type=RecordType.RETENTION_CASE,
                record_id=case_id,
                version=version,
            )
        )
    return items


CASES = Section("cases", "Cases in my queue", cases)
