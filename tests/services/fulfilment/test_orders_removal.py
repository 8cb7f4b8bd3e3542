"""A revision with a quantity of 0 removes a line from its effective date: its subscription
ends the day before, an unused service has nothing left to deliver, a service already partly
delivered cannot be removed; the revise form refuses a quantity beside its field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.domain.contracts import SubscriptionStatus
from acctmgr.domain.fulfilment import SubscriptionEnd
from acctmgr.errors import InvalidInput
from acctmgr.models import Entitlement, Subscription
from acctmgr.screens.fulfilment.order_dialogs import revision_in
from acctmgr.services.fulfilment import orders, revisions
from acctmgr.services.fulfilment.revisions import RevisionIn, quantity_field
from acctmgr.services.kernel.context import Context
from tests.services.fulfilment.orders_support import counts
from tests.services.fulfilment.test_orders_revisions import EFFECTIVE, running_order


def test_a_quantity_of_0_removes_the_line_from_the_effective_date(
    admin: Context, tmp_path: Path, clock: AdjustableClock
) -> None:
    """The platform and the unused workshop removed: the revision has the report only; once
    activated the platform ends on 30 June (replaced) and the workshop has nothing left."""
    order = running_order(admin, tmp_path, clock)
    platform, workshop, _report = (line.order_line_id for line in order.lines)
    cs = admin.as_user("cs")
    change = RevisionIn(effective_on=EFFECTIVE, quantities={platform: 0, workshop: 0})
    draft = revisions.revise_order(cs, order.order_id, order.version, change).orders[1]
    assert [line.position for line in draft.lines] == [3]
    orders.activate_order(cs, draft.order_id, draft.version)
    with admin.database.read_session() as session:
        subscription = session.scalars(select(Subscription)).one()
        assert (subscription.status, subscription.ends_on, subscription.ended_reason) == (
            SubscriptionStatus.ENDED,
            date(2027, 6, 30),
            SubscriptionEnd.REPLACED,
        )
        entitlement = session.scalars(select(Entitlement)).one()
        assert (entitlement.quantity, entitlement.order_line_id) == (0, workshop)


def test_a_service_partly_delivered_or_every_line_cannot_be_removed(
    admin: Context, tmp_path: Path, clock: AdjustableClock
) -> None:
    """A workshop delivered once, or all three lines at 0: one sentence beside the line's
    quantity, nothing saved; the form refuses -1 beside its field."""
    order = running_order(admin, tmp_path, clock)
    platform, workshop, report = (line.order_line_id for line in order.lines)
    cs = admin.as_user("cs")
    with admin.database.write_session() as session:
        entitlement = session.scalars(select(Entitlement)).one()
        entitlement.consumed = 1
        session.commit()
    before = counts(admin)
    with pytest.raises(InvalidInput) as refused:
        revisions.revise_order(
            cs,
            order.order_id,
            order.version,
            RevisionIn(effective_on=EFFECTIVE, quantities={workshop: 0}),
        )
    assert refused.value.field == quantity_field(workshop)
    assert "cannot be removed: 1 of it was delivered already" in refused.value.message
    with admin.database.write_session() as session:
        session.scalars(select(Entitlement)).one().consumed = 0
        session.commit()
    every = {platform: 0, workshop: 0, report: 0}
    with pytest.raises(InvalidInput, match="keeps at least one line"):
        revisions.revise_order(
            cs, order.order_id, order.version, RevisionIn(effective_on=EFFECTIVE, quantities=every)
        )
    assert counts(admin) == before
    typed = {"effective_on": EFFECTIVE.isoformat(), "sku_code": "", "add_quantity": "1"}
    typed |= {f"qty-{line.order_line_id}": "1" for line in order.lines}
    with pytest.raises(InvalidInput) as mistyped:
        revision_in(order, typed | {f"qty-{platform}": "-1"})
    assert (mistyped.value.field, mistyped.value.message) == (
        f"qty-{platform}",
        "A quantity is a whole number from 0 (to remove the line) to 1,000,000.",
    )
    assert revision_in(order, typed | {f"qty-{platform}": "0"}).quantities[platform] == 0


def test_a_service_delivered_after_the_draft_is_not_removed_on_activation(
    admin: Context, tmp_path: Path, clock: AdjustableClock
) -> None:
    """The workshop's removal drafted while unused, then delivered once: activating the
    revision is refused with the sentence, and nothing changes."""
    order = running_order(admin, tmp_path, clock)
    _platform, workshop, _report = (line.order_line_id for line in order.lines)
    cs = admin.as_user("cs")
    change = RevisionIn(effective_on=EFFECTIVE, quantities={workshop: 0})
    draft = revisions.revise_order(cs, order.order_id, order.version, change).orders[1]
    with admin.database.write_session() as session:
        session.scalars(select(Entitlement)).one().consumed = 1
        session.commit()
    before = counts(admin)
    with pytest.raises(InvalidInput, match="cannot be removed: 1 of it was delivered already"):
        orders.activate_order(cs, draft.order_id, draft.version)
    assert counts(admin) == before
    with admin.database.read_session() as session:
        assert session.scalars(select(Entitlement.quantity)).one() == 1
