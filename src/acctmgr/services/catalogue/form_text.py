"""The catalogue as its forms show it: amounts, price books, tiers and package items as text.

Each helper writes the text ``catalogue.inputs`` reads, so a revision form filled from the
published version reads back to the same SKU.
"""

from __future__ import annotations

from acctmgr.services.catalogue.browsing import PriceView, SkuVersionView, TierView
from acctmgr.services.catalogue.packages import PackageItemView
from acctmgr.services.kernel.money import format_money


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
