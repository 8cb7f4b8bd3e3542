"""The approvals a record would need if submitted now: the live preview beside every record.

Any approvable record shows it (a quote today; offers and renewal offers plug in as record
kinds): each matching rule's tier, who decides, the SLA, and for a smart rule whether an
approval given in the last round carries over and why. Submitting asks the same functions, so
the preview says what submission will do.
"""

from __future__ import annotations

from acctmgr.domain.records import RecordType
from acctmgr.services.approvals.carry_over import carry_overs
from acctmgr.services.approvals.record_kinds import Approvable, kind_of
from acctmgr.services.approvals.routing import (
    deciders,
    group_members,
    nobody_can_approve,
    routes,
    user_names,
)
from acctmgr.services.approvals.rules import approver_label
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case


class RequiredApproval(ReadModel):
    """One line of the approvals preview: a rule that matches, and who would decide."""

    rule: str
    tier: int
    approver: str  # "the segment's Segment Leader", "any of Finance"
    names: list[str]  # the people that resolves to, for this record
    # The same people as they will really decide: "Lena Lead (away: Sam Sub decides)" for one
    # whose delegate stands in for them today (``routing.decides_for``).
    deciders: list[str] = []
    blocked: str = ""  # why nobody can approve it (then the record cannot be submitted)
    sla_hours: int | None = None
    carried: bool = False  # a smart rule's approval from the last round that still holds
    carry_over: str = ""  # why it carries over or is needed again; "" for a first asking


def required_approvals(
    uow: UnitOfWork, record: Approvable, submitter_id: int
) -> list[RequiredApproval]:
    """The approvals this record would need if submitted now by ``submitter_id``."""
    found = routes(uow, record, submitter_id)
    carried = carry_overs(uow, record, found)
    needed = []
    for route in found:
        names = user_names(uow, route.approver_ids) if route.approver_ids else []
        if route.group_id is not None:
            names = user_names(uow, group_members(uow, route.group_id, record, submitter_id))
        outcome = carried.get(route.rule.id)
        needed.append(
            RequiredApproval(
                rule=route.rule.name,
                tier=route.rule.tier,
                approver=approver_label(uow, route.rule),
                names=names,
                deciders=deciders(uow, route, record, submitter_id),
                blocked=""
                if names or (outcome and outcome.carried)
                else nobody_can_approve(uow, route.rule),
                sla_hours=route.rule.sla_hours,
                carried=bool(outcome and outcome.carried),
                carry_over=outcome.sentence if outcome else "",
            )
        )
    return needed


@use_case("approvals.preview", write=False)
def preview(uow: UnitOfWork, record_type: RecordType, record_id: int) -> list[RequiredApproval]:
    """The approvals a saved record of any approvable kind would need if the signed-in user
    submitted it now; PermissionDenied for a record in a segment they do not see."""
    record = kind_of(record_type).load(uow, record_id)
    require_segment(uow.user, record.segment_id, what=record_type.label)
    return required_approvals(uow, record, uow.user.id)
