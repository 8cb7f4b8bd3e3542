"""Overage is reviewed before any invoice bills it: approved (billed) or waived with a note.

Only Finance and Customer Services review: Finance answers for what is invoiced, Customer
Services for what the customer was promised. The invoices of the next issue bill APPROVED lines
only; a line whose month is imported again with other figures comes back to review.
"""

from __future__ import annotations

from collections.abc import Sequence

from acctmgr.errors import Conflict, InvalidInput
from acctmgr.models import OverageLine, OverageStatus
from acctmgr.services.fulfilment.overage_day import REVIEWERS
from acctmgr.services.fulfilment.usage_views import OverageRow, overage_rows
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

MAX_NOTE = 2000
ON_CONFLICT = (
    "Someone else changed this overage line since you opened it (reviewed it, or an import "
    "priced it again); nothing was saved. Refresh to see it as it is now."
)


@use_case("fulfilment.approve_overage", on_conflict=ON_CONFLICT)
def approve_overage(uow: UnitOfWork, line_id: int, expected_version: int) -> OverageRow:
    """Approve one overage line for invoicing.

    Raises PermissionDenied for anyone but Finance and Customer Services, NotFound for no such
    line, InvalidInput for a line already reviewed, Conflict when it changed since
    ``expected_version``.
    """
    (row,) = _review(uow, [(line_id, expected_version)], OverageStatus.APPROVED, "")
    return row


@use_case("fulfilment.approve_overages", on_conflict=ON_CONFLICT)
def approve_overages(uow: UnitOfWork, lines: Sequence[tuple[int, int]]) -> list[OverageRow]:
    """Approve several overage lines at once, each given as (id, version seen): all of them
    or, when one cannot be, none (the same refusals as ``approve_overage``)."""
    if not lines:
        raise InvalidInput("Select the overage lines to approve first.")
    return _review(uow, lines, OverageStatus.APPROVED, "")


@use_case("fulfilment.waive_overage", on_conflict=ON_CONFLICT)
def waive_overage(uow: UnitOfWork, line_id: int, expected_version: int, note: str) -> OverageRow:
    """Waive one overage line: it is not billed, and the note says why.

    Raises InvalidInput without a note, and as ``approve_overage`` otherwise.
    """
    text = note.strip()
    if not text:
        raise InvalidInput("Say why the overage is waived.", field="note")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"The note is at most {MAX_NOTE:,} characters.", field="note")
    (row,) = _review(uow, [(line_id, expected_version)], OverageStatus.WAIVED, text)
    return row


def _review(
    uow: UnitOfWork, lines: Sequence[tuple[int, int]], status: OverageStatus, note: str
) -> list[OverageRow]:
    require_role(uow.user, *REVIEWERS, to="review overage")
    reviewed = []
    for line_id, expected_version in lines:
        line = uow.get(OverageLine, line_id, "overage line")
        if line.version != expected_version:
            raise Conflict(ON_CONFLICT)
        if line.status is not OverageStatus.TO_REVIEW:
            raise InvalidInput(
                f"The overage of {line.month:%B %Y} was {line.status.label.lower()} already."
            )
        line.status = status
        line.review_note = note
        line.reviewed_by_id = uow.user.id
        line.reviewed_at = uow.now
        reviewed.append(line.id)
    uow.session.flush()
    return overage_rows(uow, reviewed)
