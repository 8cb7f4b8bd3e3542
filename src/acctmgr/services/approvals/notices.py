"""Who hears of an approval: what follows an approval opening, its reminder, its escalation,
and a request being decided.

The engine sends nothing itself and knows no e-mail: ``bootstrap`` has the mail area listen
here (an approver told that an approval reached them, a submitter that their request was
decided), in the transaction of the change, so a rolled-back decision tells nobody.
"""

from __future__ import annotations

from collections.abc import Callable

from acctmgr.models import Approval, ApprovalRequest
from acctmgr.services.kernel.unit_of_work import UnitOfWork

Opened = Callable[[UnitOfWork, ApprovalRequest, list[Approval]], None]
Decided = Callable[[UnitOfWork, ApprovalRequest, str], None]
Escalated = Callable[[UnitOfWork, ApprovalRequest, Approval, list[int]], None]

_opened: list[Opened] = []
_reminded: list[Opened] = []
_decided: list[Decided] = []
_escalated: list[Escalated] = []


def on_opened(listener: Opened) -> None:
    """Call ``listener`` with the approvals of a tier once they open (their SLA set)."""
    if listener not in _opened:
        _opened.append(listener)


def on_reminded(listener: Opened) -> None:
    """Call ``listener`` with an approval whose reminder time came (once, whatever the
    workers)."""
    if listener not in _reminded:
        _reminded.append(listener)


def on_decided(listener: Decided) -> None:
    """Call ``listener`` with a request approved or rejected, and the last comment."""
    if listener not in _decided:
        _decided.append(listener)


def on_escalated(listener: Escalated) -> None:
    """Call ``listener`` with an approval past its SLA and the users it now goes to as well
    (once, whatever the workers)."""
    if listener not in _escalated:
        _escalated.append(listener)


def opened(uow: UnitOfWork, request: ApprovalRequest, approvals: list[Approval]) -> None:
    for listener in _opened:
        listener(uow, request, approvals)


def reminded(uow: UnitOfWork, request: ApprovalRequest, approvals: list[Approval]) -> None:
    for listener in _reminded:
        listener(uow, request, approvals)


def decided(uow: UnitOfWork, request: ApprovalRequest, comment: str) -> None:
    for listener in _decided:
        listener(uow, request, comment)


def escalated(
    uow: UnitOfWork, request: ApprovalRequest, approval: Approval, user_ids: list[int]
) -> None:
    for listener in _escalated:
        listener(uow, request, approval, user_ids)
