"""Packages of SKUs sold together, and the starter pack a new customer's first quote starts with.

Every item of a package is an active SKU, each at most once, with its quantity. One active
package at a time is the starter pack; marking another one moves the mark to it.

A package saved for one account (an ``AccountPackage`` row, sales' ``account_packages``) is
that account's own offering: the catalogue's list and the starter pack leave it out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm.attributes import flag_modified

from acctmgr.errors import InvalidInput
from acctmgr.models import AccountPackage, Package, PackageItem, Role, Sku, SkuKind, SkuVersion
from acctmgr.services.catalogue.inputs import PackageIn
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.sorting import Sort, orm_order
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case


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


def for_everyone() -> ColumnElement[bool]:
    """Packages of the catalogue, not one saved for an account (a key account's own)."""
    return ~exists().where(AccountPackage.package_id == Package.id)


def starter_pack(uow: UnitOfWork) -> Package | None:
    """The active starter pack, added to a new customer's first quote; None when there is none.
    An account's own package is never one."""
    return uow.session.scalars(
        select(Package)
        .where(Package.is_starter_pack.is_(True), Package.retired_at.is_(None), for_everyone())
        .order_by(Package.id)
        .limit(1)
    ).first()


# The columns the packages list sorts by (``kernel.sorting``).
PACKAGE_SORTS: dict[str, tuple[Any, ...]] = {
    "code": (Package.code,),
    "name": (func.lower(Package.name),),
    "starter": (Package.is_starter_pack,),
}
PACKAGES_BY_CODE = Sort("code")


@use_case("catalogue.list_packages", write=False)
def list_packages(
    uow: UnitOfWork, include_retired: bool = False, sort: Sort = PACKAGES_BY_CODE
) -> list[PackageView]:
    """The packages with their items, by code or by the column ``sort`` names and then id; the
    starter pack is marked. Packages saved for one account are its own and not listed here.
    A column not in PACKAGE_SORTS is refused (InvalidInput)."""
    order = orm_order(
        PACKAGE_SORTS, sort, PACKAGES_BY_CODE, tie_breaker=Package.id, what="packages list"
    )
    statement = select(Package).where(for_everyone()).order_by(*order)
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
    package = _package_to_save(uow, data, expected_version)
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
    _set_items(package, data, skus)
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


def _package_to_save(
    uow: UnitOfWork, data: PackageIn, expected_version: int | None
) -> Package | None:
    """The package a save changes (None for a new one), refused when the code says otherwise."""
    package = uow.session.scalars(select(Package).where(Package.code == data.code)).one_or_none()
    if expected_version is None:
        if package is not None:
            raise InvalidInput(f"The code {data.code} already belongs to a package.", field="code")
        return None
    if package is None:
        raise InvalidInput(f"There is no package {data.code}.", field="code")
    uow.expect_version(package, expected_version, "package")
    if package.retired_at is not None:
        raise InvalidInput(f"Package {package.code} is retired and cannot change.")
    return package


def _set_items(package: Package, data: PackageIn, skus: dict[str, Sku]) -> None:
    """Give the package the items asked for, keeping the rows of SKUs it already held."""
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


def package_view(uow: UnitOfWork, package: Package) -> PackageView:
    """The package with its items, as the lists show it."""
    return _package_view(uow, package)


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
