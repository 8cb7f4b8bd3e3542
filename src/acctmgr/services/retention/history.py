"""The case's history as its timeline shows it: every step, decision and change, newest first.

It is read from the audit events of the case and of the records it made (its opportunity,
placeholder request, quotes and contracts), and from the activities filed on the case.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from acctmgr.domain.records import RecordType
from acctmgr.models import Activity, AuditEvent, Contract, Quote, RetentionCase, RetentionStep
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.retention import records
from acctmgr.services.retention.stages import RETENTION, STAGE_OF_STEP
from acctmgr.services.retention.views import TimelineEntry

# Bookkeeping columns that say nothing to the people reading a case's story.
# "draft" was a column of the case until migration 0005; older audit events still name it.
QUIET_FIELDS = frozenset({"version", "updated_at", "draft", "number"})
# Columns that hold a user's id, in the words a timeline uses for them.
PEOPLE_FIELDS = {
    "assigned_to_id": "assigned to",
    "opened_by_id": "opened by",
    "owner_id": "owner",
    "decided_by_id": "decided by",
    "submitted_by_id": "submitted by",
}


@use_case("retention.timeline", write=False)
def case_timeline(uow: UnitOfWork, case_id: int) -> list[TimelineEntry]:
    """Every step, decision and change of the case and the records it made, newest first.

    Raises NotFound for no such case, PermissionDenied for another segment's.
    """
    case = records.case(uow, case_id)
    conditions = [
        (AuditEvent.entity_type == kind) & (AuditEvent.entity_id == entity_id)
        for kind, entity_id in _audited_records(uow, case)
    ]
    events = uow.session.scalars(
        select(AuditEvent)
        .where(or_(*conditions))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(300)
    ).all()
    activities = uow.session.scalars(
        select(Activity)
        .where(Activity.record_type == records.RECORD, Activity.record_id == case.id)
        .order_by(Activity.created_at.desc())
        .limit(100)
    ).all()
    named = {
        value
        for event in events
        for key, value in (event.after or {}).items()
        if key in PEOPLE_FIELDS and isinstance(value, int)
    }
    names = records.user_names(
        uow,
        {event.actor_id for event in events}
        | {activity.created_by_id for activity in activities}
        | named,
    )
    currency = _currency(uow, case)
    entries = [
        TimelineEntry(at=event.at, who=names.get(event.actor_id or 0, "system"), what=what)
        for event in events
        if (what := _describe(event, names, currency))
    ]
    entries += [
        TimelineEntry(
            at=activity.created_at,
            who=names.get(activity.created_by_id, ""),
            what=f"{activity.kind.value}: {activity.subject}"
            + (f" — {activity.outcome}" if activity.outcome else ""),
        )
        for activity in activities
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def _audited_records(uow: UnitOfWork, case: RetentionCase) -> list[tuple[RecordType, int]]:
    """The (record type, id) of the case and of every record it made."""
    entities: list[tuple[RecordType, int]] = [(RecordType.RETENTION_CASE, case.id)]
    opportunity = records.opportunity_or_none(uow, case)
    if opportunity is None:
        return entities
    entities.append((RecordType.OPPORTUNITY, opportunity.id))
    placeholder = records.placeholder_or_none(uow, opportunity)
    if placeholder is not None:
        entities.append((RecordType.PLACEHOLDER_REQUEST, placeholder.id))
    for quote_id in uow.session.scalars(
        select(Quote.id).where(Quote.opportunity_id == opportunity.id)
    ):
        entities.append((RecordType.QUOTE, quote_id))
        contract_ids = uow.session.scalars(select(Contract.id).where(Contract.quote_id == quote_id))
        entities.extend((RecordType.CONTRACT, contract_id) for contract_id in contract_ids)
    return entities


def _describe(event: AuditEvent, names: dict[int, str], currency: str) -> str | None:
    """The event in words, or None for bookkeeping (a draft kept, a number given)."""
    label = event.entity_type.label
    if event.change == "decision":
        what = event.action.split(":", 1)[-1].replace("_", " ")
        details = event.after or {}
        comment = details.get("comment") or details.get("reason")
        return f"{label}: {what}" + (f" — {comment}" if comment else "")
    if event.change == "insert":
        return f"{label} created"
    if event.change == "update" and event.after:
        changed = [(key, value) for key, value in event.after.items() if key not in QUIET_FIELDS]
        if not changed:
            return None
        return f"{label} changed: " + ", ".join(
            _in_words(key, value, names, currency) for key, value in changed[:4]
        )
    return f"{label} {event.change}"


def _currency(uow: UnitOfWork, case: RetentionCase) -> str:
    """The case's money is its contract's (the account's when it has none), as its view says."""
    contract = uow.session.get(Contract, case.contract_id) if case.contract_id else None
    if contract is not None:
        return contract.currency
    return records.account(uow, case.account_id).currency


def _in_words(key: str, value: Any, names: dict[int, str], currency: str) -> str:
    """One changed column as a person says it: ``assigned to Sofia Rossi``, not ``→ 22``."""
    if key in PEOPLE_FIELDS:
        who = names.get(value, "someone") if isinstance(value, int) else "nobody"
        return f"{PEOPLE_FIELDS[key]} {who}"
    if key == "step" and value in {step.value for step in RetentionStep}:
        return f"now at {RETENTION.label(STAGE_OF_STEP[RetentionStep(value)])}"
    words = key.removesuffix("_minor").removesuffix("_id").replace("_", " ")
    if key.endswith("_minor") and isinstance(value, int):
        return f"{words} {format_money(value, currency)}"
    shown = "none" if value in (None, "") else str(value).replace("_", " ")
    return f"{words} {shown}"
