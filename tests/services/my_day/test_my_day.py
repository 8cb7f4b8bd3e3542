"""My day lists what each role should see first, and only that."""

from __future__ import annotations

from datetime import timedelta

import pytest

from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import Activity
from acctmgr.services.accounts import activities as activity_service
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.day_sections import Urgency
from acctmgr.services.my_day import day as my_day_service
from tests import factories


@pytest.fixture
def account(admin: Context) -> int:
    return account_service.create_account(
        admin, AccountIn(name="Acme Corp", segment_code="SMB", owner_login="ae")
    ).id


def test_due_tasks_come_overdue_first_and_leave_out_done_and_others(
    admin: Context, account: int
) -> None:
    """Overdue, then today, then this week; done tasks and other people's tasks are absent."""
    now = admin.clock.now()
    factories.task(admin, "ae", "Call back about invoice", now + timedelta(days=2))
    factories.task(admin, "ae", "Send usage report", now - timedelta(days=1), account_id=account)
    factories.task(admin, "ae", "Prepare meeting", now + timedelta(hours=2))
    factories.task(admin, "ae", "Already done", now, done=True)
    factories.task(admin, "ae", "Next month", now + timedelta(days=30))
    factories.task(admin, "cms", "Not mine", now)
    day = my_day_service.my_day(admin.as_user("ae"))
    assert [item.title for item in day.items("due")] == [
        "Send usage report",
        "Prepare meeting",
        "Call back about invoice",
    ]
    assert [item.urgency for item in day.items("due")] == [
        Urgency.OVERDUE,
        Urgency.TODAY,
        Urgency.SOON,
    ]
    assert day.items("due")[0].detail == "Acme Corp"


def test_marking_a_task_done_is_version_checked_and_owner_only(admin: Context) -> None:
    """Only the assignee marks a task done, from the version they saw."""
    factories.task(admin, "ae", "Follow up", admin.clock.now())
    item = my_day_service.my_day(admin.as_user("ae")).items("due")[0]
    with pytest.raises(PermissionDenied, match="assigned to"):
        activity_service.complete_activity(admin.as_user("cms"), item.record_id, item.version)
    activity_service.complete_activity(admin.as_user("ae"), item.record_id, item.version)
    assert my_day_service.my_day(admin.as_user("ae")).items("due") == []
    with pytest.raises(InvalidInput, match="already done"):
        activity_service.complete_activity(admin.as_user("ae"), item.record_id, item.version)
    # A task changed elsewhere since it was listed is not silently completed.
    factories.task(admin, "ae", "Moving target", admin.clock.now())
    listed = my_day_service.my_day(admin.as_user("ae")).items("due")[0]
    with admin.database.write_session() as session:
        moved = session.get(Activity, listed.record_id)
        assert moved is not None
        moved.subject = "Moved elsewhere"
        session.commit()
    with pytest.raises(Conflict):
        activity_service.complete_activity(admin.as_user("ae"), listed.record_id, listed.version)


def test_approvals_waiting_are_the_approvers_own(admin: Context, account: int) -> None:
    """The leader sees the pending approval with its quote and account; the AE does not."""
    factories.pending_quote_approval(admin, account, "Q-1001", submitter="cms", approver="leader")
    leader_day = my_day_service.my_day(admin.as_user("leader"))
    assert [item.title for item in leader_day.items("approvals")] == [
        "Approve Q-1001 for Acme Corp"
    ]
    assert leader_day.items("approvals")[0].account_id == account
    assert my_day_service.my_day(admin.as_user("ae")).items("approvals") == []


def test_cases_show_mine_and_for_a_cms_the_unassigned_queue_of_my_segment(
    admin: Context, account: int
) -> None:
    """A CMS sees their cases and their segment's unassigned queue; other segments' are hidden."""
    other_account = account_service.create_account(
        admin, AccountIn(name="Enterprise Inc", segment_code="ENT")
    ).id
    factories.retention_case(admin, account, "RC-1", opened_by="ae", assigned_to=None)
    factories.retention_case(admin, account, "RC-2", opened_by="ae", assigned_to="cms")
    factories.retention_case(admin, other_account, "RC-3", opened_by="ae2", assigned_to=None)
    cms_titles = [item.title for item in my_day_service.my_day(admin.as_user("cms")).items("cases")]
    assert cms_titles == ["RC-1 Acme Corp", "RC-2 Acme Corp"]
    # The AE who opened the cases follows them too.
    ae_titles = [item.title for item in my_day_service.my_day(admin.as_user("ae")).items("cases")]
    assert ae_titles == ["RC-1 Acme Corp", "RC-2 Acme Corp"]
    assert my_day_service.my_day(admin.as_user("leader")).items("cases") == []


def test_renewals_entering_the_notice_window(admin: Context, account: int) -> None:
    """Contracts whose notice deadline is within 30 days show, soonest first."""
    today = admin.clock.today()
    factories.contract(admin, account, "C-IN", today + timedelta(days=75))  # deadline in 15 d
    factories.contract(admin, account, "C-NOW", today + timedelta(days=40))  # deadline passed
    factories.contract(admin, account, "C-FAR", today + timedelta(days=200))
    factories.contract(admin, account, "C-LONG", today + timedelta(days=150), notice_days=130)
    day = my_day_service.my_day(admin.as_user("ae"))
    assert [item.title for item in day.items("renewals")] == [
        "C-NOW Acme Corp",
        "C-IN Acme Corp",
        "C-LONG Acme Corp",
    ]
    assert day.items("renewals")[0].urgency == Urgency.OVERDUE
    # Finance does not sell: no renewals list.
    assert my_day_service.my_day(admin.as_user("finance")).items("renewals") == []
