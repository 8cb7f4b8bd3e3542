"""Money limits: every amount, line and quote total stays within what the database keeps."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from acctmgr.errors import InvalidInput
from acctmgr.models import Quote, QuoteLine, Sku
from acctmgr.services.catalogue import skus
from acctmgr.services.catalogue.inputs import sku_input
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.money import MAX_MINOR, check_amount, format_money, line_net
from acctmgr.services.retention.inputs import PlaceholderIn, ReviewIn
from acctmgr.services.sales import quote_builder, quotes
from acctmgr.services.sales.quote_builder import NewQuoteIn, OffCatalogueLineIn
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn
from tests.quote_support import STARTS, Catalogue, catalogue, new_customer, staff

LIMIT = r"at most 20,000,000.00"


@pytest.fixture
def shop(admin: Context) -> Catalogue:
    staff(admin)
    return catalogue(admin)


def start(admin: Context) -> QuoteView:
    return quote_builder.new_quote(
        admin.as_user("ae"),
        NewQuoteIn(account_id=new_customer(admin), starts_on=STARTS, territory="Germany"),
    )


def outside(admin: Context, quote: QuoteView, price: str, quantity: int = 1) -> QuoteView:
    return quote_builder.add_off_catalogue_line(
        admin.as_user("ae"),
        quote.id,
        quote.version,
        OffCatalogueLineIn(description="Connector", list_price=price, quantity=quantity),
    )


def stored(admin: Context, quote_id: int) -> tuple[int, int, int]:
    """The quote's line count, list total and net total as stored."""
    with admin.database.read_session() as session:
        quote = session.get(Quote, quote_id)
        assert quote is not None
        lines = session.scalars(select(QuoteLine).where(QuoteLine.quote_id == quote_id)).all()
        return len(lines), quote.list_total_minor, quote.net_total_minor


def test_the_limit_fits_every_money_column() -> None:
    """The limit fits a 32-bit SQL INTEGER, PostgreSQL's money columns."""
    assert MAX_MINOR < 2**31
    assert check_amount(MAX_MINOR, field="x") == MAX_MINOR
    with pytest.raises(InvalidInput, match=LIMIT):
        check_amount(MAX_MINOR + 1, field="x")
    with pytest.raises(InvalidInput, match=LIMIT):
        check_amount(-MAX_MINOR - 1, field="x")
    with pytest.raises(InvalidInput, match=LIMIT) as refused:
        line_net(MAX_MINOR, 2, Decimal(60))
    assert refused.value.field == "quantity"
    assert format_money(MAX_MINOR, "USD") == "20,000,000.00 USD"


@pytest.mark.usefixtures("shop")
@pytest.mark.parametrize(
    ("price", "quantity", "field"),
    [
        ("99999999999999999999", 1, "list_price"),
        ("9000000000000", 1_000_000, "list_price"),
        ("10,000,000", 3, "quantity"),  # each within the limit, the line not
    ],
)
def test_an_item_outside_the_catalogue_past_the_limit_is_refused(
    admin: Context, price: str, quantity: int, field: str
) -> None:
    """A price, or a price times quantity, past the limit is refused beside its field."""
    quote = start(admin)
    before = stored(admin, quote.id)
    with pytest.raises(InvalidInput, match=LIMIT) as refused:
        outside(admin, quote, price, quantity)
    assert refused.value.field == field
    assert stored(admin, quote.id) == before


@pytest.mark.usefixtures("shop")
def test_a_quote_whose_total_would_pass_the_limit_is_refused(admin: Context) -> None:
    """Lines each within the limit are refused when the quote's total would pass it."""
    quote = outside(admin, start(admin), "15,000,000")
    before = stored(admin, quote.id)
    with pytest.raises(InvalidInput, match=r"The quote would total more than 20,000,000.00"):
        outside(admin, quote, "15,000,000")
    assert stored(admin, quote.id) == before


@pytest.mark.usefixtures("shop")
def test_an_edited_quantity_past_the_limit_is_refused_and_previewed_as_such(
    admin: Context,
) -> None:
    """A quantity that takes a line past the limit is refused, in the preview and on saving."""
    quote = outside(admin, start(admin), "19,000,000")
    big = quote.lines[-1]
    edit = QuoteEdit(
        lines=[
            QuoteLineIn(
                line_id=line.id,
                quantity=2 if line.id == big.id else line.quantity,
                discount_pct=Decimal(50) if line.id == big.id else line.discount_pct,
            )
            for line in quote.lines
        ],
        starts_on=STARTS,
    )
    with pytest.raises(InvalidInput, match=LIMIT):
        quotes.preview_quote(admin.as_user("ae"), quote.id, edit)
    before = stored(admin, quote.id)
    with pytest.raises(InvalidInput, match=LIMIT):
        quotes.update_quote(admin.as_user("ae"), quote.id, quote.version, edit)
    assert stored(admin, quote.id) == before


def test_a_sku_price_past_the_limit_is_refused() -> None:
    """An admin's SKU price or overage price past the limit is refused beside the prices."""
    values = {"code": "BIG", "name": "Big", "kind": "one-off"}
    with pytest.raises(InvalidInput, match=r"The price in USD is at most 20,000,000.00") as refused:
        sku_input({**values, "prices": "USD 99999999999999999999"})
    assert refused.value.field == "prices"
    with pytest.raises(InvalidInput, match="The price in USD is at most"):
        sku_input({**values, "prices": {"USD": MAX_MINOR + 1}})
    usage = {**values, "kind": "usage", "included_volume": "1000", "prices": "USD 1"}
    with pytest.raises(InvalidInput, match=r"at most 20,000,000.00") as refused:
        sku_input({**usage, "tiers": "USD 1000 99999999999999999999"})
    assert refused.value.field == "tiers"


def test_a_huge_sku_price_is_not_stored(admin: Context) -> None:
    """A SKU priced past the limit never reaches the database."""
    with pytest.raises(InvalidInput):
        skus.create_sku(
            admin,
            sku_input({"code": "BIG", "name": "Big", "kind": "one-off", "prices": "USD 1e20"}),
        )
    with admin.database.read_session() as session:
        assert session.scalars(select(Sku).where(Sku.code == "BIG")).first() is None


def test_retention_figures_past_the_limit_are_refused() -> None:
    """The estimated and confirmed reductions are refused past the limit, in our words."""
    with pytest.raises(ValidationError, match=r"(?i)the estimated reduction is at most"):
        PlaceholderIn(estimated_reduction_minor=10**20)
    with pytest.raises(ValidationError, match=r"(?i)the confirmed reduction is at most"):
        ReviewIn(confirmed_reduction_minor=-(10**20))
