"""What an admin types into the catalogue: SKUs and packages, validated field by field.

Each rule gives one sentence that names its field, and pydantic reports it under that field, so
a form can show it beside the input. Form text is accepted as typed: prices as
``USD 9,600; EUR 8,830.50``, overage tiers as ``USD 500000 0.01`` (currency, from volume, price
per unit) and package items as ``SRV-WS x2, SUP-STD``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator

from acctmgr.errors import InvalidInput
from acctmgr.models import SkuKind
from acctmgr.services.kernel.counts import MAX_PAGE_VIEWS, at_most
from acctmgr.services.kernel.money import (
    MAX_MINOR,
    MONEY_PATTERN,
    format_money,
    limit_sentence,
    parse_money,
)
from acctmgr.services.kernel.money_fields import Amount
from acctmgr.services.kernel.text_fields import FreeText, SingleLine
from acctmgr.services.kernel.validation import invalid_input

MAX_MONTHS = 60
MAX_UNITS = 10_000
MAX_PACKAGE_QUANTITY = 1000
CODE_PATTERN = r"^[A-Z0-9]+(-[A-Z0-9]+)*$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
INCLUDED_TOO_HIGH = f"the included volume is at most {MAX_PAGE_VIEWS:,} page views a month"
TIER_TOO_HIGH = f"an overage tier starts at {MAX_PAGE_VIEWS:,} page views at most"


class TierIn(BaseModel):
    """Above ``from_volume`` (page views in a month), each unit costs ``unit_price_minor``."""

    currency: SingleLine = Field(pattern=CURRENCY_PATTERN)
    from_volume: int = Field(ge=0)
    unit_price_minor: Amount = Field(ge=0)

    @field_validator("from_volume")
    @classmethod
    def _volume(cls, value: int) -> int:
        return at_most(value, MAX_PAGE_VIEWS, TIER_TOO_HIGH)


class SkuIn(BaseModel):
    """What an admin types to create or revise a SKU.

    Form text is accepted as typed: prices as ``USD 9,600; EUR 8,830.50`` and overage tiers as
    ``USD 500000 0.01; EUR 500000 0.01`` (currency, from volume, price per unit). Each rule names
    its field in the sentence it gives; rules that depend on the kind come after ``kind``.
    """

    code: SingleLine
    name: SingleLine
    kind: SkuKind
    description: FreeText = ""
    contents: FreeText = ""
    units: int = 1
    billing_period_months: int | None = None
    consumption_months: int | None = Field(default=None, validate_default=True)
    included_volume: int | None = Field(default=None, validate_default=True)
    onsite_support: bool = False
    prices: dict[str, int] = Field(default_factory=dict, validate_default=True)
    tiers: list[TierIn] = Field(default_factory=list, validate_default=True)

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        return _clean_code(value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return _clean_name(value)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        if isinstance(value, SkuKind):
            return value
        text = str(value or "").strip().lower().replace("-", "_").replace(" ", "_")
        if text not in {kind.value for kind in SkuKind}:
            kinds = ", ".join(kind.label.lower() for kind in SkuKind)
            raise ValueError(f"the kind is one of {kinds}")
        return SkuKind(text)

    @field_validator("description", "contents", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value or "").strip()

    @field_validator("units", mode="before")
    @classmethod
    def _units(cls, value: Any) -> Any:
        number = _whole(value, "the units are a whole number such as 1 or 4")
        if number is None or not 1 <= number <= MAX_UNITS:
            raise ValueError("the units are a whole number from 1 to 10,000")
        return number

    @field_validator("billing_period_months", mode="before")
    @classmethod
    def _billing(cls, value: Any) -> Any:
        number = _whole(value, "the billing period is a number of months such as 12")
        if number is not None and not 1 <= number <= MAX_MONTHS:
            raise ValueError(f"the billing period is from 1 to {MAX_MONTHS} months")
        return number

    @field_validator("consumption_months", mode="before")
    @classmethod
    def _consumption(cls, value: Any, info: ValidationInfo) -> Any:
        number = _whole(value, "the consumption deadline is a number of months such as 12")
        kind = info.data.get("kind")
        if kind is SkuKind.SERVICE and (number is None or not 1 <= number <= MAX_MONTHS):
            raise ValueError(
                "a service needs a consumption deadline of 1 to "
                f"{MAX_MONTHS} months from the contract start"
            )
        if kind is not None and kind is not SkuKind.SERVICE and number is not None:
            raise ValueError("only services have a consumption deadline; leave it empty")
        return number

    @field_validator("included_volume", mode="before")
    @classmethod
    def _included(cls, value: Any, info: ValidationInfo) -> Any:
        number = _whole(value, "the included volume is a whole number such as 500000")
        kind = info.data.get("kind")
        if kind is SkuKind.USAGE and (number is None or number < 1):
            raise ValueError("a usage SKU needs its included volume (page views a month)")
        if kind is not None and kind is not SkuKind.USAGE and number is not None:
            raise ValueError("only usage SKUs have an included volume; leave it empty")
        return None if number is None else at_most(number, MAX_PAGE_VIEWS, INCLUDED_TOO_HIGH)

    @field_validator("onsite_support", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        return _yes(value)

    @field_validator("prices", mode="before")
    @classmethod
    def _prices(cls, value: Any, info: ValidationInfo) -> Any:
        prices = _parse_prices(value) if isinstance(value, str) else dict(value or {})
        if not prices:
            raise ValueError("the prices need at least one currency, such as USD 1,200")
        for currency, amount in prices.items():
            if not _matches(CURRENCY_PATTERN, str(currency)):
                raise ValueError(f"the prices use three-letter currency codes, not {currency}")
            if not isinstance(amount, int) or amount < 0:
                raise ValueError(f"the price in {currency} cannot be negative")
            if amount > MAX_MINOR:
                raise ValueError(limit_sentence(f"the price in {currency}"))
            if info.data.get("kind") is SkuKind.INCLUDED and amount != 0:
                raise ValueError(
                    f"an included item is priced 0 in every currency, not {currency} "
                    f"{format_money(amount, currency).split()[0]}"
                )
        return prices

    @field_validator("tiers", mode="before")
    @classmethod
    def _tiers(cls, value: Any, info: ValidationInfo) -> Any:
        tiers = [
            tier if isinstance(tier, TierIn) else TierIn.model_validate(tier)
            for tier in (_parse_tiers(value) if isinstance(value, str) else list(value or []))
        ]
        kind = info.data.get("kind")
        if kind is not None and kind is not SkuKind.USAGE:
            if tiers:
                raise ValueError("only usage SKUs have overage tiers; leave them empty")
            return tiers
        if kind is None:
            return tiers
        if not tiers:
            raise ValueError("a usage SKU needs at least one overage tier, such as USD 500000 0.01")
        seen: set[tuple[str, int]] = set()
        included = info.data.get("included_volume") or 0
        for tier in tiers:
            if (tier.currency, tier.from_volume) in seen:
                raise ValueError(
                    f"the overage tiers name {tier.currency} from {tier.from_volume:,} twice"
                )
            seen.add((tier.currency, tier.from_volume))
            if tier.from_volume < included:
                raise ValueError(
                    f"an overage tier starts at or above the included volume ({included:,})"
                )
        missing = sorted(set(info.data.get("prices") or {}) - {c for c, _ in seen})
        if missing:
            raise ValueError(f"the overage tiers need a price in {', '.join(missing)} too")
        return tiers


class PackageItemIn(BaseModel):
    sku_code: SingleLine
    quantity: int = Field(default=1, ge=1, le=MAX_PACKAGE_QUANTITY)


class PackageIn(BaseModel):
    """A bundle of SKUs by code. Items can be typed as ``SRV-WS x2, SUP-STD``."""

    code: SingleLine
    name: SingleLine
    description: FreeText = ""
    items: list[PackageItemIn]
    is_starter_pack: bool = False

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        return _clean_code(value)  # the same pattern as SKU codes

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return _clean_name(value)

    @field_validator("description", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value or "").strip()

    @field_validator("is_starter_pack", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        return _yes(value)

    @field_validator("items", mode="before")
    @classmethod
    def _items(cls, value: Any) -> Any:
        items = _parse_items(value) if isinstance(value, str) else list(value or [])
        items = [
            {"sku_code": item[0], "quantity": item[1]} if isinstance(item, tuple) else item
            for item in items
        ]
        if not items:
            raise ValueError("a package needs at least one SKU, such as SRV-WS x2, SUP-STD")
        return items


def sku_input(values: Mapping[str, Any]) -> SkuIn:
    """Validate a SKU as typed; InvalidInput with the first problem's sentence and field."""
    try:
        return SkuIn.model_validate(dict(values))
    except ValidationError as error:
        raise invalid_input(error) from None


def package_input(values: Mapping[str, Any]) -> PackageIn:
    """Validate a package as typed; InvalidInput with the first problem's sentence and field."""
    try:
        return PackageIn.model_validate(dict(values))
    except ValidationError as error:
        raise invalid_input(error) from None


# --- parsing what people type -------------------------------------------------------------------


def _clean_code(value: Any) -> str:
    code = str(value or "").strip().upper()
    if not code:
        raise ValueError("the code is required, such as SRV-WS4")
    if len(code) > 40 or not _matches(CODE_PATTERN, code):
        raise ValueError(
            "the code is upper-case letters, digits and single dashes (at most 40), such as SRV-WS4"
        )
    return code


def _clean_name(value: Any) -> str:
    name = str(value or "").strip()
    if not name:
        raise ValueError("the name is required")
    if len(name) > 200:
        raise ValueError("the name is at most 200 characters")
    return name


def _yes(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"yes", "y", "true", "1", "on"}
    return bool(value)


def _matches(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern, text) is not None


def _whole(value: Any, message: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(message)
    if isinstance(value, int):
        return value
    text = str(value).strip().replace(",", "").replace("_", "")
    if not text.lstrip("-").isdigit():
        raise ValueError(message)
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (4,300): no count is that long
        raise ValueError(message) from None


def _entries(text: str) -> list[list[str]]:
    return [entry.split() for entry in text.replace("\n", ";").split(";") if entry.strip()]


def _parse_prices(text: str) -> dict[str, int]:
    """``USD 9,600; EUR 8,830.50`` → ``{"USD": 960000, "EUR": 883050}``."""
    prices: dict[str, int] = {}
    for parts in _entries(text):
        if len(parts) != 2:
            raise ValueError("the prices are written as USD 1,200; EUR 1,100.50")
        currency = parts[0].upper()
        if currency in prices:
            raise ValueError(f"the prices name {currency} twice")
        amount = parts[1]
        if amount.startswith("-"):
            raise ValueError(f"the price in {currency} cannot be negative")
        try:
            prices[currency] = parse_money(amount, field="prices", what=f"the price in {currency}")
        except InvalidInput as error:
            raise ValueError(error.message) from None
    return prices


def _parse_tiers(text: str) -> list[dict[str, Any]]:
    """``USD 500000 0.01`` → from 500,000 units, one cent each."""
    tiers: list[dict[str, Any]] = []
    for parts in _entries(text):
        if len(parts) != 3:
            raise ValueError(
                "the overage tiers are written as currency, from volume and unit price, "
                "such as USD 500000 0.01"
            )
        currency, volume, price = parts
        number = _whole(volume, "an overage tier starts at a whole number such as 500000")
        if number is not None:
            at_most(number, MAX_PAGE_VIEWS, TIER_TOO_HIGH)
        if price.startswith("-"):
            raise ValueError(f"the overage price in {currency.upper()} cannot be negative")
        if not MONEY_PATTERN.match(price.replace(",", "")):
            raise ValueError(f"the overage price in {currency.upper()} is a number such as 0.01")
        try:
            unit = parse_money(
                price, field="tiers", what=f"the overage price in {currency.upper()}"
            )
        except InvalidInput as error:
            raise ValueError(error.message) from None
        tiers.append(
            {"currency": currency.upper(), "from_volume": number, "unit_price_minor": unit}
        )
    return tiers


def _parse_items(text: str) -> list[tuple[str, int]]:
    """``SRV-WS x2, SUP-STD`` → ``[("SRV-WS", 2), ("SUP-STD", 1)]``."""
    items: list[tuple[str, int]] = []
    for entry in text.replace(";", ",").split(","):
        parts = entry.replace("\u00d7", " x ").split()
        if not parts:
            continue
        code, quantity = parts[0].upper(), 1
        rest = "".join(parts[1:]).lower().removeprefix("x")
        if rest:
            number = _whole(rest, f"the quantity of {code} is a whole number, as in {code} x2")
            if number is None or not 1 <= number <= MAX_PACKAGE_QUANTITY:
                raise ValueError(f"the quantity of {code} is from 1 to {MAX_PACKAGE_QUANTITY:,}")
            quantity = number
        items.append((code, quantity))
    return items
