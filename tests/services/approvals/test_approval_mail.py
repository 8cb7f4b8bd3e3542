"""Approval e-mails: the approver hears that an approval reached them (the record, what is asked,
the facts and the deadline) and again at its reminder, the submitter that it was decided; never
who turned them off."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.models import ApproverKind, Decision, OutboxEmail, Role
from acctmgr.services.approvals import deadlines as approval_deadlines
from acctmgr.services.approvals import decisions, inbox
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.kernel.context import Context
from acctmgr.services.mail.delivery import deliver_due
from acctmgr.services.people import users as user_service
from acctmgr.services.people.delegations import DelegationIn, set_delegate
from tests.mail_support import Mailbox, mailbox, smtp_settings
from tests.retention_support import customer, reduce_addon, submit, to_quote

__all__ = ["mailbox"]  # the fixture


def outbox(admin: Context) -> list[tuple[str, str, str]]:
    with admin.database.read_session() as session:
        rows = session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
        return [(row.to_addresses, row.subject, row.body_text) for row in rows]


def submitted(admin: Context) -> None:
    case = to_quote(admin, customer(admin))
    reduce_addon(admin, case, "20")
    submit(admin, case.id)


def test_the_approver_is_told_what_is_asked_with_the_facts_and_the_deadline(
    admin: Context, mailbox: tuple[Mailbox, int]
) -> None:
    """The leader's e-mail names the quote, the rule and the reduction; it reaches a real SMTP
    server through the outbox. The decision goes back to the submitter."""
    submitted(admin)
    ((to, subject, body),) = outbox(admin)
    assert (to, subject) == ("leader@example.com", "Approval needed: quote Q-000001 for Acme Corp")
    assert "Casey Contracts asks for your approval of quote Q-000001 for Acme Corp." in body
    assert "What is asked: Rate reductions need the account's Segment Leader." in body
    assert "- reduction: 5%" in body
    assert "- net total: " in body
    assert "Please decide by Wed 25 Nov 2026, 09:30 UTC." in body  # 48 working hours on

    server, port = mailbox
    assert deliver_due(admin, smtp_settings(port), worker="w1").sent == 1
    [message] = server.messages()
    assert message["Subject"] == "Approval needed: quote Q-000001 for Acme Corp"
    assert server.received[0].rcpt_tos == ["leader@example.com"]

    leader = admin.as_user("leader")
    decisions.decide(leader, inbox.inbox(leader)[0].approval_id, Decision.REJECT, "Too deep.")
    (to, subject, body) = outbox(admin)[-1]
    assert (to, subject) == ("cms@example.com", "Quote Q-000001 for Acme Corp was rejected")
    assert 'The comment: "Too deep."' in body


def test_a_deadline_is_named_and_a_group_hears_member_by_member(admin: Context) -> None:
    """Every member of a group is told, with the deadline of its rule's 8-hour SLA."""
    approval_rules.add_group(admin, "Controllers", ["finance", "admin"])
    approval_rules.add_rule(
        admin,
        approval_rules.RuleIn(
            name="Reductions go to the controllers",
            record_type=RecordType.QUOTE,
            condition={"field": "discount_pct", "op": ">", "value": "-1"},
            approver_kind=ApproverKind.GROUP,
            approver_group="Controllers",
            sla_hours=8,
        ),
    )
    submitted(admin)
    to_controllers = [
        (to, body) for to, subject, body in outbox(admin) if "Fin" in body or "Ada" in body
    ]
    assert sorted(to for to, _ in to_controllers) == ["admin@example.com", "finance@example.com"]
    assert all("Please decide by Mon 23 Nov 2026, 17:30 UTC." in body for _, body in to_controllers)


def test_nobody_who_turned_approval_emails_off_gets_one(admin: Context) -> None:
    """The leader turns them off: submitting e-mails nobody; the setting is theirs alone."""
    user_service.set_approval_emails(admin.as_user("leader"), False)
    assert user_service.me(admin.as_user("leader")).approval_emails is False
    assert user_service.me(admin.as_user("cms")).approval_emails is True
    submitted(admin)
    assert outbox(admin) == []
    user_service.set_approval_emails(admin.as_user("leader"), True)
    leader = admin.as_user("leader")
    decisions.decide(leader, inbox.inbox(leader)[0].approval_id, Decision.APPROVE)
    assert [subject for _, subject, _ in outbox(admin)] == [
        "Quote Q-000001 for Acme Corp was approved"
    ]


def test_the_approver_is_reminded_by_e_mail_once_at_the_reminder_time(admin: Context) -> None:
    """24 working hours on, the worker's follow-up reminds the leader by e-mail too; run twice,
    it reminds once."""
    submitted(admin)
    admin.clock.set(admin.clock.now() + timedelta(days=1, minutes=1))  # type: ignore[attr-defined]
    assert approval_deadlines.follow_up(admin).reminded == 1
    assert approval_deadlines.follow_up(admin).reminded == 0
    assert [(to, subject) for to, subject, _ in outbox(admin)] == [
        ("leader@example.com", "Approval needed: quote Q-000001 for Acme Corp"),
        ("leader@example.com", "Reminder, approval needed: quote Q-000001 for Acme Corp"),
    ]


def test_a_delegate_is_asked_too_and_told_for_whom(admin: Context) -> None:
    """While Lee is away, Lou (another Segment Leader of the segment) stands in: both are
    e-mailed, Lou told he decides for Lee. A delegate who could not decide gets nothing."""
    user_service.create_user(
        admin,
        user_service.UserIn(
            login="leader2",
            name="Lou Leader",
            email="leader2@example.com",
            segment_code="SMB",
            roles=frozenset({Role.SEGMENT_LEADER}),
        ),
    )
    today = admin.clock.today()
    set_delegate(
        admin.as_user("leader"),
        DelegationIn(delegate_login="leader2", starts_on=today, ends_on=today + timedelta(days=9)),
        confirmed=True,
    )
    submitted(admin)
    sent = {to: body for to, _, body in outbox(admin)}
    assert set(sent) == {"leader@example.com", "leader2@example.com"}
    assert "You decide it for Lee Leader, who is away." in sent["leader2@example.com"]
    assert "who is away" not in sent["leader@example.com"]


def test_a_delegate_without_the_role_is_not_asked(admin: Context) -> None:
    today = admin.clock.today()
    set_delegate(
        admin.as_user("leader"),
        DelegationIn(delegate_login="finance", starts_on=today, ends_on=today + timedelta(days=9)),
        confirmed=True,
    )
    submitted(admin)
    assert [to for to, _, _ in outbox(admin)] == ["leader@example.com"]
