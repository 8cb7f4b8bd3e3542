"""Prices agreed with one account: its "special deals and discounts" (seed 001), kept with a
validity and applied by themselves to the lines of its quotes and offers.

An agreed price is for one SKU in the account's currency, for the days from ``valid_from``
to ``valid_until`` (both included): either a discount off the list price or a unit price of
its own. Two agreed prices for one account, SKU and currency never overlap in time, so on any
day at most one applies. It lives in sales, not key accounts, because the quote builder
applies it and sales may not import key accounts.

The agreed price only sets the discount a catalogue line starts with when it is added; the
approval rules still judge the resulting discount as any other (an agreed 30% off needs the
approval any 30% off needs), as Salesforce CPQ users expect, and a discount the user types on
the line afterwards is theirs to keep.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select

from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import Account, AgreedPrice, Quote, Role, Sku, SkuKind, SkuVersion
from acctmgr.services.kernel.money import (
    HUNDRED,
    discount_of,
    format_money,
    parse_money,
    parse_percent,
)
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text_fields import FreeText, SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

CENT = Decimal("0.01")  # a line's discount has two decimals (quotes.Discount)
MAX_NOTE = 1000


class AgreedPriceIn(BaseModel):
    """An agreed price as typed: a SKU code, a discount % or a price (one of them), the dates."""

    sku_code: SingleLine = Field(max_length=40)
    discount_pct: SingleLine = Field(default="", max_length=20)  # e.g. "12.5"; or empty
    price: SingleLine = Field(default="", max_length=40)  # each, e.g. "900.00"; or empty
    valid_from: date
    valid_until: date
    note: FreeText = Field(default="", max_length=MAX_NOTE)

    @field_validator("sku_code", "discount_pct", "price", "note")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class AgreedPriceView(ReadModel):
    id: int
    account_id: int
    sku_id: int
    sku_code: str
    sku_name: str
    currency: str
    discount_pct: Decimal | None
    price_minor: int | None
    terms: str  # "12.5% off the list price" or "900.00 USD each"
    valid_from: date
    valid_until: date
    state: str  # "current", "upcoming" or "ended", on the day it is read
    note: str
    version: int


@use_case("agreed_prices.list", write=False)
def list_agreed_prices(uow: UnitOfWork, account_id: int) -> list[AgreedPriceView]:
    """The account's agreed prices, current, upcoming and ended, by SKU code and latest first;
    for anyone who may see the account (PermissionDenied for another segment)."""
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    rows = uow.session.execute(
        select(AgreedPrice, Sku.code, SkuVersion.name)
        .join(Sku, Sku.id == AgreedPrice.sku_id)
        .join(SkuVersion, SkuVersion.id == Sku.current_version_id)
        .where(AgreedPrice.account_id == account.id)
        .order_by(Sku.code, AgreedPrice.valid_from.desc(), AgreedPrice.id)
    ).all()
    today = uow.now.date()
    return [_view(agreed, code, name, today) for agreed, code, name in rows]


@use_case("agreed_prices.save")
def save_agreed_price(
    uow: UnitOfWork,
    account_id: int,
    data: AgreedPriceIn,
    agreed_price_id: int | None = None,
    expected_version: int | None = None,
) -> AgreedPriceView:
    """Agree a new price with the account (``agreed_price_id`` None) or change one.

    Only the account's Key Account Manager, a Segment Leader of its segment or an Admin may
    (PermissionDenied). The SKU is a current one of the catalogue with a price to agree (not an
    included item); the currency is the account's. Exactly one of a discount (more than 0%, at
    most 100%, two decimals) or a unit price (0 or more) is given; ``valid_until`` is not before
    ``valid_from``, and a new one does not end in the past; an ended one is history and stays
    as it was. It must not overlap another for the same SKU and currency: InvalidInput naming
    the other's dates. An edit needs ``expected_version`` (a stale one is a Conflict).
    """
    account = uow.get(Account, account_id, "account")
    check_may_agree(uow, account)
    today = uow.now.date()
    agreed: AgreedPrice | None = None
    if agreed_price_id is not None:
        agreed = uow.get(AgreedPrice, agreed_price_id, "agreed price")
        if agreed.account_id != account.id:
            raise InvalidInput("That agreed price belongs to another account.")
        if expected_version is None:
            raise InvalidInput("Changing an agreed price needs the version it was read at.")
        uow.expect_version(agreed, expected_version, "agreed price")
        if agreed.valid_until < today:
            raise InvalidInput(
                f"This agreed price ended on {_day(agreed.valid_until)}; agree a new one instead."
            )
    sku = _sku(uow, data.sku_code)
    discount, price = _terms(data)
    _check_dates(data, today, new=agreed is None)
    _check_overlap(uow, account, sku, data, agreed.id if agreed else None)
    if agreed is None:
        agreed = AgreedPrice(
            account_id=account.id,
            sku_id=sku.id,
            currency=account.currency,
            created_by_id=uow.user.id,
            valid_from=data.valid_from,
            valid_until=data.valid_until,
        )
        uow.session.add(agreed)
    agreed.sku_id = sku.id
    agreed.discount_pct = discount
    agreed.price_minor = price
    agreed.valid_from = data.valid_from
    agreed.valid_until = data.valid_until
    agreed.note = data.note
    uow.session.flush()
    return _view_of(uow, agreed)


@use_case("agreed_prices.end")
def end_agreed_price(
    uow: UnitOfWork, agreed_price_id: int, expected_version: int
) -> AgreedPriceView | None:
    """End an agreed price today: today is its last day. One that has not started yet is
    withdrawn (removed; the audit keeps it) and None is returned. One already ended is refused.
    The same people as for saving may (PermissionDenied)."""
    agreed = uow.get(AgreedPrice, agreed_price_id, "agreed price")
    account = uow.get(Account, agreed.account_id, "account")
    check_may_agree(uow, account)
    uow.expect_version(agreed, expected_version, "agreed price")
    today = uow.now.date()
    if agreed.valid_until < today:
        raise InvalidInput(f"This agreed price already ended on {_day(agreed.valid_until)}.")
    if agreed.valid_from > today:
        uow.session.delete(agreed)
        uow.session.flush()
        return None
    agreed.valid_until = today
    uow.session.flush()
    return _view_of(uow, agreed)


# --- applying them ------------------------------------------------------------------------------


def price_for(
    uow: UnitOfWork, account_id: int, sku_id: int, currency: str, on: date
) -> AgreedPrice | None:
    """The price agreed with the account for the SKU in ``currency`` valid on ``on``; None."""
    return uow.session.scalars(
        select(AgreedPrice)
        .where(
            AgreedPrice.account_id == account_id,
            AgreedPrice.sku_id == sku_id,
            AgreedPrice.currency == currency,
            AgreedPrice.valid_from <= on,
            AgreedPrice.valid_until >= on,
        )
        .order_by(AgreedPrice.valid_from.desc())
        .limit(1)
    ).first()


def discount_for(agreed: AgreedPrice, list_price_minor: int) -> Decimal:
    """The line discount an agreed price gives at this list price: the agreed discount, or the
    discount that takes the list price to the agreed one, rounded as the quote rounds a
    discount (two decimals) and kept within 0-100%."""
    if agreed.discount_pct is not None:
        found = agreed.discount_pct
    else:
        found = discount_of(list_price_minor, agreed.price_minor or 0)
    return min(HUNDRED, max(Decimal(0), found)).quantize(CENT)


def agreed_discount(
    uow: UnitOfWork, quote: Quote, sku_id: int, list_price_minor: int
) -> Decimal | None:
    """The discount a new line of this SKU on the quote takes from a price agreed with its
    account, valid on the quote's start (today when it has none); None when nothing applies."""
    on = quote.starts_on or uow.now.date()
    agreed = price_for(uow, quote.account_id, sku_id, quote.currency, on)
    return discount_for(agreed, list_price_minor) if agreed is not None else None


def valid_for_quote(uow: UnitOfWork, quote: Quote) -> dict[int, AgreedPrice]:
    """The prices agreed with the quote's account valid on its start, by SKU id: one query for
    all the lines of a quote view."""
    on = quote.starts_on or uow.now.date()
    found = uow.session.scalars(
        select(AgreedPrice).where(
            AgreedPrice.account_id == quote.account_id,
            AgreedPrice.currency == quote.currency,
            AgreedPrice.valid_from <= on,
            AgreedPrice.valid_until >= on,
        )
    )
    return {agreed.sku_id: agreed for agreed in found}


# --- who may, and the rules -------------------------------------------------------------------


def check_may_agree(uow: UnitOfWork, account: Account) -> None:
    """The account's Key Account Manager, a Segment Leader of its segment, or an Admin; else
    PermissionDenied."""
    user = uow.user
    require_segment(user, account.segment_id, what="account")
    if user.has(Role.ADMIN) or account.key_account_manager_id == user.id:
        return
    if user.has(Role.SEGMENT_LEADER) and user.segment_id == account.segment_id:
        return
    raise PermissionDenied(
        "Only the account's Key Account Manager, a Segment Leader of its segment or an Admin "
        "can agree prices with it."
    )


def _sku(uow: UnitOfWork, typed: str) -> Sku:
    code = typed.upper()
    if not code:
        raise InvalidInput("Give the SKU's code.", field="sku_code")
    sku = uow.session.scalars(select(Sku).where(Sku.code == code)).one_or_none()
    if sku is None:
        raise InvalidInput(f"There is no SKU {code} in the catalogue.", field="sku_code")
    if sku.retired_at is not None:
        raise InvalidInput(
            f"SKU {code} was retired on {_day(sku.retired_at.date())}; it has no price to agree.",
            field="sku_code",
        )
    version = uow.session.get(SkuVersion, sku.current_version_id or 0)
    if version is not None and version.kind is SkuKind.INCLUDED:
        raise InvalidInput(
            f"SKU {code} is included at no charge; it has no price to agree.", field="sku_code"
        )
    return sku


def _terms(data: AgreedPriceIn) -> tuple[Decimal | None, int | None]:
    """(discount, None) or (None, price) from what was typed; InvalidInput otherwise."""
    if bool(data.discount_pct) == bool(data.price):
        raise InvalidInput(
            "Give either a discount % or a price of its own, not both or neither.",
            field="discount_pct",
        )
    if data.price:
        price = parse_money(data.price, field="price", what="A price")
        if price < 0:
            raise InvalidInput("An agreed price cannot be negative.", field="price")
        return None, price
    discount = parse_percent(data.discount_pct, field="discount_pct", what="A discount")
    if not 0 < discount <= HUNDRED:
        raise InvalidInput(
            "An agreed discount is more than 0% and at most 100%.", field="discount_pct"
        )
    if discount != discount.quantize(CENT):
        raise InvalidInput(
            "An agreed discount has at most two decimals, such as 12.25.", field="discount_pct"
        )
    return discount, None


def _check_dates(data: AgreedPriceIn, today: date, *, new: bool) -> None:
    if data.valid_until < data.valid_from:
        raise InvalidInput("It cannot end before it starts.", field="valid_until")
    if new and data.valid_until < today:
        raise InvalidInput("A new agreed price cannot end in the past.", field="valid_until")


def _check_overlap(
    uow: UnitOfWork, account: Account, sku: Sku, data: AgreedPriceIn, own_id: int | None
) -> None:
    # The account row is locked first, so two sessions agreeing prices for it take turns and
    # cannot both find no overlap (SQLite's write transactions take turns anyway).
    uow.session.execute(select(Account.id).where(Account.id == account.id).with_for_update())
    statement = select(AgreedPrice).where(
        AgreedPrice.account_id == account.id,
        AgreedPrice.sku_id == sku.id,
        AgreedPrice.currency == account.currency,
        AgreedPrice.valid_from <= data.valid_until,
        AgreedPrice.valid_until >= data.valid_from,
    )
    if own_id is not None:
        statement = statement.where(AgreedPrice.id != own_id)
    other = uow.session.scalars(statement.order_by(AgreedPrice.valid_from).limit(1)).first()
    if other is not None:
        raise InvalidInput(
            f"{sku.code} already has an agreed price from {_day(other.valid_from)} to "
            f"{_day(other.valid_until)}; the two would overlap.",
            field="valid_from",
        )


# --- views --------------------------------------------------------------------------------------


def terms_text(agreed: AgreedPrice) -> str:
    """ "12.5% off the list price" or "900.00 USD each"."""
    if agreed.discount_pct is not None:
        return f"{_percent(agreed.discount_pct)}% off the list price"
    return f"{format_money(agreed.price_minor or 0, agreed.currency)} each"


def _percent(value: Decimal) -> str:
    text = f"{value.quantize(CENT):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _day(value: date) -> str:
    return f"{value:%d %b %Y}"


def _view_of(uow: UnitOfWork, agreed: AgreedPrice) -> AgreedPriceView:
    code, name = uow.session.execute(
        select(Sku.code, SkuVersion.name)
        .join(SkuVersion, SkuVersion.id == Sku.current_version_id)
        .where(Sku.id == agreed.sku_id)
    ).one()
    return _view(agreed, code, name, uow.now.date())


def _view(agreed: AgreedPrice, code: str, name: str, today: date) -> AgreedPriceView:
    if agreed.valid_until < today:
        state = "ended"
    elif agreed.valid_from > today:
        state = "upcoming"
    else:
        state = "current"
    return AgreedPriceView(
        id=agreed.id,
        account_id=agreed.account_id,
        sku_id=agreed.sku_id,
        sku_code=code,
        sku_name=name,
        currency=agreed.currency,
        discount_pct=None if agreed.discount_pct is None else agreed.discount_pct.quantize(CENT),
        price_minor=agreed.price_minor,
        terms=terms_text(agreed),
        valid_from=agreed.valid_from,
        valid_until=agreed.valid_until,
        state=state,
        note=agreed.note,
        version=agreed.version,
    )
