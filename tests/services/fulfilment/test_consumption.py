"""Recording a workshop delivered against an entitlement: consumed kept in step; more than is
left, a day outside its time, an expired one, another role or a stale copy refused, nothing
half-saved."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import Entitlement, EntitlementUse
from acctmgr.services.fulfilment import consumption, running
from acctmgr.services.fulfilment.consumption import UseIn, record_use
from acctmgr.services.kernel.context import Context
from acctmgr.services.my_day import day as my_day_service
from tests.services.fulfilment.running_support import (
    Sold,
    activated_order,
    catalogue,
    contract,
    key_account,
    staff,
)


def _entitlements(admin: Context, *deadlines: date) -> list[int]:
    """Workshops (4 each) from 1 Jun 2026, one per deadline."""
    staff(admin)
    skus = catalogue(admin)
    account = key_account(admin)
    agreed = contract(admin, account, "CT-1", [Sold(skus.workshop)])
    activated_order(
        admin,
        agreed,
        "SO-1",
        date(2026, 6, 1),
        [Sold(skus.workshop, consume_by=d) for d in deadlines],
    )
    with admin.database.read_session() as session:
        return list(
            session.scalars(
                select(Entitlement.id)
                .where(Entitlement.account_id == account)
                .order_by(Entitlement.id)
            )
        )


def _state(admin: Context, entitlement_id: int) -> tuple[int, int, int]:
    """(consumed, version, uses recorded)."""
    with admin.database.read_session() as session:
        found = session.get(Entitlement, entitlement_id)
        assert found is not None
        uses = session.scalar(
            select(func.count())
            .select_from(EntitlementUse)
            .where(EntitlementUse.entitlement_id == entitlement_id)
        )
        return found.consumed, found.version, int(uses or 0)


def test_a_use_is_recorded_and_consumed_kept_in_step(admin: Context) -> None:
    """Customer Success records 3 workshops delivered; consumed is 3, one is left."""
    (workshops,) = _entitlements(admin, date(2026, 12, 31))
    recorded = record_use(
        admin.as_user("success"), workshops, 1, UseIn(delivered_on=date(2026, 11, 20), quantity=3)
    )
    assert (recorded.consumed, recorded.left) == (3, 1)
    assert _state(admin, workshops) == (3, recorded.version, 1)


def test_bad_uses_are_refused_in_a_sentence_and_nothing_is_saved(admin: Context) -> None:
    """More than is left, before the start, after today, after the deadline, an expired one,
    another role and a stale copy are each refused; nothing is recorded."""
    workshops, due_yesterday, lapsed = _entitlements(
        admin, date(2026, 12, 31), date(2026, 11, 22), date(2026, 11, 1)
    )
    success = admin.as_user("success")
    version = record_use(
        success, workshops, 1, UseIn(delivered_on=date(2026, 11, 20), quantity=3)
    ).version
    before = _state(admin, workshops)
    refusals = [
        (UseIn(delivered_on=date(2026, 11, 20), quantity=2), r"^Only 1 of 4 workshops is left; "),
        (UseIn(delivered_on=date(2026, 5, 31), quantity=1), r"^Workshop v1 starts on 01 Jun 2026"),
        (UseIn(delivered_on=date(2026, 11, 24), quantity=1), r"cannot be after today.$"),
    ]
    for data, sentence in refusals:
        with pytest.raises(InvalidInput, match=sentence):
            record_use(success, workshops, version, data)
    with pytest.raises(InvalidInput, match=r"^Workshop v1 had to be used by 22 Nov 2026"):
        record_use(success, due_yesterday, 1, UseIn(delivered_on=date(2026, 11, 23), quantity=1))
    with pytest.raises(Conflict):
        record_use(
            success, workshops, version - 1, UseIn(delivered_on=date(2026, 11, 21), quantity=1)
        )
    with pytest.raises(PermissionDenied, match="Customer Success"):
        record_use(
            admin.as_user("kam"),
            workshops,
            version,
            UseIn(delivered_on=date(2026, 11, 21), quantity=1),
        )
    assert _state(admin, workshops) == before
    running.run_due(admin)
    (_, lapsed_version, _) = _state(admin, lapsed)
    with pytest.raises(InvalidInput, match=r"^Workshop v1 expired after 01 Nov 2026"):
        record_use(
            success, lapsed, lapsed_version, UseIn(delivered_on=date(2026, 10, 1), quantity=1)
        )
    assert _state(admin, lapsed) == (0, lapsed_version, 0)


def test_a_use_of_no_workshops_is_refused() -> None:
    """A quantity below one is refused by the input itself."""
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        UseIn(delivered_on=date(2026, 11, 20), quantity=0)


def test_entitlements_about_to_expire_in_my_day_are_their_orm_twins(admin: Context) -> None:
    """My day's entitlements about to expire, read in plain SQL, are those the ORM lists: with
    something left, due within 30 days, for Customer Success and the account's KAM only."""
    soon, _later, used_up = _entitlements(
        admin, date(2026, 12, 10), date(2027, 3, 1), date(2026, 12, 1)
    )
    record_use(admin.as_user("success"), soon, 1, UseIn(delivered_on=date(2026, 11, 2), quantity=1))
    with admin.database.write_session() as session:
        finished = session.get(Entitlement, used_up)
        assert finished is not None
        finished.consumed = finished.quantity
        session.commit()
    for login in ("success", "kam", "cs", "ae", "admin"):
        user = admin.as_user(login)
        plain = my_day_service.my_day(user).items("entitlements_expiring")
        orm = consumption.entitlements_to_use(user)
        assert [(i.record_id, i.version, i.account_id, i.when) for i in plain] == [
            (row.entitlement_id, row.version, row.account_id, row.consume_by) for row in orm
        ], login
        assert [i.record_id for i in plain] == ([soon] if login in ("success", "kam") else [])
    (item,) = my_day_service.my_day(admin.as_user("kam")).items("entitlements_expiring")
    assert (item.title, item.detail) == (
        "Workshop v1, Nova GmbH",
        "3 of 4 left, use by 10 Dec 2026",
    )
