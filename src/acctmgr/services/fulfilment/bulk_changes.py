"""Set-based changes of the daily pass, each row audited: the flush listener sees only what the
ORM writes, and a pass may end thousands of subscriptions in one UPDATE."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, insert, update

from acctmgr.domain.records import RecordType
from acctmgr.models import AuditEvent, Subscription, SubscriptionEnd, SubscriptionStatus
from acctmgr.services.kernel.unit_of_work import UnitOfWork


def end_where(
    uow: UnitOfWork,
    conditions: Sequence[ColumnElement[bool]],
    reason: SubscriptionEnd,
    *,
    status: SubscriptionStatus = SubscriptionStatus.ENDED,
    ends_on: Any = None,
) -> Sequence[Row[int, int, int, date | None]]:
    """End the subscriptions matching ``conditions`` in one UPDATE, each audited; returns the
    rows this transaction ended (id, account_id, sku_version_id, ends_on): a row another worker
    ended no longer matches, so nothing that follows an end happens twice."""
    values: dict[str, Any] = {
        "status": status,
        "ended_reason": reason,
        "version": Subscription.version + 1,
        "updated_at": uow.now,
    }
    if ends_on is not None:
        values["ends_on"] = ends_on
    ended = uow.session.execute(
        update(Subscription)
        .where(*conditions)
        .values(values)
        .returning(
            Subscription.id,
            Subscription.account_id,
            Subscription.sku_version_id,
            Subscription.ends_on,
        )
        .execution_options(synchronize_session=False)
    ).all()
    audit_each(
        uow,
        RecordType.SUBSCRIPTION,
        "ended",
        [(row.id, {"status": status, "reason": reason, "ends_on": row.ends_on}) for row in ended],
    )
    return ended


def audit_each(
    uow: UnitOfWork, entity_type: RecordType, decision: str, rows: list[tuple[int, dict[str, Any]]]
) -> None:
    """The audit events of a set-based change, one per row, in one INSERT (``audit.record``
    writes them one at a time)."""
    if not rows:
        return
    uow.session.execute(
        insert(AuditEvent),
        [
            {
                "at": uow.now,
                "actor_id": uow.actor.id if uow.actor else None,
                "action": f"{uow.action}:{decision}",
                "change": "decision",
                "entity_type": entity_type.value,
                "entity_id": entity_id,
                "before": None,
                "after": {key: _plain(value) for key, value in details.items()},
            }
            for entity_id, details in rows
        ],
    )


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)
