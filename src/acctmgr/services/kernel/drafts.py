"""Drafts: what a user typed at a step and has not submitted, kept apart from the record.

One place keeps them for every wizard, keyed by record, step and user, so a user resumes a step
exactly where they left it on any workstation, and nobody else sees what they typed. Keeping a
draft never touches the record: its version stays, so the user's own next save of the record is
never taken for someone else's. A step's use case discards the step's drafts in its own
transaction when the step is done.
"""

from __future__ import annotations

from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import Draft
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

MAX_FIELDS = 100
MAX_FIELD_LENGTH = 20_000


@use_case("drafts.keep")
def keep_draft(
    uow: UnitOfWork, record_type: RecordType, record_id: int, step: str, fields: dict[str, str]
) -> None:
    """Keep what the signed-in user typed at ``step`` of the record, replacing their last draft.

    Raises InvalidInput for a draft too large to be one person's typing.
    """
    if len(fields) > MAX_FIELDS or any(len(value) > MAX_FIELD_LENGTH for value in fields.values()):
        raise InvalidInput("This draft is too large to keep; submit or shorten it.")
    draft = _mine(uow, record_type, record_id, step)
    if draft is None:
        uow.add(
            Draft(
                record_type=record_type,
                record_id=record_id,
                step=step,
                user_id=uow.user.id,
                fields=dict(fields),
            )
        )
    elif draft.fields != fields:
        draft.fields = dict(fields)


@use_case("drafts.read", write=False)
def draft_of(uow: UnitOfWork, record_type: RecordType, record_id: int, step: str) -> dict[str, str]:
    """What the signed-in user left in a draft at ``step`` of the record; empty when nothing."""
    return drafted(uow, record_type, record_id, step)


def drafted(uow: UnitOfWork, record_type: RecordType, record_id: int, step: str) -> dict[str, str]:
    """The signed-in user's draft at ``step``, inside a use case that reads the record too."""
    draft = _mine(uow, record_type, record_id, step)
    return dict(draft.fields) if draft else {}


def discard_drafts(uow: UnitOfWork, record_type: RecordType, record_id: int, step: str) -> None:
    """The step is done: what anyone typed for it is no longer a draft (same transaction)."""
    # Deleted one by one through the session, so the audit trail records each.
    for draft in uow.session.scalars(
        select(Draft).where(
            Draft.record_type == record_type,
            Draft.record_id == record_id,
            Draft.step == step,
        )
    ):
        uow.session.delete(draft)


def _mine(uow: UnitOfWork, record_type: RecordType, record_id: int, step: str) -> Draft | None:
    return uow.session.scalar(
        select(Draft).where(
            Draft.record_type == record_type,
            Draft.record_id == record_id,
            Draft.step == step,
            Draft.user_id == uow.user.id,
        )
    )
