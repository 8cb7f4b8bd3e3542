"""Browsing the catalogue: SKUs found by code or name, and one SKU with every version.

What a version says, its price book and its overage tiers are shown as they were published:
the views here are read inside the transaction and never change a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, null, or_, select

from acctmgr.errors import InvalidInput, NotFound
from acctmgr.models import Sku, SkuKind, SkuPrice, SkuVersion, User
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.sorting import Sort, orm_order
from acctmgr.services.kernel.text import single_line
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

MAX_PAGE = 500
# The columns the list sorts by (``kernel.sorting``): the SKU, and its current version.
SORTS: dict[str, tuple[Any, ...]] = {
    "code": (Sku.code,),
    "name": (func.lower(SkuVersion.name),),
    "kind": (SkuVersion.kind,),
    "version": (SkuVersion.number,),
    "retired": (Sku.retired_at.is_not(None),),
}
BY_CODE = Sort("code")
# What a version says: every view of a version shows it, each new version copies it, and a
# revision that changes none of it (nor the prices and tiers) is refused.
VERSION_CONTENT = (
    "name",
    "description",
    "contents",
    "kind",
    "units",
    "billing_period_months",
    "consumption_months",
    "included_volume",
    "onsite_support",
)


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
    sort: Sort = BY_CODE,
) -> list[SkuRow]:
    """SKUs whose code or current name contains the text (any case), ordered by code or by the
    column ``sort`` names, then id.

    Searched, sorted and paged in the database; ``%``, ``_`` and backslashes in the text are
    matched literally. Retired SKUs are left out unless asked for. With a currency, each row
    carries its list price there (None when the price book has none). A text with a control
    character in it, or a sort by a column not in SORTS, is refused (InvalidInput).
    """
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(f"A page holds 1 to {MAX_PAGE} SKUs from a position of 0 or more.")
    order = orm_order(SORTS, sort, BY_CODE, tie_breaker=Sku.id, what="catalogue")
    statement = _rows_query(currency).order_by(*order).offset(offset).limit(limit)
    needle = single_line(text, what="search text", field="text").strip()
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
    return sku_view_of(uow, uow.get(Sku, sku_id, "SKU"))


@use_case("catalogue.find", write=False)
def find_sku(uow: UnitOfWork, code: str) -> SkuView:
    """A SKU by its code (any case), as ``get_sku`` shows it. NotFound when there is none."""
    sku = uow.session.scalars(select(Sku).where(Sku.code == code.strip().upper())).one_or_none()
    if sku is None:
        raise NotFound(f"There is no SKU {code.strip().upper()} in the catalogue.")
    return sku_view_of(uow, sku)


# --- views of a SKU, shared with the use cases that change one and the published catalogue ---


def _price_views(version: SkuVersion) -> list[PriceView]:
    """The version's price book, by currency."""
    return [
        PriceView(currency=p.currency, list_price_minor=p.list_price_minor)
        for p in sorted(version.prices, key=lambda p: p.currency)
    ]


def _tier_views(version: SkuVersion) -> list[TierView]:
    """The version's overage tiers, by currency, then volume."""
    return [
        TierView(
            currency=t.currency, from_volume=t.from_volume, unit_price_minor=t.unit_price_minor
        )
        for t in sorted(version.usage_tiers, key=lambda t: (t.currency, t.from_volume))
    ]


def sku_view_of(uow: UnitOfWork, sku: Sku) -> SkuView:
    """A SKU with every version, newest first, as ``get_sku`` returns it."""
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


def version_content(version: SkuVersion) -> dict[str, Any]:
    """What a version says, with its price book and tiers, as the fields of its views."""
    return {
        **{field: getattr(version, field) for field in VERSION_CONTENT},
        "prices": _price_views(version),
        "tiers": _tier_views(version),
    }


def _version_view(version: SkuVersion, authors: Mapping[int, str]) -> SkuVersionView:
    return SkuVersionView(
        id=version.id,
        number=version.number,
        **version_content(version),
        created_at=version.created_at,
        created_by=authors.get(version.created_by_id or 0),
    )
