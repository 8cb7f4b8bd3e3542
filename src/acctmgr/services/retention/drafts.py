"""Drafts: what the holder of a step typed and did not submit, kept on the case.

A draft is kept for one user at one step, so it follows them to any workstation; submitting
the step clears it (``stages.step_done``).
"""

from __future__ import annotations

from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.retention import records, stages


@use_case("retention.save_draft")
def save_draft(uow: UnitOfWork, case_id: int, values: dict[str, str]) -> int:
    """Keep what the holder of the current step typed, to resume on any workstation.

    Only the holder of the step can (else PermissionDenied); returns the case's new version.
    """
    case = records.case(uow, case_id)
    stages.require_holder(uow, case)
    draft = {"user_id": uow.user.id, "step": case.step.value, "values": dict(values)}
    if case.draft != draft:
        case.draft = draft
        uow.session.flush()
    return case.version
