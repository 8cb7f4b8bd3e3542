"""The catalogue: SKUs whose content is locked per version, their price books, and packages.

Nobody edits a SKU's description or contents on a quote, and an admin never changes a version in
place either: a revision adds version N+1 and the SKU points at it, while every quote line,
order, subscription and contract keeps the version it was made with. A retired SKU stays for
the records that name it but can no longer be sold. One active package at a time is the starter
pack, added to a new customer's first quote; marking another one moves the mark to it.

The plain helpers (``sellable_version``, ``list_price``, ``overage_tiers``, ``starter_pack``,
``consume_by``) run inside other use cases, such as the quote builder's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, null, or_, select
from sqlalchemy.orm.attributes import flag_modified

from acctmgr.errors import InvalidInput, NotFound
from acctmgr.models import (
    Package,
    PackageItem,
    Role,
    Sku,
    SkuKind,
    SkuPrice,
    SkuVersion,
    UsageTier,
    User,
)

# The inputs are re-exported: callers build them beside the use cases that take them.
from acctmgr.services.catalogue.inputs import KIND_LABELS as KIND_LABELS
from acctmgr.services.catalogue.inputs import PackageIn as PackageIn
from acctmgr.services.catalogue.inputs import PackageItemIn as PackageItemIn
from acctmgr.services.catalogue.inputs import SkuIn as SkuIn
from acctmgr.services.catalogue.inputs import TierIn as TierIn
from acctmgr.services.catalogue.inputs import package_input as package_input
from acctmgr.services.catalogue.inputs import sku_input as sku_input
from acctmgr.services.contracts.terms import term_end
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

MAX_PAGE = 500


# --- read models --------------------------------------------------------------------------------


class PriceView(ReadModel):
    currency: str
    list_price_minor: int


class TierView(ReadModel):
    currency: str
    from_volume: int
    unit_price_minor: int


class SkuVersionView(ReadModel):
    id: int
    number: int
    name: str
    description: str
    contents: str
    kind: SkuKind
    units: int
    billing_period_months: int | None
    consumption_months: int | None
    included_volume: int | None
    onsite_support: bool
    prices: list[PriceView]  # by currency
    tiers: list[TierView]  # by currency, then volume
    created_at: datetime
    created_by: str | None


class SkuView(ReadModel):
    id: int
    code: str
    retired_at: datetime | None
    version: int  # of the SKU record, for revise and retire
    current: SkuVersionView
    versions: list[SkuVersionView]  # newest first

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


class SkuRow(ReadModel):
    """One line of the catalogue list: a SKU as its current version describes it."""

    sku_id: int
    code: str
    version_id: int
    version_number: int
    name: str
    kind: SkuKind
    list_price_minor: int | None  # in the currency asked for, if it has a price there
    retired: bool


class PackageItemView(ReadModel):
    sku_id: int
    sku_code: str
    name: str  # of the SKU's current version
    kind: SkuKind
    quantity: int
    retired: bool


class PackageView(ReadModel):
    id: int
    code: str
    name: str
    description: str
    is_starter_pack: bool
    retired_at: datetime | None
    version: int
    items: list[PackageItemView]


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


def starter_pack(uow: UnitOfWork) -> Package | None:
    """The active starter pack, added to a new customer's first quote; None when there is none."""
    return uow.session.scalars(
        select(Package)
        .where(Package.is_starter_pack.is_(True), Package.retired_at.is_(None))
        .order_by(Package.id)
        .limit(1)
    ).first()


# --- use cases: browsing ------------------------------------------------------------------------


@use_case("catalogue.search", write=False)
def search_skus(
    uow: UnitOfWork,
    text: str = "",
    *,
    kinds: list[SkuKind] | None = None,
    include_retired: bool = False,
    currency: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[SkuRow]:
    """SKUs whose code or current name contains the text (any case), ordered by code.

    Searched and paged in the database; ``%``, ``_`` and backslashes in the text are matched
    literally. Retired SKUs are left out unless asked for. With a currency, each row carries its
    list price there (None when the price book has none).
    """
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(f"A page holds 1 to {MAX_PAGE} SKUs from a position of 0 or more.")
    statement = _rows_query(currency).order_by(Sku.code).offset(offset).limit(limit)
    needle = text.strip()
    if needle:
        statement = statement.where(
            or_(
                Sku.code.icontains(needle, autoescape=True),
                SkuVersion.name.icontains(needle, autoescape=True),
            )
        )
    if kinds:
        statement = statement.where(SkuVersion.kind.in_(kinds))
    if not include_retired:
        statement = statement.where(Sku.retired_at.is_(None))
    return [SkuRow.model_validate(row._asdict()) for row in uow.session.execute(statement)]


def _rows_query(currency: str | None) -> Select[Any]:
    price = (
        select(SkuPrice.list_price_minor)
        .where(SkuPrice.sku_version_id == SkuVersion.id, SkuPrice.currency == currency)
        .scalar_subquery()
        if currency
        else None
    )
    return select(
        Sku.id.label("sku_id"),
        Sku.code,
        SkuVersion.id.label("version_id"),
        SkuVersion.number.label("version_number"),
        SkuVersion.name,
        SkuVersion.kind,
        (price if price is not None else null()).label("list_price_minor"),
        Sku.retired_at.is_not(None).label("retired"),
    ).join(SkuVersion, SkuVersion.id == Sku.current_version_id)


@use_case("catalogue.get", write=False)
def get_sku(uow: UnitOfWork, sku_id: int) -> SkuView:
    """A SKU with every version, its prices and tiers, newest version first."""
    return _sku_view(uow, uow.get(Sku, sku_id, "SKU"))


@use_case("catalogue.find", write=False)
def find_sku(uow: UnitOfWork, code: str) -> SkuView:
    """A SKU by its code (any case), as ``get_sku`` shows it. NotFound when there is none."""
    sku = uow.session.scalars(select(Sku).where(Sku.code == code.strip().upper())).one_or_none()
    if sku is None:
        raise NotFound(f"There is no SKU {code.strip().upper()} in the catalogue.")
    return _sku_view(uow, sku)


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
    return _sku_view(uow, sku)


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
    return _sku_view(uow, sku)


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
    return _sku_view(uow, sku)


@use_case("catalogue.list_packages", write=False)
def list_packages(uow: UnitOfWork, include_retired: bool = False) -> list[PackageView]:
    """The packages with their items, by code; the starter pack is marked."""
    statement = select(Package).order_by(Package.code)
    if not include_retired:
        statement = statement.where(Package.retired_at.is_(None))
    return [_package_view(uow, package) for package in uow.session.scalars(statement)]


@use_case("catalogue.save_package")
def save_package(
    uow: UnitOfWork, data: PackageIn, expected_version: int | None = None
) -> PackageView:
    """Create a package (``expected_version`` None) or change the one with this code.

    Only an Admin can. Every item is an active SKU, each at most once. Marking a package as the
    starter pack takes the mark from the package that had it: there is one starter pack at a
    time, and the admin who marks a new one means it to replace the old.
    """
    require_role(uow.user, Role.ADMIN, to="change the catalogue")
    package = uow.session.scalars(select(Package).where(Package.code == data.code)).one_or_none()
    if expected_version is None and package is not None:
        raise InvalidInput(f"The code {data.code} already belongs to a package.", field="code")
    if expected_version is not None:
        if package is None:
            raise InvalidInput(f"There is no package {data.code}.", field="code")
        uow.expect_version(package, expected_version, "package")
        if package.retired_at is not None:
            raise InvalidInput(f"Package {package.code} is retired and cannot change.")
    skus = _package_skus(uow, data)
    # Every query runs before the first change (a later query would autoflush half a change).
    others = list(
        uow.session.scalars(
            select(Package).where(Package.is_starter_pack.is_(True), Package.code != data.code)
        )
    )
    if package is None:
        package = uow.add(Package(code=data.code, name=data.name))
    package.name = data.name
    package.description = data.description
    package.is_starter_pack = data.is_starter_pack
    wanted = {skus[item.sku_code].id: item.quantity for item in data.items}
    for kept in list(package.items):
        if kept.sku_id not in wanted:
            package.items.remove(kept)
        else:
            kept.quantity = wanted.pop(kept.sku_id)
    for item in data.items:
        sku_id = skus[item.sku_code].id
        if sku_id in wanted:
            package.items.append(PackageItem(sku_id=sku_id, quantity=wanted.pop(sku_id)))
    if data.is_starter_pack:
        for other in others:
            other.is_starter_pack = False
    if expected_version is not None:
        # The items are child rows: mark the package itself saved so its version moves with them
        # and a save from a stale copy of its items is refused.
        flag_modified(package, "name")
    uow.session.flush()
    return _package_view(uow, package)


@use_case("catalogue.retire_package")
def retire_package(uow: UnitOfWork, package_id: int, expected_version: int) -> PackageView:
    """Stop offering a package. A retired starter pack stops being the starter pack."""
    require_role(uow.user, Role.ADMIN, to="change the catalogue")
    package = uow.get(Package, package_id, "package")
    uow.expect_version(package, expected_version, "package")
    if package.retired_at is not None:
        raise InvalidInput(f"Package {package.code} is already retired.")
    package.retired_at = uow.now
    package.is_starter_pack = False
    uow.session.flush()
    return _package_view(uow, package)


# --- internals ----------------------------------------------------------------------------------


def _add_version(uow: UnitOfWork, sku: Sku, number: int, data: SkuIn) -> SkuVersion:
    version = SkuVersion(
        sku_id=sku.id,
        number=number,
        name=data.name,
        description=data.description,
        contents=data.contents,
        kind=data.kind,
        units=data.units,
        billing_period_months=data.billing_period_months,
        consumption_months=data.consumption_months,
        included_volume=data.included_volume,
        onsite_support=data.onsite_support,
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
    tiers = sorted((t.currency, t.from_volume, t.unit_price_minor) for t in data.tiers)
    return (
        data.name,
        data.description,
        data.contents,
        data.kind,
        data.units,
        data.billing_period_months,
        data.consumption_months,
        data.included_volume,
        data.onsite_support,
        sorted(data.prices.items()),
        tiers,
    )


def _content_of(version: SkuVersion) -> tuple[Any, ...]:
    tiers = sorted((t.currency, t.from_volume, t.unit_price_minor) for t in version.usage_tiers)
    return (
        version.name,
        version.description,
        version.contents,
        version.kind,
        version.units,
        version.billing_period_months,
        version.consumption_months,
        version.included_volume,
        version.onsite_support,
        sorted((p.currency, p.list_price_minor) for p in version.prices),
        tiers,
    )


def _package_skus(uow: UnitOfWork, data: PackageIn) -> dict[str, Sku]:
    codes = [item.sku_code.strip().upper() for item in data.items]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise InvalidInput(
            f"SKU {repeated[0]} is in the package twice; give it once with its quantity.",
            field="items",
        )
    found = {sku.code: sku for sku in uow.session.scalars(select(Sku).where(Sku.code.in_(codes)))}
    for code in codes:
        sku = found.get(code)
        if sku is None:
            raise InvalidInput(f"There is no SKU {code} in the catalogue.", field="items")
        if sku.retired_at is not None:
            raise InvalidInput(
                f"SKU {code} was retired on {sku.retired_at:%d %b %Y} and cannot be packaged.",
                field="items",
            )
    # Keyed as typed, so callers look items up by the code they gave.
    return {item.sku_code: found[item.sku_code.strip().upper()] for item in data.items}


def _version_view(version: SkuVersion, authors: Mapping[int, str]) -> SkuVersionView:
    return SkuVersionView(
        id=version.id,
        number=version.number,
        name=version.name,
        description=version.description,
        contents=version.contents,
        kind=version.kind,
        units=version.units,
        billing_period_months=version.billing_period_months,
        consumption_months=version.consumption_months,
        included_volume=version.included_volume,
        onsite_support=version.onsite_support,
        prices=[
            PriceView(currency=p.currency, list_price_minor=p.list_price_minor)
            for p in sorted(version.prices, key=lambda p: p.currency)
        ],
        tiers=[
            TierView(
                currency=t.currency, from_volume=t.from_volume, unit_price_minor=t.unit_price_minor
            )
            for t in sorted(version.usage_tiers, key=lambda t: (t.currency, t.from_volume))
        ],
        created_at=version.created_at,
        created_by=authors.get(version.created_by_id or 0),
    )


def _sku_view(uow: UnitOfWork, sku: Sku) -> SkuView:
    versions = list(
        uow.session.scalars(
            select(SkuVersion).where(SkuVersion.sku_id == sku.id).order_by(SkuVersion.number.desc())
        )
    )
    author_ids = {v.created_by_id for v in versions if v.created_by_id is not None}
    authors = {
        row.id: row.name
        for row in uow.session.execute(select(User.id, User.name).where(User.id.in_(author_ids)))
    }
    views = [_version_view(version, authors) for version in versions]
    current = next(view for view in views if view.id == sku.current_version_id)
    return SkuView(
        id=sku.id,
        code=sku.code,
        retired_at=sku.retired_at,
        version=sku.version,
        current=current,
        versions=views,
    )


def _package_view(uow: UnitOfWork, package: Package) -> PackageView:
    rows = uow.session.execute(
        select(PackageItem.sku_id, Sku.code, SkuVersion.name, SkuVersion.kind, Sku.retired_at)
        .join(Sku, Sku.id == PackageItem.sku_id)
        .join(SkuVersion, SkuVersion.id == Sku.current_version_id)
        .where(PackageItem.package_id == package.id)
        .order_by(PackageItem.id)
    ).all()
    quantities = {item.sku_id: item.quantity for item in package.items}
    return PackageView(
        id=package.id,
        code=package.code,
        name=package.name,
        description=package.description,
        is_starter_pack=package.is_starter_pack,
        retired_at=package.retired_at,
        version=package.version,
        items=[
            PackageItemView(
                sku_id=sku_id,
                sku_code=code,
                name=name,
                kind=kind,
                quantity=quantities.get(sku_id, 1),
                retired=retired_at is not None,
            )
            for sku_id, code, name, kind, retired_at in rows
        ],
    )


# --- the forms' text -----------------------------------------------------------------------


def amount_text(minor: int) -> str:
    """Minor units as the forms show an amount: ``960000`` → ``9,600.00``."""
    return format_money(minor, "").strip()


def prices_text(prices: list[PriceView]) -> str:
    """Prices as the SKU form shows them: ``EUR 8,830.00; USD 9,600.00``."""
    return "; ".join(f"{p.currency} {amount_text(p.list_price_minor)}" for p in prices)


def tiers_text(tiers: list[TierView]) -> str:
    """Overage tiers as the SKU form shows them: ``USD 500000 0.01``."""
    return "; ".join(
        f"{t.currency} {t.from_volume} {amount_text(t.unit_price_minor)}" for t in tiers
    )


def items_text(items: list[PackageItemView]) -> str:
    """Package items as the package form shows them: ``SRV-WS x2, SUP-STD x1``."""
    return ", ".join(f"{item.sku_code} x{item.quantity}" for item in items)


def sku_form_values(version: SkuVersionView, code: str) -> dict[str, str]:
    """A version as the SKU form's text, so a revision starts from what is published."""
    return {
        "code": code,
        "name": version.name,
        "kind": version.kind.value,
        "description": version.description,
        "contents": version.contents,
        "units": str(version.units),
        "billing_period_months": _text_of(version.billing_period_months),
        "consumption_months": _text_of(version.consumption_months),
        "included_volume": _text_of(version.included_volume),
        "onsite_support": "yes" if version.onsite_support else "",
        "prices": prices_text(version.prices),
        "tiers": tiers_text(version.tiers),
    }


def _text_of(number: int | None) -> str:
    return "" if number is None else str(number)
