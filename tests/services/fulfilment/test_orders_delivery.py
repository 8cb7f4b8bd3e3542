"""Customer Services chooses a line's delivery for its orders (where, from when, a trial's
end) without touching the accepted quote: the preview splits by it, the orders keep it, a
choice outside the contract is refused at once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import ErpExport, QuoteLine, Subscription
from acctmgr.services.fulfilment import orders, split
from acctmgr.services.fulfilment.orders import OrdersIn
from acctmgr.services.fulfilment.split import LineDelivery, SplitBy
from acctmgr.services.kernel.context import Context
from tests.fulfilment_support import STARTS, finalised_contract, hire
from tests.services.fulfilment.orders_support import counts

HAMBURG = "Hamburg"
APRIL = date(2027, 4, 1)


def test_a_chosen_delivery_splits_the_preview_and_the_orders_keep_it(
    admin: Context, tmp_path: Path
) -> None:
    """A quote with no locations nor starts: the platform chosen for Hamburg from 1 April
    with a trial makes a second order by location; in one order it still starts on 1 April
    (shown, provisioned, exported); the quote stays as accepted."""
    hire(admin)
    made = finalised_contract(admin, tmp_path)
    platform = made.line_ids[0]
    cs = admin.as_user("cs")
    choice = {
        platform: LineDelivery(location=HAMBURG, starts_on=APRIL, trial_ends_on=date(2027, 5, 1))
    }
    plain = split.split_preview(cs, made.contract_id, SplitBy.LOCATION)
    assert len(plain.orders) == 1  # nothing set a location: nothing to split by
    by_location = split.split_preview(cs, made.contract_id, SplitBy.LOCATION, (), choice)
    assert [(o.location, o.starts_on, o.quote_line_ids) for o in by_location.orders] == [
        (HAMBURG, APRIL, [platform]),
        ("", STARTS, list(made.line_ids[1:])),
    ]
    chosen = by_location.lines[0]
    assert (chosen.location, chosen.starts_on, chosen.trial_ends_on, chosen.chosen) == (
        HAMBURG,
        APRIL,
        date(2027, 5, 1),
        True,
    )

    whole = split.split_preview(cs, made.contract_id, SplitBy.NONE, (), choice)
    (draft,) = orders.create_orders(cs, made.contract_id, OrdersIn.as_previewed(whole)).orders
    assert draft.starts_on == STARTS
    assert [(line.starts_on, line.trial_ends_on) for line in draft.lines] == [
        (APRIL, date(2027, 5, 1)),
        (STARTS, None),
        (STARTS, None),
    ]
    orders.activate_order(cs, draft.order_id, draft.version)
    with admin.database.read_session() as session:
        assert session.scalars(select(Subscription.starts_on)).one() == APRIL
        sent = json.loads(session.scalars(select(ErpExport.payload)).one())
        quoted = session.get(QuoteLine, platform)
        assert quoted is not None
        assert (quoted.location, quoted.starts_on) == ("", None)  # the quote is as accepted
    assert [(line["starts_on"], line["prorated"]) for line in sent["lines"]] == [
        (APRIL.isoformat(), False),
        (STARTS.isoformat(), False),
        (STARTS.isoformat(), False),
    ]


def test_a_delivery_outside_the_contract_is_refused_beside_its_field(
    admin: Context, tmp_path: Path
) -> None:
    """A start before the contract or after its end, a trial not after the line's start or
    after the contract, a trial on a service: one sentence beside the field, nothing saved;
    the orders refuse the same starts."""
    hire(admin)
    made = finalised_contract(admin, tmp_path)
    platform, workshop = made.line_ids[:2]
    cs = admin.as_user("cs")
    bad = [
        (platform, LineDelivery(starts_on=date(2026, 12, 31)), "starts_on", "before the contract"),
        (platform, LineDelivery(starts_on=date(2028, 1, 2)), "starts_on", "after the contract"),
        (
            platform,
            LineDelivery(starts_on=APRIL, trial_ends_on=APRIL),
            "trial_ends_on",
            "must end after the line starts, on 01 Apr 2027.",
        ),
        (
            platform,
            LineDelivery(starts_on=APRIL, trial_ends_on=date(2028, 1, 2)),
            "trial_ends_on",
            "must end by the contract's end",
        ),
        (
            workshop,
            LineDelivery(starts_on=APRIL, trial_ends_on=date(2027, 5, 1)),
            "trial_ends_on",
            "Line 2 (Workshop) is not a subscription",
        ),
    ]
    before = counts(admin)
    for line_id, choice, field, sentence in bad:
        with pytest.raises(InvalidInput) as refused:
            split.split_preview(cs, made.contract_id, SplitBy.NONE, (), {line_id: choice})
        assert (refused.value.field, sentence in refused.value.message) == (field, True), sentence
    (whole,) = OrdersIn.as_previewed(split.split_preview(cs, made.contract_id)).orders
    early = whole.model_copy(update={"line_starts": {platform: date(2026, 12, 1)}})
    with pytest.raises(InvalidInput, match="before the contract"):
        orders.create_orders(cs, made.contract_id, OrdersIn(orders=[early]))
    assert counts(admin) == before


def test_only_customer_services_orders_and_is_named_so(admin: Context, tmp_path: Path) -> None:
    """A KAM sees the preview and the orders, but may not order: said without "a"."""
    hire(admin)
    made = finalised_contract(admin, tmp_path)
    kam = admin.as_user("kam")
    preview = split.split_preview(kam, made.contract_id)
    with pytest.raises(PermissionDenied, match=r"^Only Customer Services can order"):
        orders.create_orders(kam, made.contract_id, OrdersIn.as_previewed(preview))
