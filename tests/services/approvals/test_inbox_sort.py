"""The approvals inbox sorts by its due date or its submitter in SQL, and refuses other names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from acctmgr.errors import InvalidInput
from acctmgr.models import Approval, ApprovalRequest, User
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.sorting import Sort
from tests.conftest import NOW
from tests.retention_support import customer
from tests.services.approvals.test_approvals import pending

# Three requests waiting for the leader: (submitter, due in hours or None for no due date).
WAITING = (("cms", 1), ("ae", None), ("admin", 5))
EXPECTED = {"due": [0, 2, 1], "submitted_by": [2, 0, 1]}  # Ada, Casey, Erin by name


@pytest.fixture
def waiting(admin: Context) -> list[int]:
    """The leader's approvals, one for each of WAITING, submitted and due as it says."""
    ids = []
    for number, (login, hours) in enumerate(WAITING):
        acme = customer(admin, name=f"Acme {number}", contract_number=f"CT-000000{number}")
        case = pending(admin, acme)
        with admin.database.write_session() as session:
            request_id = session.scalars(
                select(ApprovalRequest.id).where(ApprovalRequest.record_id == case.quote_id)
            ).one()
            submitter = session.scalars(select(User.id).where(User.login == login)).one()
            session.execute(
                update(ApprovalRequest)
                .where(ApprovalRequest.id == request_id)
                .values(submitted_by_id=submitter)
            )
            due = NOW + timedelta(hours=hours) if hours is not None else None
            session.execute(
                update(Approval).where(Approval.request_id == request_id).values(due_at=due)
            )
            ids.append(
                session.scalars(select(Approval.id).where(Approval.request_id == request_id)).one()
            )
            session.commit()
    return ids


@pytest.mark.parametrize("column", sorted(EXPECTED))
def test_each_column_sorts_the_inbox_and_again_reverses_it(
    admin: Context, waiting: list[int], column: str
) -> None:
    """Sorted by due date (none last) or submitter, the inbox comes in that order, and
    descending exactly reversed."""
    assert set(EXPECTED) == set(approval_inbox.INBOX_SORTS)
    leader = admin.as_user("leader")
    expected = [waiting[position] for position in EXPECTED[column]]
    for descending, order in ((False, expected), (True, expected[::-1])):
        found = approval_inbox.inbox(leader, Sort(column, descending))
        assert [item.approval_id for item in found] == order


def test_a_column_the_inbox_does_not_offer_is_refused(admin: Context) -> None:
    """A sort by anything but the inbox's columns is refused with a sentence naming them."""
    with pytest.raises(InvalidInput, match="sorts by due, submitted_by"):
        approval_inbox.inbox(admin.as_user("leader"), Sort("record_label"))
