"""Prices agreed with a key account: who may, the bounds, no overlap, and their application to
new quote lines as a discount or a price of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from acctmgr.clock import AdjustableClock
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import AgreedPrice
from acctmgr.services.kernel.context import Context
from acctmgr.services.sales import agreed_prices, quote_builder, quotes
from acctmgr.services.sales.agreed_prices import AgreedPriceIn, AgreedPriceView
from acctmgr.services.sales.quote_builder import CatalogueLineIn, NewQuoteIn
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn
from tests import factories
from tests.agreed_price_support import key_account_manager
from tests.quote_support import STARTS, Catalogue, catalogue, new_customer, staff

YEAR_END = date(2027, 12, 31)


@dataclass(frozen=True)
class KeyAccount:
    account_id: int
    shop: Catalogue
    kam: Context


@pytest.fixture
def key(admin: Context) -> KeyAccount:
    """Nova (Small business, USD) with the small catalogue, a first quote already made (so the
    next starts empty) and its Key Account Manager."""
    staff(admin)
    shop = catalogue(admin)
    account = new_customer(admin)
    start(admin, account)
    return KeyAccount(account, shop, key_account_manager(admin, account))


def agree(
    context: Context,
    account_id: int,
    sku: str = "PLATFORM",
    *,
    discount: str = "",
    price: str = "",
    valid_from: date = STARTS,
    valid_until: date = YEAR_END,
    note: str = "",
) -> AgreedPriceView:
    return agreed_prices.save_agreed_price(
        context,
        account_id,
        AgreedPriceIn(
            sku_code=sku,
            discount_pct=discount,
            price=price,
            valid_from=valid_from,
            valid_until=valid_until,
            note=note,
        ),
    )


def start(admin: Context, account_id: int, starts_on: date = STARTS) -> QuoteView:
    return quote_builder.new_quote(
        admin.as_user("ae"),
        NewQuoteIn(account_id=account_id, starts_on=starts_on, territory="Germany"),
    )


def add(admin: Context, quote: QuoteView, sku_id: int, discount: str | None = None) -> QuoteView:
    line = CatalogueLineIn(sku_id=sku_id)
    if discount is not None:
        line = CatalogueLineIn(sku_id=sku_id, discount_pct=Decimal(discount))
    return quote_builder.add_catalogue_line(admin.as_user("ae"), quote.id, quote.version, line)


# --- who may --------------------------------------------------------------------------------


def test_the_kam_a_segment_leader_and_an_admin_may_agree_prices(
    admin: Context, key: KeyAccount
) -> None:
    """The account's KAM, a Segment Leader of its segment and an Admin agree prices."""
    by_kam = agree(key.kam, key.account_id, discount="10", valid_until=date(2027, 3, 31))
    by_leader = agree(
        admin.as_user("leader"),
        key.account_id,
        discount="12",
        valid_from=date(2027, 4, 1),
        valid_until=date(2027, 6, 30),
    )
    by_admin = agree(admin, key.account_id, "WORKSHOP", price="2,000.00")
    assert by_kam.terms == "10% off the list price"
    assert by_kam.currency == "USD"
    assert by_leader.discount_pct == Decimal("12.00")
    assert by_admin.price_minor == 2_000_00
    assert by_admin.terms == "2,000.00 USD each"


def test_others_may_not_agree_prices(admin: Context, key: KeyAccount) -> None:
    """The owner AE, a CMS, another segment and another account's KAM are refused (one test
    for them all: the key account takes a second to make)."""
    elsewhere = new_customer(admin, "Other GmbH")
    key_account_manager(admin, elsewhere, "other_kam")
    agreed = agree(key.kam, key.account_id, discount="10")
    for login in ("ae", "cms", "ae2", "other_kam"):
        with pytest.raises(PermissionDenied):
            agree(admin.as_user(login), key.account_id, sku="WORKSHOP", discount="10")
        with pytest.raises(PermissionDenied):
            agreed_prices.end_agreed_price(admin.as_user(login), agreed.id, agreed.version)


def test_the_segment_reads_agreed_prices_and_another_segment_is_refused(
    admin: Context, key: KeyAccount
) -> None:
    """Anyone of the account's segment reads its agreed prices; another segment's user cannot."""
    agree(key.kam, key.account_id, discount="10")
    assert [
        row.sku_code
        for row in agreed_prices.list_agreed_prices(admin.as_user("ae"), key.account_id)
    ] == ["PLATFORM"]
    with pytest.raises(PermissionDenied):
        agreed_prices.list_agreed_prices(admin.as_user("ae2"), key.account_id)


# --- the bounds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "sentence"),
    [
        ({"discount": "0"}, "discount_pct", "more than 0% and at most 100%"),
        ({"discount": "100.01"}, "discount_pct", "more than 0% and at most 100%"),
        ({"discount": "-5"}, "discount_pct", "more than 0% and at most 100%"),
        ({"discount": "12.345"}, "discount_pct", "at most two decimals"),
        ({"discount": "ten"}, "discount_pct", "is a number"),
        ({"price": "-1"}, "price", "cannot be negative"),
        ({"price": "lots"}, "price", "is a number"),
        ({"discount": "10", "price": "900"}, "discount_pct", "not both or neither"),
        ({}, "discount_pct", "not both or neither"),
        ({"discount": "10", "sku": "NOSUCH"}, "sku_code", "There is no SKU NOSUCH"),
        ({"discount": "10", "sku": "OLDPLAN"}, "sku_code", "was retired"),
        ({"discount": "10", "sku": "SEATS"}, "sku_code", "included at no charge"),
        (
            {"discount": "10", "valid_until": date(2026, 12, 31)},
            "valid_until",
            "cannot end before it starts",
        ),
        (
            {"discount": "10", "valid_from": date(2026, 1, 1), "valid_until": date(2026, 11, 22)},
            "valid_until",
            "cannot end in the past",
        ),
    ],
)
def test_bad_agreed_prices_are_refused_beside_their_field(
    key: KeyAccount, fields: dict[str, object], field: str, sentence: str
) -> None:
    """Each bad agreed price is refused with one sentence beside its field; nothing is stored."""
    with pytest.raises(InvalidInput, match=sentence) as refused:
        agree(key.kam, key.account_id, **fields)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert agreed_prices.list_agreed_prices(key.kam, key.account_id) == []


def test_a_discount_of_100_and_a_price_of_0_are_allowed(key: KeyAccount) -> None:
    """The bounds themselves: 100% off, or a price of 0 (given away)."""
    agree(key.kam, key.account_id, discount="100", valid_until=date(2027, 1, 31))
    free = agree(key.kam, key.account_id, "WORKSHOP", price="0")
    assert free.price_minor == 0


# --- no overlap -------------------------------------------------------------------------------


def test_two_agreed_prices_for_one_sku_must_not_overlap(key: KeyAccount) -> None:
    """An agreed price overlapping another for the SKU is refused naming the other's dates;
    one starting the day after the other ends is fine, and so is another SKU."""
    agree(key.kam, key.account_id, discount="10", valid_until=date(2027, 6, 30))
    with pytest.raises(InvalidInput) as refused:
        agree(key.kam, key.account_id, price="900", valid_from=date(2027, 6, 30))
    assert str(refused.value.message) == (
        "PLATFORM already has an agreed price from 01 Jan 2027 to 30 Jun 2027; "
        "the two would overlap."
    )
    assert refused.value.field == "valid_from"
    agree(key.kam, key.account_id, price="900", valid_from=date(2027, 7, 1))
    agree(key.kam, key.account_id, "WORKSHOP", discount="5")
    states = [
        (row.sku_code, row.valid_from, row.state)
        for row in agreed_prices.list_agreed_prices(key.kam, key.account_id)
    ]
    assert states == [
        ("PLATFORM", date(2027, 7, 1), "upcoming"),
        ("PLATFORM", STARTS, "upcoming"),
        ("WORKSHOP", STARTS, "upcoming"),
    ]


def test_an_edit_is_checked_against_the_others_not_itself(key: KeyAccount) -> None:
    """Editing an agreed price keeps it clear of the others, but never of itself; a stale copy
    is a conflict."""
    first = agree(key.kam, key.account_id, discount="10", valid_until=date(2027, 6, 30))
    agree(key.kam, key.account_id, discount="15", valid_from=date(2027, 7, 1))
    edited = agreed_prices.save_agreed_price(
        key.kam,
        key.account_id,
        AgreedPriceIn(
            sku_code="platform", discount_pct="11", valid_from=STARTS, valid_until=date(2027, 6, 1)
        ),
        first.id,
        first.version,
    )
    assert (edited.discount_pct, edited.valid_until) == (Decimal("11.00"), date(2027, 6, 1))
    longer = AgreedPriceIn(
        sku_code="PLATFORM", discount_pct="11", valid_from=STARTS, valid_until=date(2027, 7, 1)
    )
    with pytest.raises(InvalidInput, match="from 01 Jul 2027 to 31 Dec 2027"):
        agreed_prices.save_agreed_price(key.kam, key.account_id, longer, edited.id, edited.version)
    with pytest.raises(Conflict):
        agreed_prices.save_agreed_price(key.kam, key.account_id, longer, first.id, first.version)


# --- ending one ---------------------------------------------------------------------------------


def test_ending_an_agreed_price_makes_today_its_last_day(
    admin: Context, key: KeyAccount, clock: AdjustableClock
) -> None:
    """A current agreed price ended today stays as history; an upcoming one is withdrawn; an
    ended one can neither end again nor change."""
    today = admin.clock.now().date()
    current = agree(key.kam, key.account_id, discount="10", valid_from=today)
    upcoming = agree(key.kam, key.account_id, "WORKSHOP", discount="5")
    ended = agreed_prices.end_agreed_price(key.kam, current.id, current.version)
    assert ended is not None
    assert (ended.valid_until, ended.state) == (today, "current")
    assert agreed_prices.end_agreed_price(key.kam, upcoming.id, upcoming.version) is None
    assert [row.id for row in agreed_prices.list_agreed_prices(key.kam, key.account_id)] == [
        current.id
    ]
    clock.advance(timedelta(days=1))
    with pytest.raises(InvalidInput, match="already ended on"):
        agreed_prices.end_agreed_price(key.kam, ended.id, ended.version)
    again = AgreedPriceIn(
        sku_code="PLATFORM", discount_pct="20", valid_from=today, valid_until=YEAR_END
    )
    with pytest.raises(InvalidInput, match="agree a new one instead"):
        agreed_prices.save_agreed_price(key.kam, key.account_id, again, ended.id, ended.version)


# --- applied to new lines -----------------------------------------------------------------------


def test_an_agreed_discount_is_applied_to_a_new_line(admin: Context, key: KeyAccount) -> None:
    """A line added for a SKU with an agreed discount takes it, its net as the quote computes
    it, and the editor is told the price is an agreed one."""
    agree(key.kam, key.account_id, discount="30")
    quote = add(admin, start(admin, key.account_id), key.shop.platform)
    line = quote.lines[0]
    assert (line.discount_pct, line.net_minor, line.agreed_price) == (
        Decimal("30.00"),
        700_00,
        True,
    )
    assert quote.net_total_minor == 700_00
    workshop = add(admin, quote, key.shop.workshop).lines[1]
    assert (workshop.discount_pct, workshop.agreed_price) == (Decimal(0), False)


@pytest.mark.parametrize(
    ("price", "discount", "net"),
    [
        ("850.00", Decimal("15.00"), 850_00),
        ("333.33", Decimal("66.67"), 333_30),  # the discount rounds to two decimals
        ("1,200.00", Decimal(0), 1_000_00),  # never below 0%: the list price is the most
        ("0", Decimal(100), 0),
    ],
)
def test_an_agreed_price_of_its_own_sets_the_discount_that_yields_it(
    admin: Context, key: KeyAccount, price: str, discount: Decimal, net: int
) -> None:
    """A price of its own becomes the discount from the list price (1,000.00) that gives it,
    rounded as the quote rounds, within 0-100%."""
    agree(key.kam, key.account_id, price=price)
    line = add(admin, start(admin, key.account_id), key.shop.platform).lines[0]
    assert (line.discount_pct, line.net_minor, line.agreed_price) == (discount, net, True)


def test_an_agreed_price_applies_only_within_its_validity(admin: Context, key: KeyAccount) -> None:
    """The price valid on the quote's start applies: not one that ended before, nor one that
    starts after."""
    agree(
        key.kam,
        key.account_id,
        discount="10",
        valid_from=date(2026, 11, 23),
        valid_until=date(2026, 12, 31),
    )
    agree(key.kam, key.account_id, discount="20", valid_from=date(2027, 2, 1))
    january = add(admin, start(admin, key.account_id), key.shop.platform).lines[0]
    assert (january.discount_pct, january.agreed_price) == (Decimal(0), False)
    february = add(admin, start(admin, key.account_id, date(2027, 2, 1)), key.shop.platform)
    assert february.lines[0].discount_pct == Decimal("20.00")
    december = add(admin, start(admin, key.account_id, date(2026, 12, 31)), key.shop.platform)
    assert december.lines[0].discount_pct == Decimal("10.00")


def test_an_agreed_price_in_another_currency_is_not_applied(
    admin: Context, key: KeyAccount
) -> None:
    """An agreed price in a currency the quote is not in (the account's was changed since) is
    not applied."""
    factories.insert(
        admin,
        AgreedPrice(
            account_id=key.account_id,
            sku_id=key.shop.platform,
            currency="EUR",
            discount_pct=Decimal(25),
            valid_from=STARTS,
            valid_until=YEAR_END,
            created_by_id=factories.user_id(admin, "kam"),
            created_at=admin.clock.now(),
            updated_at=admin.clock.now(),
        ),
    )
    line = add(admin, start(admin, key.account_id), key.shop.platform).lines[0]
    assert (line.discount_pct, line.agreed_price) == (Decimal(0), False)


def test_a_discount_the_user_gives_is_kept(admin: Context, key: KeyAccount) -> None:
    """A discount given when the line is added, or typed on it later, is the user's: the agreed
    price is applied when a line is added without one, never forced afterwards."""
    agree(key.kam, key.account_id, discount="30")
    quote = start(admin, key.account_id)
    given = add(admin, quote, key.shop.platform, discount="5")
    assert (given.lines[0].discount_pct, given.lines[0].agreed_price) == (Decimal(5), False)
    quote = add(admin, given, key.shop.workshop)
    quote = quotes.update_quote(
        admin.as_user("ae"),
        quote.id,
        quote.version,
        QuoteEdit(
            lines=[
                QuoteLineIn(line_id=line.id, quantity=1, discount_pct=Decimal(10))
                for line in quote.lines
            ],
            starts_on=STARTS,
        ),
    )
    quote = add(admin, quote, key.shop.onsite)
    assert [(line.sku_code, line.discount_pct) for line in quote.lines] == [
        ("PLATFORM", Decimal(10)),
        ("WORKSHOP", Decimal(10)),
        ("ONSITE", Decimal(0)),
    ]
    assert [line.agreed_price for line in quote.lines] == [False, False, False]


@pytest.mark.usefixtures("key")
def test_the_starter_pack_takes_the_agreed_prices(admin: Context) -> None:
    """A new customer's first quote starts with the starter pack at the prices agreed with it."""
    newcomer = new_customer(admin, "Fresh Ltd")
    kam = key_account_manager(admin, newcomer, "kam2")
    agree(kam, newcomer, "WORKSHOP", price="2,000.00")
    first = start(admin, newcomer)
    workshop = next(line for line in first.lines if line.sku_code == "WORKSHOP")
    assert (workshop.discount_pct, workshop.net_minor, workshop.agreed_price) == (
        Decimal("20.00"),
        2_000_00,
        True,
    )


def test_an_agreed_discount_still_needs_the_approvals_of_its_size(
    admin: Context, key: KeyAccount
) -> None:
    """An agreed 35% off needs Finance, as any discount above 30% does: agreeing a price does
    not approve it."""
    agree(key.kam, key.account_id, discount="35")
    quote = add(admin, start(admin, key.account_id), key.shop.platform)
    assert [(need.approver, need.names) for need in quote.approvals_needed] == [
        ("Finance", ["Fin Ance"])
    ]
