"""Drafts: one per record, step and user, however keeps cross; none left once a case closes."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.domain.sales import CloseOutcome
from acctmgr.models import Draft, User
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.drafts import keep_draft
from acctmgr.services.retention import closing
from acctmgr.services.retention.inputs import CloseIn
from tests.retention_support import customer, open_case


def test_two_keeps_at_once_leave_one_draft_the_later(admin: Context) -> None:
    """A keep that meets another's uncommitted draft waits for it and then replaces it."""
    cms = admin.as_user("cms")
    case = open_case(admin, customer(admin))
    errors: list[BaseException] = []

    def keep() -> None:
        try:
            keep_draft(cms, RecordType.RETENTION_CASE, case.id, "usage", {"notes": "second"})
        except BaseException as error:  # the assertion below names it
            errors.append(error)

    with admin.database.write_session() as session:
        cms_id = session.scalars(select(User.id).where(User.login == "cms")).one()
        session.add(
            Draft(
                record_type=RecordType.RETENTION_CASE,
                record_id=case.id,
                step="usage",
                user_id=cms_id,
                fields={"notes": "first"},
                created_at=admin.clock.now(),
            )
        )
        session.flush()
        other = threading.Thread(target=keep)
        other.start()
        time.sleep(0.5)  # the other keep is now waiting on this one
        session.commit()
    other.join(timeout=30)
    assert errors == []
    with admin.database.read_session() as session:
        assert [draft.fields for draft in session.scalars(select(Draft))] == [{"notes": "second"}]


def test_closing_a_case_discards_every_draft_of_it(admin: Context) -> None:
    """Once a case is closed lost, the drafts its people left at any step are gone."""
    case = open_case(admin, customer(admin))
    for login, step in (("cms", "usage"), ("ae", "goals")):
        keep_draft(admin.as_user(login), RecordType.RETENTION_CASE, case.id, step, {"x": "y"})
    closing.close_case(
        admin.as_user("ae"),
        case.id,
        case.version,
        CloseIn(outcome=CloseOutcome.LOST, reason="Went elsewhere"),
    )
    with admin.database.read_session() as session:
        assert session.scalars(select(Draft)).all() == []
