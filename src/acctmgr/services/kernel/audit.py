"""The audit trail, written automatically for every change a use case flushes.

A flush listener records each inserted, updated and deleted row with its before and after
values, in the same transaction as the change, so a change without its audit event cannot
be committed. Decisions (approve, reject, send) add an explicit event through ``record``.
The listeners are put on by ``listen``, which ``services.bootstrap`` calls at start.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.models import AuditEvent
from acctmgr.models.base import Base, Timestamps
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case


class AuditEntry(ReadModel):
    at: datetime
    actor_id: int | None
    action: str
    change: str
    entity_type: str
    entity_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def record(
    uow: UnitOfWork, entity_type: RecordType, entity_id: int, decision: str, details: dict[str, Any]
) -> None:
    """Add an explicit decision event (e.g. an approval) to this transaction's audit."""
    uow.session.execute(
        insert(AuditEvent),
        [
            {
                "at": uow.now,
                "actor_id": uow.actor.id if uow.actor else None,
                "action": f"{uow.action}:{decision}",
                "change": "decision",
                "entity_type": RecordType(entity_type).value,
                "entity_id": entity_id,
                "before": None,
                "after": {key: _plain(value) for key, value in details.items()},
            }
        ],
    )


@use_case("audit.trail", write=False)
def trail(
    uow: UnitOfWork, entity_type: RecordType, entity_id: int, limit: int = 200
) -> list[AuditEntry]:
    """The audit events of one record, newest first: the raw trail, every field before and
    after, of any record in any segment, so only an Admin reads it (PermissionDenied
    otherwise). Everyone else reads a record's history in its timeline, which applies the
    record's visibility."""
    require_role(uow.user, Role.ADMIN, to="read the raw audit trail")
    rows = uow.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type.value, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [AuditEntry.model_validate(row) for row in rows]


def listen() -> None:
    """Audit every flush of a use case's session from now on, and stamp its rows' times.

    Before a flush, new rows get ``created_at`` and changed ones ``updated_at`` (the use case's
    instant); after it, each change is written as an audit event. Sessions opened outside a use
    case (migrations, the demo seed) are left alone. Calling it again changes nothing.
    """
    for name, listener in (("before_flush", _stamp_times), ("after_flush", _write_audit)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _stamp_times(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    uow = session.info.get("uow")
    if uow is None:
        return
    for obj in session.new:
        if isinstance(obj, Timestamps) and getattr(obj, "created_at", None) is None:
            obj.created_at = uow.now
    for obj in session.dirty:
        if isinstance(obj, Timestamps) and session.is_modified(obj, include_collections=False):
            obj.updated_at = uow.now


def _write_audit(session: Session, _flush: UOWTransaction) -> None:
    uow: UnitOfWork | None = session.info.get("uow")
    if uow is None:
        return
    rows: list[dict[str, Any]] = []
    for obj, change in (
        *((o, "insert") for o in session.new),
        *((o, "update") for o in session.dirty),
        *((o, "delete") for o in session.deleted),
    ):
        if isinstance(obj, AuditEvent) or not isinstance(obj, Base):
            continue
        before, after = _changes(obj, change)
        if change == "update" and not after:
            continue
        rows.append(
            {
                "at": uow.now,
                "actor_id": uow.actor.id if uow.actor else None,
                "action": uow.action,
                "change": change,
                "entity_type": obj.RECORD.value,
                "entity_id": getattr(obj, "id", None),
                "before": before,
                "after": after,
            }
        )
    if rows:
        session.execute(insert(AuditEvent), rows)


def _changes(obj: Base, change: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for column in state.mapper.column_attrs:
        history = state.attrs[column.key].history
        if change == "insert":
            after[column.key] = _plain(getattr(obj, column.key))
        elif change == "delete":
            before[column.key] = _plain(getattr(obj, column.key))
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                before[column.key] = _plain(old)
                after[column.key] = _plain(new)
    version_attr = state.mapper.version_id_col
    if change == "update" and after and version_attr is not None:
        # The version is set by the UPDATE itself, outside attribute history.
        after["version"] = obj.version  # type: ignore[attr-defined]
        before["version"] = obj.version - 1  # type: ignore[attr-defined]
    return (before or None), (after or None)


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)
