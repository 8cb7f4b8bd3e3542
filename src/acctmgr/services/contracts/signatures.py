"""When a contract can have been signed: not in the future, and not before it was sent.

One rule for every way a signature is recorded (the retention wizard's customer signature,
Customer Services' two signatures of a key account's contract), so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import Contract, Document
from acctmgr.services.kernel.unit_of_work import UnitOfWork

# The kind of document the contract went out for signature as (contract_documents).
SENT_DOCUMENT = "contract"


def sent_on(uow: UnitOfWork, contract: Contract) -> date:
    """The day the contract first went out for signature: when its document was first kept.

    A contract never rendered (made by a load, say) counts as sent when it was made. The
    contract's own last change is no measure: recording a signature changes it too.
    """
    first = uow.session.scalar(
        select(func.min(Document.created_at)).where(
            Document.record_type == RecordType.CONTRACT,
            Document.record_id == contract.id,
            Document.kind == SENT_DOCUMENT,
        )
    )
    return (first or contract.created_at).date()


def check_signed_on(uow: UnitOfWork, contract: Contract, signed_on: date, *, field: str) -> None:
    """Raise InvalidInput (beside ``field``) for a signature dated after today or before the
    contract was sent."""
    if signed_on > uow.now.date():
        raise InvalidInput("The signature date cannot be in the future.", field=field)
    if signed_on < sent_on(uow, contract):
        raise InvalidInput(
            "The signature date cannot be before the contract was sent.", field=field
        )
