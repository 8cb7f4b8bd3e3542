"""SKUs whose content is locked per version: what a new line sells, and what admins change.

Nobody edits a SKU's description or contents on a quote, and an admin never changes a version in
place either: a revision adds version N+1 and the SKU points at it, while every quote line,
order, subscription and contract keeps the version it was made with. A retired SKU stays for
the records that name it but can no longer be sold.

The plain helpers (``sellable_version``, ``list_price``, ``overage_tiers``, ``consume_by``) run
inside other use cases, such as the quote builder's. Browsing the catalogue is
``catalogue.browsing``; packages and the starter pack are ``catalogue.packages``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select

from acctmgr.errors import InvalidInput
from acctmgr.models import Package, PackageItem, Role, Sku, SkuPrice, SkuVersion, UsageTier
from acctmgr.services.catalogue.browsing import VERSION_CONTENT, SkuView, sku_view_of
from acctmgr.services.catalogue.inputs import SkuIn
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.terms import term_end
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

# --- plain helpers for other use cases ----------------------------------------------------------


def sellable_version(uow: UnitOfWork, sku_id: int) -> SkuVersion:
    """The version of a SKU a new line sells: its current one.

    Raises NotFound for an unknown SKU and InvalidInput for a retired one.
    """
    sku = uow.get(Sku, sku_id, "SKU")
    if sku.retired_at is not None:
        raise InvalidInput(
            f"SKU {sku.code} was retired on {sku.retired_at:%d %b %Y} and can no longer be sold."
        )
    version = uow.session.get(SkuVersion, sku.current_version_id or 0)
    if version is None:
        raise InvalidInput(f"SKU {sku.code} has no published version to sell.")
    return version


def list_price(uow: UnitOfWork, version: SkuVersion, currency: str) -> int:
    """The version's list price in ``currency``, in minor units.

    Raises InvalidInput naming the SKU and the currency when its price book has no such price.
    """
    for price in version.prices:
        if price.currency == currency:
            return price.list_price_minor
    code = uow.session.scalar(select(Sku.code).where(Sku.id == version.sku_id))
    raise InvalidInput(
        f"SKU {code} has no list price in {currency}; an admin can add one by revising it."
    )


def overage_tiers(version: SkuVersion, currency: str) -> list[UsageTier]:
    """The version's overage tiers in ``currency``, lowest volume first (empty if none)."""
    return sorted(
        (tier for tier in version.usage_tiers if tier.currency == currency),
        key=lambda tier: tier.from_volume,
    )


def consume_by(version: SkuVersion, starts_on: date) -> date | None:
    """The last day a service sold with a contract starting ``starts_on`` can be used.

    "To be used within 12 months of the contract start": the last day of those months.
    None for SKUs without a consumption deadline.
    """
    if version.consumption_months is None:
        return None
    return term_end(starts_on, version.consumption_months)


# --- use cases: what admins change --------------------------------------------------------------


@use_case("catalogue.create_sku")
def create_sku(uow: UnitOfWork, data: SkuIn) -> SkuView:
    """Add a SKU with its first version. Only an Admin can; codes are unique."""
    require_role(uow.user, Role.ADMIN, to="change the catalogue")
    taken = uow.session.scalar(select(Sku.id).where(Sku.code == data.code))
    if taken is not None:
        raise InvalidInput(f"The code {data.code} already belongs to another SKU.", field="code")
    sku = uow.add(Sku(code=data.code))
    version = _add_version(uow, sku, 1, data)
    sku.current_version_id = version.id
    uow.session.flush()
    return sku_view_of(uow, sku)


@use_case("catalogue.revise_sku")
def revise_sku(uow: UnitOfWork, sku_id: int, expected_version: int, data: SkuIn) -> SkuView:
    """Publish a new version of a SKU; the versions before it never change.

    The SKU points at version N+1 from now on; quote lines, orders, subscriptions and contracts
    keep pointing at the version they were made with. Only an Admin can. Refused for a retired
    SKU, for a changed code (a different code is a different SKU), for a revision identical to
    the current version, and with Conflict when someone saved the SKU since it was loaded.
    """
    require_role(uow.user, Role.ADMIN, to="change the catalogue")
    sku = uow.get(Sku, sku_id, "SKU")
    uow.expect_version(sku, expected_version, "SKU")
    if sku.retired_at is not None:
        raise InvalidInput(f"SKU {sku.code} is retired and cannot be revised.")
    if data.code != sku.code:
        raise InvalidInput(
            f"The code of SKU {sku.code} cannot change; create a new SKU for {data.code}.",
            field="code",
        )
    current = uow.session.get(SkuVersion, sku.current_version_id or 0)
    if current is not None and _content_of(current) == _content_in(data):
        raise InvalidInput(
            f"This is what version {current.number} already says; nothing was saved."
        )
    newest = uow.session.scalar(
        select(func.max(SkuVersion.number)).where(SkuVersion.sku_id == sku.id)
    )
    version = _add_version(uow, sku, (newest or 0) + 1, data)
    sku.current_version_id = version.id
    uow.session.flush()
    return sku_view_of(uow, sku)


@use_case("catalogue.retire_sku")
def retire_sku(uow: UnitOfWork, sku_id: int, expected_version: int) -> SkuView:
    """Stop selling a SKU; what was sold with it keeps it. Only an Admin can.

    Refused while an active package holds the SKU (the package could no longer be quoted), for
    a SKU already retired, and with Conflict when it changed since it was loaded.
    """
    require_role(uow.user, Role.ADMIN, to="change the catalogue")
    sku = uow.get(Sku, sku_id, "SKU")
    uow.expect_version(sku, expected_version, "SKU")
    if sku.retired_at is not None:
        raise InvalidInput(f"SKU {sku.code} was already retired on {sku.retired_at:%d %b %Y}.")
    holders = list(
        uow.session.scalars(
            select(Package.code)
            .join(PackageItem, PackageItem.package_id == Package.id)
            .where(PackageItem.sku_id == sku.id, Package.retired_at.is_(None))
            .order_by(Package.code)
        )
    )
    if holders:
        raise InvalidInput(
            f"SKU {sku.code} is in the package {', '.join(holders)}; take it out or retire "
            "the package first."
        )
    sku.retired_at = uow.now
    uow.session.flush()
    return sku_view_of(uow, sku)


# --- internals ----------------------------------------------------------------------------------


def _add_version(uow: UnitOfWork, sku: Sku, number: int, data: SkuIn) -> SkuVersion:
    version = SkuVersion(
        sku_id=sku.id,
        number=number,
        **{field: getattr(data, field) for field in VERSION_CONTENT},
        created_by_id=uow.user.id,
        prices=[
            SkuPrice(currency=currency, list_price_minor=amount)
            for currency, amount in sorted(data.prices.items())
        ],
        usage_tiers=[
            UsageTier(
                currency=tier.currency,
                from_volume=tier.from_volume,
                unit_price_minor=tier.unit_price_minor,
            )
            for tier in data.tiers
        ],
    )
    return uow.add(version)


def _content_in(data: SkuIn) -> tuple[Any, ...]:
    tiers = [(t.currency, t.from_volume, t.unit_price_minor) for t in data.tiers]
    return _content(data, data.prices.items(), tiers)


def _content_of(version: SkuVersion) -> tuple[Any, ...]:
    prices = [(p.currency, p.list_price_minor) for p in version.prices]
    tiers = [(t.currency, t.from_volume, t.unit_price_minor) for t in version.usage_tiers]
    return _content(version, prices, tiers)


def _content(
    source: SkuIn | SkuVersion,
    prices: Iterable[tuple[str, int]],
    tiers: Iterable[tuple[str, int, int]],
) -> tuple[Any, ...]:
    """What a version says, in an order that compares equal however its rows were stored."""
    return (
        *(getattr(source, field) for field in VERSION_CONTENT),
        sorted(prices),
        sorted(tiers),
    )
