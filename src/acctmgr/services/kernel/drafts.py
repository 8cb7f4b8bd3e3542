"""Drafts: what a user typed at a step and has not submitted, kept apart from the record.

One place keeps them for every wizard, keyed by record, step and user, so a user resumes a step
exactly where they left it on any workstation, and nobody else sees what they typed. Keeping a
draft never touches the record: its version stays, so the user's own next save of the record is
never taken for someone else's. A step's use case discards the step's drafts in its own
transaction when the step is done.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import Draft
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

# Bounds on one person's typing at one step; a quote of many lines has many fields.
MAX_FIELDS = 2000
MAX_CHARACTERS = 200_000


@use_case("drafts.keep")
def keep_draft(
    uow: UnitOfWork, record_type: RecordType, record_id: int, step: str, fields: dict[str, str]
) -> None:
    """Keep what the signed-in user typed at ``step`` of the record, replacing their last draft.

    Two keeps at once (an autosave and Escape, or the same user on two workstations) leave one
    draft, the later. Raises InvalidInput for a draft too large to be one person's typing.
    """
    if len(fields) > MAX_FIELDS or sum(map(len, fields.values())) > MAX_CHARACTERS:
        raise InvalidInput("This draft is too large to keep; submit or shorten it.")
    draft = _mine(uow, record_type, record_id, step)
    if draft is None:
        try:
            # A savepoint: if another keep inserted this draft meanwhile, only this insert is
            # undone, and the draft it wrote is updated below.
            with uow.session.begin_nested():
                uow.add(
                    Draft(
                        record_type=record_type,
                        record_id=record_id,
                        step=step,
                        user_id=uow.user.id,
                        fields=dict(fields),
                    )
                )
            return
        except IntegrityError:
            draft = _mine(uow, record_type, record_id, step)
            if draft is None:
                raise
    if draft.fields != fields:
        draft.fields = dict(fields)


def drafted(uow: UnitOfWork, record_type: RecordType, record_id: int, step: str) -> dict[str, str]:
    """The signed-in user's draft at ``step``, read by the use case that shows the record (a
    draft is always shown with its record, never on its own)."""
    draft = _mine(uow, record_type, record_id, step)
    return dict(draft.fields) if draft else {}


def discard_drafts(
    uow: UnitOfWork, record_type: RecordType, record_id: int, step: str | None = None
) -> None:
    """The step is done (or, with no step, the record's process is over): what anyone typed
    for it is no longer a draft. In the caller's transaction."""
    query = select(Draft).where(Draft.record_type == record_type, Draft.record_id == record_id)
    if step is not None:
        query = query.where(Draft.step == step)
    # Deleted one by one through the session, so the audit trail records each.
    for draft in uow.session.scalars(query):
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
