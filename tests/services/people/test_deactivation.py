"""Deactivating a user who leaves: no sign-in, no decisions, no new work; history kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, PermissionDenied, UnknownUser
from acctmgr.models import ApproverKind, AuditEvent, Decision, Role
from acctmgr.services.approvals import decisions, inbox
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rules import RuleIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.plain_reads import reading_actor
from acctmgr.services.people import deactivation
from acctmgr.services.people import users as user_service
from acctmgr.services.people.users import UserIn
from tests.cli_support import run_acctmgr
from tests.retention_support import customer, reduce_addon, submit, to_quote


def finance_rule(admin: Context) -> None:
    """Every reduction also needs Fin Ance by name, at tier 2."""
    approval_rules.add_rule(
        admin,
        RuleIn(
            name="Reductions need Fin Ance",
            record_type=RecordType.QUOTE,
            condition={"field": "discount_pct", "op": ">", "value": "0"},
            tier=2,
            approver_kind=ApproverKind.USER,
            approver_login="finance",
        ),
    )


def test_a_deactivated_user_cannot_sign_in_and_is_told_so(admin: Context) -> None:
    """After deactivation the user's next action is refused in a sentence that says they were
    deactivated (not that they should be added); reactivated, they work again."""
    ae = admin.as_user("ae")
    deactivation.deactivate_user(admin, "ae")
    with pytest.raises(UnknownUser, match="'ae' has been deactivated"):
        user_service.me(ae)
    with ae.reader() as reader, pytest.raises(UnknownUser, match="deactivated"):
        reading_actor(reader, "ae")  # the plain read of My day refuses the same way
    user = deactivation.reactivate_user(admin, "ae")
    assert user.active
    assert Role.ACCOUNT_EXECUTIVE in user_service.me(ae).roles


def test_only_admins_deactivate_and_never_themselves(admin: Context) -> None:
    """An AE cannot deactivate anyone; an admin cannot deactivate themselves (so an active admin
    always remains), but can deactivate another admin."""
    with pytest.raises(PermissionDenied, match="Only an Admin can deactivate"):
        deactivation.deactivate_user(admin.as_user("ae"), "cms")
    with pytest.raises(InvalidInput, match="yourself"):
        deactivation.deactivate_user(admin, "admin")
    user_service.create_user(
        admin,
        UserIn(login="boss", name="Bo Ss", email="boss@example.com", roles=frozenset({Role.ADMIN})),
    )
    assert not deactivation.deactivate_user(admin.as_user("boss"), "admin").user.active
    with pytest.raises(InvalidInput, match="yourself"):
        deactivation.deactivate_user(admin.as_user("boss"), "boss")
    with pytest.raises(InvalidInput, match="no user with the login ghost"):
        deactivation.deactivate_user(admin.as_user("boss"), "ghost")


def test_pending_approvals_are_listed_and_history_stays(admin: Context) -> None:
    """A named approver who leaves mid-request: their open approval is listed for reassignment,
    they cannot decide it, the decisions they made stay, and new submissions are refused
    until the rule names someone active."""
    finance_rule(admin)
    acme = customer(admin)
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "20")
    case = submit(admin, case.id)
    leader = admin.as_user("leader")
    decisions.decide(leader, inbox.inbox(leader)[0].approval_id, Decision.APPROVE)
    finance = admin.as_user("finance")
    (waiting,) = inbox.inbox(finance)

    done = deactivation.deactivate_user(admin, "finance")
    assert not done.user.active
    assert [(held.approval_id, held.tier, held.rule) for held in done.to_reassign] == [
        (waiting.approval_id, 2, "Reductions need Fin Ance")
    ]
    with pytest.raises(UnknownUser):
        decisions.decide(finance, waiting.approval_id, Decision.APPROVE)
    request = inbox.request_view(admin, waiting.request_id)
    assert [(a.tier, a.status.value, a.decided_by) for a in request.approvals] == [
        (1, "approved", "Lee Leader"),
        (2, "pending", None),
    ]
    with admin.database.read_session() as session:
        events = session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "users.deactivate")
        )
    assert events == 1

    rule = next(r for r in approval_rules.rules(admin) if r.name == "Reductions need Fin Ance")
    assert rule.approver == "Fin Ance (deactivated)"


def test_a_deactivated_role_holder_is_routed_nothing(admin: Context) -> None:
    """With the segment's only leader deactivated, a reduction has nobody to approve it and is
    refused at submission, naming the rule."""
    deactivation.deactivate_user(admin, "leader")
    acme = customer(admin)
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "20")
    with pytest.raises(InvalidInput, match="Nobody but you"):
        submit(admin, case.id)


def test_the_cli_deactivates_and_reactivates(tmp_path: Path) -> None:
    """`acctmgr users deactivate` and `reactivate` do it and say so; the user then cannot act."""
    url = f"sqlite:///{tmp_path / 'acctmgr.db'}"
    for args in (
        ("users", "add", "boss", "--name", "Bo Ss", "--email", "b@example.com", "--first-admin"),
        ("--as", "boss", "users", "add", "ivy", "--name", "Ivy", "--email", "i@example.com"),
    ):
        assert run_acctmgr(tmp_path, url, *args).returncode == 0
    done = run_acctmgr(tmp_path, url, "--as", "boss", "users", "deactivate", "ivy")
    assert done.stdout == "Deactivated ivy (Ivy).\n"
    refused = run_acctmgr(tmp_path, url, "--as", "ivy", "users", "list")
    assert refused.returncode == 1
    assert "'ivy' has been deactivated" in refused.stderr
    back = run_acctmgr(tmp_path, url, "--as", "boss", "users", "reactivate", "ivy")
    assert back.stdout == "Reactivated ivy (Ivy).\n"
    assert run_acctmgr(tmp_path, url, "--as", "ivy", "users", "list").returncode == 0
