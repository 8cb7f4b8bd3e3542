"""Consuming an entitlement: Customer Success records each workshop or audit delivered; 30 days
before the deadline the KAM and the customer are warned, once; past it the rest expires, once.

Seed 003: "some are still running from 2017". ``consume_by`` is the last day a use may be
delivered, so an entitlement expires the day after it, with what was left unused in the audit.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import and_, select, update

from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.errors import InvalidInput
from acctmgr.models import Account, Entitlement, EntitlementUse, SkuVersion
from acctmgr.services.fulfilment import follow_ups
from acctmgr.services.fulfilment.bulk_changes import audit_each
from acctmgr.services.fulfilment.entitlement_day import EXPIRY_LOOKAHEAD
from acctmgr.services.kernel.day_sections import LIST_LIMIT
from acctmgr.services.kernel.permissions import require_role, require_segment, segment_filter
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text_fields import FreeText
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.mail import outbox

# Entitlement_day's look-ahead too: warned by the pass the day they appear in My day.
WARN_DAYS = EXPIRY_LOOKAHEAD.days


class UseIn(BaseModel):
    """A workshop or audit delivered: when, how many units, and what was done."""

    delivered_on: date
    quantity: int = Field(ge=1, le=1_000)
    note: FreeText = ""


class Recorded(ReadModel):
    use_id: int
    entitlement_id: int
    consumed: int
    left: int
    version: int  # of the entitlement, after the use


@use_case("fulfilment.record_use")
def record_use(
    uow: UnitOfWork, entitlement_id: int, expected_version: int, data: UseIn
) -> Recorded:
    """Record a use delivered against an entitlement, keeping ``consumed`` in step.

    Only Customer Success records (PermissionDenied); InvalidInput for more than is left, a
    date before the entitlement starts, after today or after its deadline, or an expired one;
    Conflict for a stale copy.
    """
    require_role(uow.user, Role.CUSTOMER_SUCCESS, to="record a delivered service")
    entitlement = uow.get(Entitlement, entitlement_id, "entitlement")
    account = uow.get(Account, entitlement.account_id, "account")
    require_segment(uow.user, account.segment_id, what="entitlement")
    uow.expect_version(entitlement, expected_version, "entitlement")
    _refuse_out_of_bounds(uow, entitlement, data)
    use = uow.add(
        EntitlementUse(
            entitlement_id=entitlement.id,
            delivered_on=data.delivered_on,
            quantity=data.quantity,
            note=data.note,
            recorded_by_id=uow.user.id,
        )
    )
    entitlement.consumed += data.quantity
    uow.session.flush()
    return Recorded(
        use_id=use.id,
        entitlement_id=entitlement.id,
        consumed=entitlement.consumed,
        left=entitlement.quantity - entitlement.consumed,
        version=entitlement.version,
    )


def _refuse_out_of_bounds(uow: UnitOfWork, entitlement: Entitlement, data: UseIn) -> None:
    version = uow.get(SkuVersion, entitlement.sku_version_id, "SKU version")
    name = version.name
    if entitlement.expired_at is not None:
        deadline = f"{entitlement.consume_by:%d %b %Y}" if entitlement.consume_by else "its end"
        raise InvalidInput(
            f"{name} expired after {deadline}; nothing more can be recorded against it.",
            field="delivered_on",
        )
    left = entitlement.quantity - entitlement.consumed
    if data.quantity > left:
        raise InvalidInput(
            f"Only {left} of {entitlement.quantity} {_units(name, entitlement.quantity)} "
            f"{'is' if left == 1 else 'are'} left; record {left} or fewer.",
            field="quantity",
        )
    today = uow.now.date()
    if data.delivered_on < entitlement.starts_on:
        raise InvalidInput(
            f"{name} starts on {entitlement.starts_on:%d %b %Y}; a use delivered before "
            "then belongs to another entitlement.",
            field="delivered_on",
        )
    if data.delivered_on > today:
        raise InvalidInput(
            "A use is recorded once it is delivered; the date cannot be after today.",
            field="delivered_on",
        )
    if entitlement.consume_by is not None and data.delivered_on > entitlement.consume_by:
        raise InvalidInput(
            f"{name} had to be used by {entitlement.consume_by:%d %b %Y}; a use delivered "
            "after that cannot count against it.",
            field="delivered_on",
        )


def _units(name: str, quantity: int) -> str:
    """What the entitlement's units are called in a sentence ("workshops")."""
    lowered = name.lower()
    for word in ("workshop", "audit", "training", "day"):
        if word in lowered:
            return word + ("s" if quantity != 1 else "")
    return f"units of {name}"


def warn_before_deadline(uow: UnitOfWork, today: date) -> int:
    """Warn of each entitlement with something left whose deadline is within 30 days, once
    (``warned_at``, set by this UPDATE only where it was empty): a task to the account's KAM
    and an e-mail to the customer; returns how many were warned."""
    warned = uow.session.execute(
        update(Entitlement)
        .where(
            Entitlement.warned_at.is_(None),
            Entitlement.expired_at.is_(None),
            Entitlement.consume_by >= today,
            Entitlement.consume_by <= today + timedelta(days=WARN_DAYS),
            Entitlement.quantity > Entitlement.consumed,
        )
        .values(warned_at=uow.now, version=Entitlement.version + 1, updated_at=uow.now)
        .returning(
            Entitlement.id,
            Entitlement.account_id,
            Entitlement.sku_version_id,
            Entitlement.quantity,
            Entitlement.consumed,
            Entitlement.consume_by,
        )
        .execution_options(synchronize_session=False)
    ).all()
    audit_each(
        uow,
        RecordType.ENTITLEMENT,
        "warned",
        [
            (row.id, {"consume_by": row.consume_by, "left": row.quantity - row.consumed})
            for row in warned
        ],
    )
    audiences = follow_ups.audiences(uow, (row.account_id for row in warned))
    names = follow_ups.sku_names(uow, {row.sku_version_id for row in warned})
    for row in warned:
        audience = audiences[row.account_id]
        name, left = names[row.sku_version_id], row.quantity - row.consumed
        what = f"{left} of {row.quantity} {_units(name, row.quantity)} of {name}"
        follow_ups.add_task(
            uow,
            audience,
            f"Unused by {row.consume_by:%d %b}: {name} for {audience.account_name}",
            f"{what} are still unused and expire after {row.consume_by:%d %b %Y}. "
            "Plan them with the customer.",
            (RecordType.ENTITLEMENT, row.id),
        )
        if audience.customer_email:
            outbox.queue_email(
                uow,
                to=[audience.customer_email],
                subject=f"{name}: {left} left to use by {row.consume_by:%d %b %Y}",
                body_text=(
                    f"Dear {audience.customer_name},\n\n"
                    f"{audience.account_name} still has {what} to use. They must be used by "
                    f"{row.consume_by:%d %b %Y}; what is unused then expires.\n\n"
                    "Reply to this e-mail to plan them with us.\n\n"
                    f"Kind regards,\n{audience.manager_name}"
                ),
                record=(RecordType.ENTITLEMENT, row.id),
            )
    uow.session.flush()
    return len(warned)


def expire_unused(uow: UnitOfWork, today: date) -> int:
    """Expire each entitlement whose deadline has passed, once (``expired_at``), with what was
    left unused in its audit; returns how many expired."""
    expired = uow.session.execute(
        update(Entitlement)
        .where(Entitlement.expired_at.is_(None), Entitlement.consume_by < today)
        .values(expired_at=uow.now, version=Entitlement.version + 1, updated_at=uow.now)
        .returning(
            Entitlement.id, Entitlement.quantity, Entitlement.consumed, Entitlement.consume_by
        )
        .execution_options(synchronize_session=False)
    ).all()
    audit_each(
        uow,
        RecordType.ENTITLEMENT,
        "expired",
        [
            (row.id, {"consume_by": row.consume_by, "unused": max(row.quantity - row.consumed, 0)})
            for row in expired
        ],
    )
    return len(expired)


class EntitlementToUse(ReadModel):
    entitlement_id: int
    account_id: int
    account_name: str
    product: str
    quantity: int
    left: int
    consume_by: date
    version: int


@use_case("fulfilment.entitlements_to_use", write=False)
def entitlements_to_use(uow: UnitOfWork) -> list[EntitlementToUse]:
    """Entitlements with something left whose deadline is from today to 30 days on: all in
    Customer Success's segments, a KAM's own accounts', soonest first (My day's section, read
    with the ORM); none for other roles."""
    user = uow.user
    if user.has(Role.CUSTOMER_SUCCESS):
        scope = segment_filter(user, Account.segment_id)
    elif user.has(Role.KEY_ACCOUNT_MANAGER):
        scope = and_(
            Account.key_account_manager_id == user.id, segment_filter(user, Account.segment_id)
        )
    else:
        return []
    today = uow.now.date()
    rows = uow.session.execute(
        select(
            Entitlement.id.label("entitlement_id"),
            Entitlement.account_id,
            Account.name.label("account_name"),
            SkuVersion.name.label("product"),
            Entitlement.quantity,
            (Entitlement.quantity - Entitlement.consumed).label("left"),
            Entitlement.consume_by,
            Entitlement.version,
        )
        .join(Account, Account.id == Entitlement.account_id)
        .join(SkuVersion, SkuVersion.id == Entitlement.sku_version_id)
        .where(
            Entitlement.expired_at.is_(None),
            Entitlement.quantity > Entitlement.consumed,
            Entitlement.consume_by >= today,
            Entitlement.consume_by <= today + timedelta(days=WARN_DAYS),
            scope,
        )
        .order_by(Entitlement.consume_by, Entitlement.id)
        .limit(LIST_LIMIT)
    )
    return [EntitlementToUse.model_validate(row._mapping) for row in rows]
