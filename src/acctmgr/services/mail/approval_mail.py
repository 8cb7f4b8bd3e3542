"""The approval e-mails: an approver is told when an approval reaches them and again at its
reminder time, an escalation target when it escalates to them, a submitter when their request
is decided. Queued in the outbox in the
transaction of the change (see ``approvals.notices``); nobody who turned approval e-mails off,
or is deactivated, gets one.

Each names the record, what is asked (the rules), the facts the rules read and the deadline,
so an approver can decide from the message which record to open.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from acctmgr.models import Approval, ApprovalGroup, ApprovalRequest, ApprovalRule, User
from acctmgr.services.approvals.fact_words import fact_lines
from acctmgr.services.approvals.record_kinds import Approvable, kind_of
from acctmgr.services.approvals.routing import group_members, stand_ins
from acctmgr.services.kernel.unit_of_work import UnitOfWork
from acctmgr.services.mail.outbox import queue_email


def approvals_opened(uow: UnitOfWork, request: ApprovalRequest, approvals: list[Approval]) -> None:
    """One e-mail to each person an opened approval waits on, naming every rule they hold, and
    one to each delegate standing in for them today who could decide it."""
    _ask(uow, request, approvals, "Approval needed")
    _ask_delegates(uow, request, approvals, "Approval needed")


def approval_due_soon(uow: UnitOfWork, request: ApprovalRequest, approvals: list[Approval]) -> None:
    """The same e-mails again at the reminder time, to those still deciding."""
    _ask(uow, request, approvals, "Reminder, approval needed")
    _ask_delegates(uow, request, approvals, "Reminder, approval needed")


def _ask_delegates(
    uow: UnitOfWork, request: ApprovalRequest, approvals: list[Approval], subject: str
) -> None:
    """Each delegate is asked in the same words, told for whom they decide."""
    record = kind_of(request.record_type).load(uow, request.record_id)
    for approval in approvals:
        rule = uow.session.get(ApprovalRule, approval.rule_id) if approval.rule_id else None
        waiting_on = _waiting_on(uow, approval, record, request)
        standing = stand_ins(uow, rule, waiting_on, record, request.submitted_by_id)
        for approver_id, delegate_id in standing.items():
            away = uow.session.get(User, approver_id)
            _ask(
                uow,
                request,
                [approval],
                subject,
                asked={delegate_id: [approval]},
                why=f"You decide it for {away.name if away else 'the approver'}, who is away.",
            )


def approval_escalated(
    uow: UnitOfWork, request: ApprovalRequest, approval: Approval, user_ids: list[int]
) -> None:
    """Past its SLA, the approval goes to its rule's escalation target as well: they are asked
    in the same words, and told who has not decided."""
    waiting_on = _approver_name(uow, approval)
    _ask(
        uow,
        request,
        [approval],
        "Escalated, approval needed",
        asked={user_id: [approval] for user_id in user_ids},
        why=f"It is past its deadline and {waiting_on} has not decided; you may decide it.",
    )


def _ask(
    uow: UnitOfWork,
    request: ApprovalRequest,
    approvals: list[Approval],
    subject: str,
    *,
    asked: dict[int, list[Approval]] | None = None,
    why: str = "",
) -> None:
    """E-mail each person asked (by default, those the approvals wait on) what is asked."""
    record = kind_of(request.record_type).load(uow, request.record_id)
    if asked is None:
        asked = {}
        for approval in approvals:
            for person_id in _waiting_on(uow, approval, record, request):
                asked.setdefault(person_id, []).append(approval)
    submitter = uow.session.get(User, request.submitted_by_id)
    for person in _told(uow, list(asked)):
        rules = [_rule_name(uow, approval) for approval in asked[person.id]]
        deadlines = [approval.due_at for approval in asked[person.id] if approval.due_at]
        body = "\n".join(
            [
                f"Hello {person.name},",
                "",
                f"{submitter.name if submitter else 'Someone'} asks for your approval of "
                f"{record.label}.",
                "What is asked: " + "; ".join(rules) + ".",
                *([why] if why else []),
                "",
                "The facts the rules read:",
                *fact_lines(record.facts),
                "",
                _deadline(min(deadlines) if deadlines else None),
                "Open it in acctmgr: F4, Approvals.",
            ]
        )
        queue_email(
            uow,
            to=[person.email],
            subject=f"{subject}: {record.label}",
            body_text=body,
            record=(request.record_type, request.record_id),
        )


def request_decided(uow: UnitOfWork, request: ApprovalRequest, comment: str) -> None:
    """The submitter hears that their request was approved or rejected, with the comment."""
    record = kind_of(request.record_type).load(uow, request.record_id)
    for person in _told(uow, [request.submitted_by_id]):
        said = f'The comment: "{comment}"' if comment else "There was no comment."
        queue_email(
            uow,
            to=[person.email],
            subject=f"{record.label[:1].upper()}{record.label[1:]} was {request.status.value}",
            body_text="\n".join(
                [
                    f"Hello {person.name},",
                    "",
                    f"Your request for the approval of {record.label} was {request.status.value}.",
                    said,
                ]
            ),
            record=(request.record_type, request.record_id),
        )


def _told(uow: UnitOfWork, user_ids: list[int]) -> list[User]:
    """Those of these users who take approval e-mails: active, with an address, not opted out."""
    if not user_ids:
        return []
    return list(
        uow.session.scalars(
            select(User)
            .where(
                User.id.in_(user_ids),
                User.active.is_(True),
                User.approval_emails.is_(True),
                User.email != "",
            )
            .order_by(User.id)
        )
    )


def _waiting_on(
    uow: UnitOfWork, approval: Approval, record: Approvable, request: ApprovalRequest
) -> list[int]:
    if approval.approver_group_id is not None:
        return group_members(uow, approval.approver_group_id, record, request.submitted_by_id)
    return [approval.approver_id] if approval.approver_id is not None else []


def _approver_name(uow: UnitOfWork, approval: Approval) -> str:
    if approval.approver_group_id is not None:
        group = uow.session.get(ApprovalGroup, approval.approver_group_id)
        return group.name if group else "the group"
    user = uow.session.get(User, approval.approver_id) if approval.approver_id else None
    return user.name if user else "the approver"


def _rule_name(uow: UnitOfWork, approval: Approval) -> str:
    rule = uow.session.get(ApprovalRule, approval.rule_id) if approval.rule_id else None
    return rule.name if rule else f"tier {approval.tier}"


def _deadline(due: datetime | None) -> str:
    if due is None:
        return "There is no deadline."
    return f"Please decide by {due:%a %d %b %Y, %H:%M} UTC."
