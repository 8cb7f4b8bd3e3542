"""Each decision keeps its turnaround against the SLA: how long it took, and whether it was in
time; a pending approval says how long it has waited and how late it is."""

from __future__ import annotations

from datetime import timedelta

from acctmgr.models import Decision
from acctmgr.services.approvals import decisions, inbox
from acctmgr.services.kernel.context import Context
from tests.retention_support import customer, reduce_addon, submit, to_quote
from tests.services.people.test_deactivation import finance_rule


def later(admin: Context, **delta: float) -> None:
    admin.clock.set(admin.clock.now() + timedelta(**delta))  # type: ignore[attr-defined]


def test_a_decision_in_time_and_the_next_tier_timed_from_it(admin: Context) -> None:
    """The leader decides 5 h 10 min after submission, within the 48-hour SLA; Finance's tier
    opens then, and has waited 2 h when read."""
    finance_rule(admin)
    case = to_quote(admin, customer(admin))
    reduce_addon(admin, case, "20")
    submit(admin, case.id)
    leader = admin.as_user("leader")
    (item,) = inbox.inbox(leader)
    later(admin, hours=5, minutes=10)
    decisions.decide(leader, item.approval_id, Decision.APPROVE)
    later(admin, hours=2)
    first, second = inbox.request_view(admin, item.request_id).approvals
    assert first.turnaround.sentence == "decided in 5 h 10 min, within its deadline"
    assert first.turnaround.on_time is True
    assert second.turnaround.opened_at == first.decided_at
    assert second.turnaround.sentence == "waiting 2 h"  # Finance's rule has no SLA
    assert second.turnaround.on_time is None


def test_a_late_approval_says_how_late_while_waiting_and_once_decided(admin: Context) -> None:
    case = to_quote(admin, customer(admin))
    reduce_addon(admin, case, "20")
    submit(admin, case.id)
    leader = admin.as_user("leader")
    (item,) = inbox.inbox(leader)
    due = inbox.request_view(admin, item.request_id).approvals[0].due_at
    assert due is not None
    admin.clock.set(due + timedelta(hours=3))  # type: ignore[attr-defined]
    (waiting,) = inbox.request_view(admin, item.request_id).approvals
    assert waiting.turnaround.sentence.endswith(", 3 h overdue")
    assert waiting.turnaround.on_time is False
    decisions.decide(leader, item.approval_id, Decision.APPROVE)
    (decided,) = inbox.request_view(admin, item.request_id).approvals
    assert decided.turnaround.sentence.endswith(", 3 h late")
    assert decided.turnaround.on_time is False
