"""The catalogue's SKU and package lists sort by any of their columns in SQL, page alike, and
refuse other names."""

from __future__ import annotations

import pytest

from acctmgr.errors import InvalidInput
from acctmgr.services.catalogue import browsing, packages
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.catalogue.inputs import PackageIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.sorting import Sort
from tests.services.catalogue.test_catalogue import _sku_in, _usage_in

# A-1 is retired and has a lower-case name, B-2 is at version 2, C-3 is the usage SKU.
EXPECTED = {
    "code": ["A-1", "B-2", "C-3", "D-4"],
    "name": ["D-4", "B-2", "C-3", "A-1"],
    "kind": ["A-1", "B-2", "D-4", "C-3"],
    "version": ["A-1", "C-3", "D-4", "B-2"],
    "retired": ["B-2", "C-3", "D-4", "A-1"],
}


@pytest.fixture
def catalogued(admin: Context) -> Context:
    retired = catalogue.create_sku(admin, _sku_in("A-1", name="zeta workshop"))
    revised = catalogue.create_sku(admin, _sku_in("B-2", name="Beta audit"))
    catalogue.create_sku(admin, _usage_in("C-3", name="Page views"))
    catalogue.create_sku(admin, _sku_in("D-4", name="alpha"))
    catalogue.revise_sku(admin, revised.id, revised.version, _sku_in("B-2", name="Beta audit 2"))
    catalogue.retire_sku(admin, retired.id, retired.version)
    return admin


def _codes(context: Context, sort: Sort, offset: int = 0, limit: int = 50) -> list[str]:
    rows = browsing.search_skus(
        context, include_retired=True, sort=sort, offset=offset, limit=limit
    )
    return [row.code for row in rows]


@pytest.mark.parametrize("column", sorted(EXPECTED))
def test_each_column_sorts_the_skus_and_again_reverses_them(
    catalogued: Context, column: str
) -> None:
    """Sorted by a column, SKUs come in its order (names without regard to case), and
    descending exactly reversed, ties included."""
    assert set(EXPECTED) == set(browsing.SORTS)
    assert _codes(catalogued, Sort(column)) == EXPECTED[column]
    assert _codes(catalogued, Sort(column, descending=True)) == EXPECTED[column][::-1]


def test_pages_of_sorted_skus_neither_repeat_nor_skip(catalogued: Context) -> None:
    """Taken one at a time, the SKUs sorted by version are the whole list in order."""
    paged = [code for n in range(4) for code in _codes(catalogued, Sort("version"), n, 1)]
    assert paged == EXPECTED["version"]


@pytest.mark.parametrize("column", ["price", "sku.code"])
def test_a_column_the_catalogue_does_not_offer_is_refused(catalogued: Context, column: str) -> None:
    """A sort by anything but the list's columns is refused with a sentence naming them."""
    with pytest.raises(InvalidInput, match="sorts by code, name, kind"):
        browsing.search_skus(catalogued, sort=Sort(column))


# (code, name, starter pack) in the order they are made; their order by each column.
PACKAGES = (("B-PACK", "alpha bundle", False), ("A-PACK", "Zeta", False), ("C-PACK", "Mid", True))
PACKAGE_ORDERS = {
    "code": ["A-PACK", "B-PACK", "C-PACK"],
    "name": ["B-PACK", "C-PACK", "A-PACK"],  # without regard to case
    "starter": ["B-PACK", "A-PACK", "C-PACK"],  # ties by when they were made
}


@pytest.mark.parametrize("column", sorted(PACKAGE_ORDERS))
def test_each_column_sorts_the_packages_and_again_reverses_them(
    admin: Context, column: str
) -> None:
    """Sorted by a column, packages come in its order, and descending exactly reversed; a
    column the list does not offer is refused."""
    assert set(PACKAGE_ORDERS) == set(packages.PACKAGE_SORTS)
    catalogue.create_sku(admin, _sku_in())
    for code, name, starter in PACKAGES:
        data = {"code": code, "name": name, "items": [("SRV-WS", 1)], "is_starter_pack": starter}
        packages.save_package(admin, PackageIn.model_validate(data))
    for descending in (False, True):
        found = packages.list_packages(admin, sort=Sort(column, descending))
        expected = PACKAGE_ORDERS[column]
        assert [package.code for package in found] == (expected[::-1] if descending else expected)
    with pytest.raises(InvalidInput, match="sorts by code, name, starter"):
        packages.list_packages(admin, sort=Sort("items"))
