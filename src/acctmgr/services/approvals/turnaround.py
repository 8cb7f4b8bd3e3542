"""How long an approval took, or has waited, against its SLA: kept with every decision.

Nothing new is stored: an approval opens when its request was submitted (the first tier) or
when the tier before it was decided (tiers run one after another), and it was decided when it
says. Whether it was on time is judged against its due time, which the SLA counted in working
hours on the record's business calendar; the time shown is the time that passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from acctmgr.models import Approval, ApprovalRequest, ApprovalStatus
from acctmgr.services.kernel.read_models import ReadModel


class Turnaround(ReadModel):
    """An approval's time to decide: for the request's screen, and for the reports."""

    opened_at: datetime | None  # None while its tier has not started (or it was skipped)
    decided_at: datetime | None
    due_at: datetime | None
    on_time: bool | None  # None with no SLA, or while it waits within it
    sentence: str  # "decided in 5 h 10 min, within its deadline"


def turnaround(request: ApprovalRequest, approval: Approval, now: datetime) -> Turnaround:
    """The turnaround of one approval of ``request``, as it stands at ``now``."""
    opened = opened_at(request, approval)
    due = approval.due_at
    decided = approval.decided_at
    if opened is None or approval.status is ApprovalStatus.SKIPPED:
        return Turnaround(
            opened_at=opened, decided_at=decided, due_at=due, on_time=None, sentence=""
        )
    if approval.status is ApprovalStatus.CARRIED_OVER:  # its time was counted in its round
        return Turnaround(
            opened_at=None,
            decided_at=decided,
            due_at=None,
            on_time=None,
            sentence="carried over from the last round",
        )
    if decided is not None:
        sentence = f"decided in {_span(decided - opened)}"
        on_time = None if due is None else decided <= due
        if due is not None:
            sentence += ", within its deadline" if on_time else f", {_span(decided - due)} late"
        return Turnaround(
            opened_at=opened, decided_at=decided, due_at=due, on_time=on_time, sentence=sentence
        )
    late = due is not None and now > due
    tail = ""
    if due is not None:
        tail = f", {_span(now - due)} overdue" if late else f", due in {_span(due - now)}"
    return Turnaround(
        opened_at=opened,
        decided_at=None,
        due_at=due,
        on_time=False if late else None,
        sentence=f"waiting {_span(now - opened)}{tail}",
    )


def opened_at(request: ApprovalRequest, approval: Approval) -> datetime | None:
    """When the approval reached its approvers: the submission, or the last decision of the
    tiers before it; None while it waits for its tier."""
    if approval.status is ApprovalStatus.WAITING:
        return None
    earlier = [
        other.decided_at
        for other in request.approvals
        if other.tier < approval.tier and other.decided_at is not None
    ]
    # A carried-over approval was decided before this request: the request's clock starts at
    # its submission all the same.
    return max([*earlier, request.submitted_at])


def _span(delta: timedelta) -> str:
    """5 min, 3 h 20 min, 2 d 4 h: the two largest units, never seconds."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
