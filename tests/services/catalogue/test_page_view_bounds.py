"""Page views an admin types on a usage SKU (its included volume, where its overage tiers start)
are bounded by what their INTEGER columns hold, with one sentence beside the field."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from acctmgr.errors import InvalidInput
from acctmgr.models import Sku, SkuVersion, UsageTier
from acctmgr.services.catalogue import inputs
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.counts import MAX_PAGE_VIEWS


def _typed(included: int, tier_from: int) -> dict[str, Any]:
    """A usage SKU as the admin's form gives it."""
    return {
        "code": "PV-MAX",
        "name": "Page views, the most there are",
        "kind": "usage",
        "included_volume": f"{included:,}",
        "prices": "USD 6,000",
        "tiers": f"USD {tier_from} 0.01",
    }


def _skus(admin: Context) -> int:
    with admin.database.read_session() as session:
        return session.scalar(select(func.count(Sku.id))) or 0


def test_the_most_page_views_are_stored(admin: Context) -> None:
    """2,000,000,000 page views included and an overage tier from there are kept as typed."""
    catalogue.create_sku(admin, inputs.sku_input(_typed(MAX_PAGE_VIEWS, MAX_PAGE_VIEWS)))
    with admin.database.read_session() as session:
        assert session.scalars(select(SkuVersion.included_volume)).all() == [MAX_PAGE_VIEWS]
        assert session.scalars(select(UsageTier.from_volume)).all() == [MAX_PAGE_VIEWS]


@pytest.mark.parametrize(
    ("included", "tier_from", "field", "sentence"),
    [
        (
            MAX_PAGE_VIEWS + 1,
            MAX_PAGE_VIEWS + 1,
            "included_volume",
            "The included volume is at most 2,000,000,000 page views a month.",
        ),
        (
            MAX_PAGE_VIEWS,
            MAX_PAGE_VIEWS + 1,
            "tiers",
            "An overage tier starts at 2,000,000,000 page views at most.",
        ),
        (
            10**20,
            10**20,
            "included_volume",
            "The included volume is at most 2,000,000,000 page views a month.",
        ),
    ],
)
def test_one_page_view_more_is_refused_and_nothing_stored(
    admin: Context, included: int, tier_from: int, field: str, sentence: str
) -> None:
    """One page view past the bound (or twenty digits of them) is refused with one sentence
    beside its field, and no SKU is stored."""
    before = _skus(admin)
    with pytest.raises(InvalidInput) as refused:
        catalogue.create_sku(admin, inputs.sku_input(_typed(included, tier_from)))
    assert (refused.value.field, refused.value.message) == (field, sentence)
    assert _skus(admin) == before
