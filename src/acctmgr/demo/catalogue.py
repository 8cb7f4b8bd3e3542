"""The demo company's catalogue written out: SKUs with their versions and price books, packages.

List prices are set in US dollars and converted for each currency's price book. Some SKUs had a
second version released a few months ago, so older contracts sell the first version and newer
ones the second. ``publish_catalogue`` writes it all and remembers which version sold when; what
is sold is ``demo.skus``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Table, bindparam, update

from acctmgr.demo.dates import instant
from acctmgr.demo.skus import CATALOGUE, PACKAGES, SkuSpec
from acctmgr.demo.writer import BulkWriter

CURRENCIES = ("USD", "GBP", "EUR", "BRL")
# List prices are set in US dollars and converted (and rounded to tens) for each price book.
CURRENCY_RATES: dict[str, float] = {"USD": 1.0, "GBP": 0.79, "EUR": 0.92, "BRL": 5.0}
V2_AGE_DAYS = 120  # the catalogue's second versions came out this long ago


@dataclass(slots=True)
class PublishedCatalogue:
    """The catalogue once written: each SKU's version ids and each version's list prices."""

    v2_since: date
    # SKU code -> (first version id, second version id or None)
    version_ids: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    # (SKU version id, currency) -> list price in minor units
    prices: dict[tuple[int, str], int] = field(default_factory=dict)

    def version_for(self, code: str, starts_on: date) -> int:
        """The catalogue version a contract starting on that day was sold with."""
        first, second = self.version_ids[code]
        return second if second is not None and starts_on >= self.v2_since else first


def publish_catalogue(writer: BulkWriter, admin: int, now: datetime) -> PublishedCatalogue:
    """Write every SKU with its versions, price books and usage tiers, and the packages."""
    published = PublishedCatalogue(v2_since=now.date() - timedelta(days=V2_AGE_DAYS))
    first_release = now - timedelta(days=1100)
    second_release = instant(published.v2_since, 8)
    current: list[dict[str, int]] = []
    for spec in CATALOGUE:
        sku_id = writer.new_id("skus")
        writer.add(
            "skus",
            {
                "id": sku_id,
                "code": spec.code,
                "retired_at": None,
                "current_version_id": None,
                "created_at": first_release,
                "updated_at": None,
                "version": 1,
            },
        )
        versions = [(spec.description, spec.contents, spec.usd, first_release)]
        if spec.v2:
            versions.append((*spec.v2, second_release))
        ids = [
            _publish_version(writer, published, spec, sku_id, number, version, admin)
            for number, version in enumerate(versions, 1)
        ]
        published.version_ids[spec.code] = (ids[0], ids[1] if len(ids) > 1 else None)
        current.append({"sku": sku_id, "latest": ids[-1]})
    _add_packages(writer, first_release)
    writer.flush()
    # A SKU points at its newest version, which can only exist after the SKU.
    skus: Table = writer.tables["skus"]
    writer.session.execute(
        update(skus)
        .where(skus.c.id == bindparam("sku"))
        .values(current_version_id=bindparam("latest")),
        current,
    )
    return published


def _publish_version(
    writer: BulkWriter,
    published: PublishedCatalogue,
    spec: SkuSpec,
    sku_id: int,
    number: int,
    version: tuple[str, str, int, datetime],
    admin: int,
) -> int:
    """Version ``number`` of a SKU with its price book in every currency; returns its id.

    ``version`` is what changes between versions: (description, contents, USD price, created).
    """
    description, contents, usd, created = version
    version_id = writer.new_id("sku_versions")
    writer.add(
        "sku_versions",
        {
            "id": version_id,
            "sku_id": sku_id,
            "number": number,
            "name": spec.name,
            "description": description,
            "contents": contents,
            "kind": spec.kind,
            "billing_period_months": spec.billing_period_months,
            "consumption_months": spec.consumption_months,
            "units": spec.units,
            "included_volume": spec.included_volume,
            "onsite_support": spec.onsite_support,
            "created_by_id": admin,
            "created_at": created,
            "updated_at": None,
        },
    )
    _price_book(writer, published, spec, version_id, usd)
    return version_id


def _price_book(
    writer: BulkWriter, published: PublishedCatalogue, spec: SkuSpec, version_id: int, usd: int
) -> None:
    """The version's list price in every currency, with its overage tiers."""
    for currency in CURRENCIES:
        price = int(round(usd * CURRENCY_RATES[currency], -1) * 100)
        published.prices[(version_id, currency)] = price
        writer.add(
            "sku_prices",
            {
                "id": writer.new_id("sku_prices"),
                "sku_version_id": version_id,
                "currency": currency,
                "list_price_minor": price,
            },
        )
        for from_volume, cents in spec.overage:
            # Page views past the included volume cost a minor unit or two each (five
            # centavos a cent in reais), a deterrent that makes the next pack cheaper.
            writer.add(
                "usage_tiers",
                {
                    "id": writer.new_id("usage_tiers"),
                    "sku_version_id": version_id,
                    "currency": currency,
                    "from_volume": from_volume,
                    "unit_price_minor": cents * 5 if currency == "BRL" else cents,
                },
            )


def _add_packages(writer: BulkWriter, created: datetime) -> None:
    # SKUs were the first rows written, so their ids follow the catalogue's order from 1.
    sku_ids = {spec.code: index + 1 for index, spec in enumerate(CATALOGUE)}
    for code, name, description, starter, items in PACKAGES:
        package_id = writer.new_id("packages")
        writer.add(
            "packages",
            {
                "id": package_id,
                "code": code,
                "name": name,
                "description": description,
                "is_starter_pack": starter,
                "retired_at": None,
                "created_at": created,
                "updated_at": None,
                "version": 1,
            },
        )
        for sku_code, quantity in items:
            writer.add(
                "package_items",
                {
                    "id": writer.new_id("package_items"),
                    "package_id": package_id,
                    "sku_id": sku_ids[sku_code],
                    "quantity": quantity,
                },
            )
