"""Replacing an approver everywhere in one action: rules, groups and open approvals move, as
previewed, in one audited transaction; a replacement who could not approve is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import ApprovalGroupMember, ApproverKind, AuditEvent, Decision, Role
from acctmgr.services.approvals import decisions, inbox
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rules import RuleIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import approver_replacement as replacement
from acctmgr.services.people import users as user_service
from acctmgr.services.people.users import UserIn
from tests.factories import user_id
from tests.retention_support import customer, reduce_addon, submit, to_quote
from tests.services.people.test_deactivation import finance_rule


def hire(admin: Context, login: str, segment: str | None, role: Role) -> None:
    user_service.create_user(
        admin,
        UserIn(
            login=login,
            name=login.title(),
            email=f"{login}@example.com",
            segment_code=segment,
            roles=frozenset({role}),
        ),
    )


def waiting_on_finance(admin: Context) -> int:
    """A reduction approved at tier 1 and waiting on Fin Ance by name at tier 2."""
    finance_rule(admin)
    case = to_quote(admin, customer(admin))
    reduce_addon(admin, case, "20")
    submit(admin, case.id)
    leader = admin.as_user("leader")
    decisions.decide(leader, inbox.inbox(leader)[0].approval_id, Decision.APPROVE)
    (waiting,) = inbox.inbox(admin.as_user("finance"))
    return waiting.approval_id


def test_the_rule_group_and_open_approval_move_as_previewed(admin: Context) -> None:
    approval_id = waiting_on_finance(admin)
    approval_rules.add_group(admin, "Controllers", ["finance", "admin"])
    hire(admin, "fin2", None, Role.FINANCE)

    preview = replacement.preview_replacement(admin, "finance", "fin2")
    assert preview.changes == [
        'Rule "Reductions need Fin Ance": approved by Fin2 from now on.',
        'Group "Controllers": Fin2 takes Fin Ance\'s place.',
        'The approval of quote Q-000001 for Acme Corp ("Reductions need Fin Ance"): now waits '
        "on Fin2.",
    ]
    assert inbox.inbox(admin.as_user("finance"))  # a preview changes nothing

    done = replacement.replace_approver(admin, "finance", "fin2", preview.token)
    assert done.changes == preview.changes
    assert inbox.inbox(admin.as_user("finance")) == []
    (moved,) = inbox.inbox(admin.as_user("fin2"))
    assert moved.approval_id == approval_id
    rule = next(r for r in approval_rules.rules(admin) if r.name == "Reductions need Fin Ance")
    assert rule.data.approver_login == "fin2"
    with admin.database.read_session() as session:
        members = set(session.scalars(select(ApprovalGroupMember.user_id)))
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert members == {user_id(admin, "fin2"), user_id(admin, "admin")}
    assert "approvals.replace_approver:approver_replaced" in actions
    decisions.decide(admin.as_user("fin2"), approval_id, Decision.APPROVE)


def test_a_preview_gone_stale_replaces_nothing(admin: Context) -> None:
    """A rule naming the person added after the preview: the replacement is refused whole."""
    hire(admin, "fin2", None, Role.FINANCE)
    preview = replacement.preview_replacement(admin, "finance", "fin2")
    assert preview.changes == []
    finance_rule(admin)
    with pytest.raises(Conflict, match="changed since the preview"):
        replacement.replace_approver(admin, "finance", "fin2", preview.token)
    rule = next(r for r in approval_rules.rules(admin) if r.name == "Reductions need Fin Ance")
    assert rule.data.approver_login == "finance"


def test_a_replacement_who_could_not_approve_is_refused_and_nothing_moves(
    admin: Context,
) -> None:
    """A Segment Leader's open approval goes only to a Segment Leader of the record's segment,
    never to its submitter; a deactivated or the same user is refused too."""
    hire(admin, "leader2", "SMB", Role.SEGMENT_LEADER)  # the rule's approval is theirs too
    case = to_quote(admin, customer(admin))
    reduce_addon(admin, case, "20")
    submit(admin, case.id)
    hire(admin, "ent_leader", "ENT", Role.SEGMENT_LEADER)
    with pytest.raises(InvalidInput, match="Fin Ance is no Segment Leader"):
        replacement.preview_replacement(admin, "leader", "finance")
    with pytest.raises(InvalidInput, match="another segment"):
        replacement.preview_replacement(admin, "leader", "ent_leader")
    with pytest.raises(InvalidInput, match="Casey Contracts submitted quote Q-000001"):
        replacement.preview_replacement(admin, "leader", "cms")
    with pytest.raises(InvalidInput, match="someone else"):
        replacement.preview_replacement(admin, "leader", "leader")
    with pytest.raises(InvalidInput, match="no user with the login nobody"):
        replacement.preview_replacement(admin, "leader", "nobody")
    assert len(inbox.inbox(admin.as_user("leader"))) == 1

    preview = replacement.preview_replacement(admin, "leader", "leader2")
    assert preview.changes == [
        "The approval of quote Q-000001 for Acme Corp (\"Rate reductions need the account's "
        "Segment Leader\"): Leader2 holds it already; Lee Leader's is withdrawn."
    ]
    replacement.replace_approver(admin, "leader", "leader2", preview.token)
    assert inbox.inbox(admin.as_user("leader")) == []
    assert len(inbox.inbox(admin.as_user("leader2"))) == 1


def test_only_an_admin_replaces_approvers(admin: Context) -> None:
    with pytest.raises(PermissionDenied, match="Only an Admin can replace approvers"):
        replacement.preview_replacement(admin.as_user("leader"), "finance", "admin")
    with pytest.raises(PermissionDenied, match="Only an Admin can replace approvers"):
        replacement.replace_approver(admin.as_user("leader"), "finance", "admin", "")


def test_a_rule_naming_the_person_is_found_by_kind(admin: Context) -> None:
    """Only rules naming the person by login move; a role rule is left as it is."""
    approval_rules.add_rule(
        admin,
        RuleIn(
            name="Big totals need the admin",
            record_type=RecordType.QUOTE,
            condition={"field": "total", "op": ">", "value": "100000"},
            approver_kind=ApproverKind.USER,
            approver_login="admin",
        ),
    )
    preview = replacement.preview_replacement(admin, "admin", "finance")
    assert preview.changes == [
        'Rule "Big totals need the admin": approved by Fin Ance from now on.'
    ]


def test_a_group_seat_is_not_given_to_the_submitter_of_what_the_group_decides(
    admin: Context,
) -> None:
    """Fin Ance alone holds the Controllers' pending approval of Casey's quote: Casey cannot
    take the seat (nobody could decide it), the admin can."""
    approval_rules.add_group(admin, "Controllers", ["finance"])
    approval_rules.add_rule(
        admin,
        RuleIn(
            name="Reductions go to the controllers",
            record_type=RecordType.QUOTE,
            condition={"field": "discount_pct", "op": ">", "value": "-1"},
            approver_kind=ApproverKind.GROUP,
            approver_group="Controllers",
        ),
    )
    case = to_quote(admin, customer(admin))
    reduce_addon(admin, case, "20")
    submit(admin, case.id)
    with pytest.raises(
        InvalidInput,
        match="Casey Contracts submitted quote Q-000001 for Acme Corp, which waits on the group",
    ):
        replacement.preview_replacement(admin, "finance", "cms")
    preview = replacement.preview_replacement(admin, "finance", "admin")
    assert preview.changes == ['Group "Controllers": Ada Admin takes Fin Ance\'s place.']
