"""The retention wizard's rate-reduction contract is fulfilled from its signature: one order,
activated at once, whose subscriptions replace the superseded contract's on its date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.domain.contracts import SubscriptionStatus
from acctmgr.domain.fulfilment import OrderStatus, SubscriptionEnd
from acctmgr.models import Contract, ErpExport, Order, OrderedLine, QuoteLine, Subscription
from acctmgr.services.fulfilment import running
from acctmgr.services.kernel.context import Context
from acctmgr.services.retention import signing
from acctmgr.services.retention.inputs import SignatureIn
from tests.retention_support import contract_sent, customer

STARTS = date(2027, 4, 1)


def test_a_signed_rate_reduction_orders_and_activates_its_lines_at_once(
    admin: Context, clock: AdjustableClock
) -> None:
    """The signature makes the contract's one order of all its quote's lines, from its start,
    activated and exported; on that date the new prices replace the old subscriptions."""
    acme = customer(admin)
    case = contract_sent(admin, acme)
    cms = admin.as_user("cms")
    signing.record_signature(
        cms,
        case.id,
        case.version,
        SignatureIn(signer_name="Carla Buyer", signed_on=date(2026, 11, 23), method="electronic"),
    )
    with admin.database.read_session() as session:
        new = session.scalars(select(Contract).where(Contract.quote_id.is_not(None))).one()
        order = session.scalars(select(Order)).one()
        assert (order.contract_id, order.status, order.starts_on) == (
            new.id,
            OrderStatus.ACTIVATED,
            STARTS,
        )
        quote_lines = session.scalars(
            select(QuoteLine.id).where(QuoteLine.quote_id == new.quote_id)
        )
        ordered = session.scalars(select(OrderedLine.quote_line_id))
        assert sorted(ordered) == sorted(quote_lines)
        export = session.scalars(select(ErpExport)).one()
        assert json.loads(export.payload)["contract_number"] == new.number
        pending = session.scalars(
            select(Subscription).where(Subscription.contract_id == new.id)
        ).all()
        assert {s.status for s in pending} == {SubscriptionStatus.PENDING}
        assert {s.starts_on for s in pending} == {STARTS}
    clock.set(datetime(2027, 4, 1, 6, tzinfo=UTC))
    assert running.run_due(admin).started == len(pending)  # the worker's daily pass
    with admin.database.read_session() as session:
        old = session.scalars(
            select(Subscription).where(Subscription.contract_id == acme.contract_id)
        ).all()
        replaced = [s for s in old if s.ended_reason is SubscriptionEnd.REPLACED]
        assert replaced
        assert {s.ends_on for s in replaced} == {date(2027, 3, 31)}
