"""The quote builder: catalogue lines, locked content, the starter pack, the SOW, bad input."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from random import Random

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    Quote,
    QuoteLine,
    Sku,
    SkuKind,
    SkuPrice,
    SkuVersion,
)
from acctmgr.services.kernel.context import Context
from acctmgr.services.sales import quote_builder, quotes
from acctmgr.services.sales.quote_builder import CatalogueLineIn, NewQuoteIn, OffCatalogueLineIn
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn
from tests import factories
from tests.quote_support import STARTS, Catalogue, catalogue, new_customer, staff


@pytest.fixture
def shop(admin: Context) -> Catalogue:
    staff(admin)
    return catalogue(admin)


def start(admin: Context, account_id: int, territory: str = "Germany") -> QuoteView:
    return quote_builder.new_quote(
        admin.as_user("ae"),
        NewQuoteIn(account_id=account_id, starts_on=STARTS, territory=territory),
    )


def add(admin: Context, quote: QuoteView, sku_id: int, qty: int = 1, disc: str = "0") -> QuoteView:
    return quote_builder.add_catalogue_line(
        admin.as_user("ae"),
        quote.id,
        quote.version,
        CatalogueLineIn(sku_id=sku_id, quantity=qty, discount_pct=Decimal(disc)),
    )


def stored_lines(admin: Context, quote_id: int) -> list[QuoteLine]:
    with admin.database.read_session() as session:
        return list(
            session.scalars(
                select(QuoteLine).where(QuoteLine.quote_id == quote_id).order_by(QuoteLine.position)
            )
        )


@pytest.mark.usefixtures("shop")
def test_a_new_customer_s_first_quote_starts_with_the_starter_pack(admin: Context) -> None:
    """A new customer's first quote starts with the starter pack; the next starts empty."""
    account = new_customer(admin)
    first = start(admin, account)
    assert [(line.sku_code, line.quantity) for line in first.lines] == [
        ("WORKSHOP", 1),
        ("SEATS", 5),
    ]
    assert first.net_total_minor == 2_500_00  # the seats are included at 0
    second = start(admin, account)
    assert second.lines == []  # only the first quote


@pytest.mark.usefixtures("shop")
def test_a_customer_with_a_contract_gets_no_starter_pack(admin: Context) -> None:
    """A customer who has a contract gets no starter pack."""
    account = new_customer(admin)
    factories.contract(admin, account, "CT-0000009", date(2027, 6, 30))
    assert start(admin, account).lines == []


def test_a_catalogue_line_takes_the_current_version_and_its_price_book(
    admin: Context, shop: Catalogue
) -> None:
    """A catalogue line takes the SKU's current version and its list price."""
    quote = add(admin, start(admin, new_customer(admin)), shop.platform, qty=2, disc="10")
    line = quote.lines[-1]
    assert (line.sku_code, line.kind, line.description) == (
        "PLATFORM",
        SkuKind.SUBSCRIPTION,
        "Platform v1",
    )
    assert (line.list_price_minor, line.net_minor) == (1_000_00, 1_800_00)


def test_a_line_keeps_its_sku_version_when_the_catalogue_changes(
    admin: Context, shop: Catalogue
) -> None:
    """An admin's revision makes a new version; the quote keeps the one it was made with."""
    quote = add(admin, start(admin, new_customer(admin)), shop.platform)
    with admin.database.write_session() as session:
        sku = session.get(Sku, shop.platform)
        assert sku is not None
        revised = SkuVersion(
            sku_id=sku.id,
            number=2,
            name="Platform v2",
            kind=SkuKind.SUBSCRIPTION,
            created_at=admin.clock.now(),
        )
        revised.prices = [SkuPrice(currency="USD", list_price_minor=1_100_00)]
        session.add(revised)
        session.flush()
        sku.current_version_id = revised.id
        session.commit()
    again = quotes.get_quote(admin.as_user("ae"), quote.id)
    assert again.lines[-1].description == "Platform v1"
    later = add(admin, again, shop.platform)
    assert [line.description for line in later.lines[-2:]] == ["Platform v1", "Platform v2"]


def test_a_retired_sku_cannot_be_sold_and_nothing_is_saved(admin: Context, shop: Catalogue) -> None:
    """A retired SKU cannot be added, and the quote is left as it was."""
    quote = start(admin, new_customer(admin))
    with pytest.raises(InvalidInput, match=r"^SKU OLDPLAN was retired on .* no longer be sold\.$"):
        add(admin, quote, shop.retired)
    assert quotes.get_quote(admin.as_user("ae"), quote.id).version == quote.version


def test_an_included_item_is_priced_zero_whatever_discount_is_typed(
    admin: Context, shop: Catalogue
) -> None:
    """An included item is priced 0 whatever discount is typed."""
    quote = add(admin, start(admin, new_customer(admin)), shop.seats, qty=3, disc="40")
    line = quote.lines[-1]
    assert (line.list_price_minor, line.discount_pct, line.net_minor) == (0, Decimal(0), 0)


def test_a_service_must_be_consumed_within_its_months_of_the_start(
    admin: Context, shop: Catalogue
) -> None:
    """A service is consumed within its months of the start, and its deadline moves with it."""
    ae = admin.as_user("ae")
    quote = add(admin, start(admin, new_customer(admin, complete=False)), shop.onsite)
    assert quote.lines[-1].consume_by == date(2027, 6, 30)  # six months from 1 Jan 2027
    edit = QuoteEdit(
        lines=[QuoteLineIn(line_id=line.id, quantity=1, discount_pct=0) for line in quote.lines],
        starts_on=date(2027, 3, 1),
    )
    moved = quotes.update_quote(ae, quote.id, quote.version, edit)
    assert moved.lines[-1].consume_by == date(2027, 8, 31)
    assert stored_lines(admin, quote.id)[-1].consume_by == date(2027, 8, 31)


def test_the_statement_of_work_goes_on_service_lines_only(admin: Context, shop: Catalogue) -> None:
    """Pre-sales write a statement of work on service lines only, of 4,000 characters at most."""
    quote = add(admin, start(admin, new_customer(admin)), shop.platform)
    workshop, platform = quote.lines[0], quote.lines[-1]
    presales = admin.as_user("presales")
    with pytest.raises(InvalidInput, match="service lines"):
        quote_builder.write_statement_of_work(
            presales, quote.id, quote.version, platform.id, "Configure dashboards"
        )
    written = quote_builder.write_statement_of_work(
        presales, quote.id, quote.version, workshop.id, "Two days on journey analysis."
    )
    assert written.lines[0].statement_of_work == "Two days on journey analysis."
    assert stored_lines(admin, quote.id)[0].statement_of_work == "Two days on journey analysis."
    with pytest.raises(PermissionDenied):
        quote_builder.write_statement_of_work(
            admin.as_user("cms"), quote.id, written.version, workshop.id, "Mine"
        )
    with pytest.raises(InvalidInput, match="at most 4,000 characters"):
        quote_builder.write_statement_of_work(
            presales, quote.id, written.version, workshop.id, "x" * 4001
        )


def test_a_statement_of_work_keeps_its_lines_and_refuses_escape_codes(
    admin: Context, shop: Catalogue
) -> None:
    """A statement of work is free text: line breaks are kept, NUL and ESC are refused."""
    quote = add(admin, start(admin, new_customer(admin)), shop.platform)
    workshop = quote.lines[0]
    presales = admin.as_user("presales")
    for hostile in ("Day one\x00", "Day one\x1b[2J"):
        with pytest.raises(InvalidInput, match="statement of work cannot contain control"):
            quote_builder.write_statement_of_work(
                presales, quote.id, quote.version, workshop.id, hostile
            )
    assert stored_lines(admin, quote.id)[0].statement_of_work == ""
    written = quote_builder.write_statement_of_work(
        presales, quote.id, quote.version, workshop.id, "Day one:\r\n\tjourneys"
    )
    assert stored_lines(admin, quote.id)[0].statement_of_work == "Day one:\n\tjourneys"
    assert written.lines[0].statement_of_work == "Day one:\n\tjourneys"


@pytest.mark.usefixtures("shop")
def test_an_off_catalogue_item_is_added_as_an_exception(admin: Context) -> None:
    """An item outside the catalogue is added as an exception for Customer Success."""
    quote = quote_builder.add_off_catalogue_line(
        admin.as_user("ae"),
        (q := start(admin, new_customer(admin))).id,
        q.version,
        OffCatalogueLineIn(description="Custom connector", list_price="1,500", quantity=1),
    )
    line = quote.lines[-1]
    assert (line.on_catalogue, line.sku_code, line.kind) == (False, None, None)
    assert line.net_minor == 1_500_00
    assert [need.rule for need in quote.approvals_needed] == [
        "Items outside the catalogue need Customer Success"
    ]


@pytest.mark.parametrize(
    ("field", "value", "sentence"),
    [
        ("quantity", "-2", "a quantity is a whole number from 1 to 1,000,000"),
        ("quantity", "two", "a quantity is a whole number such as 1 or 12"),
        ("discount_pct", "100.5", "a discount is between 0% and 100%"),
        ("discount_pct", "12.345", "a discount has at most two decimals"),
        ("discount_pct", "ten", "a discount is a number such as 10 or 12.5"),
    ],
)
def test_bad_numbers_on_a_line_are_refused_with_a_sentence(
    field: str, value: str, sentence: str
) -> None:
    """Bad numbers on a new or edited line are refused with a sentence."""
    values = {"sku_id": 1, "quantity": "1", "discount_pct": "0", field: value}
    with pytest.raises(ValidationError, match=sentence):
        CatalogueLineIn.model_validate(values)
    with pytest.raises(ValidationError, match=sentence):
        QuoteLineIn.model_validate({**values, "line_id": 1})


@pytest.mark.usefixtures("shop")
def test_an_off_catalogue_item_needs_a_description_and_a_price(admin: Context) -> None:
    """An item outside the catalogue needs a description and a price that is a number."""
    quote = start(admin, new_customer(admin))
    with pytest.raises(ValidationError, match="say what the item is"):
        OffCatalogueLineIn(description="  ", list_price="10")
    with pytest.raises(InvalidInput, match="A list price is a number"):
        quote_builder.add_off_catalogue_line(
            admin.as_user("ae"),
            quote.id,
            quote.version,
            OffCatalogueLineIn(description="Connector", list_price="lots"),
        )
    assert len(stored_lines(admin, quote.id)) == 2  # the starter pack only


@pytest.mark.usefixtures("shop")
def test_only_sellers_in_the_segment_start_quotes(admin: Context) -> None:
    """Only a seller of the account's segment starts a quote, and not in the past."""
    account = new_customer(admin)
    with pytest.raises(PermissionDenied):
        quote_builder.new_quote(
            admin.as_user("finance"), NewQuoteIn(account_id=account, starts_on=STARTS)
        )
    with pytest.raises(PermissionDenied):
        quote_builder.new_quote(
            admin.as_user("ae2"), NewQuoteIn(account_id=account, starts_on=STARTS)
        )
    with pytest.raises(InvalidInput, match="cannot start in the past"):
        quote_builder.new_quote(
            admin.as_user("ae"),
            NewQuoteIn(account_id=account, starts_on=admin.clock.now().date() - timedelta(days=1)),
        )


def test_totals_are_exact_over_many_random_quotes(admin: Context, shop: Catalogue) -> None:
    """Each line rounds once, half away from zero, to the cent; totals are sums of lines."""
    rng = Random(5)
    ae = admin.as_user("ae")
    quote = start(admin, new_customer(admin))
    skus = [shop.platform, shop.workshop, shop.pageviews, shop.onsite]
    for _ in range(6):
        quote = add(admin, quote, rng.choice(skus))
    for _ in range(40):
        edit = QuoteEdit(
            lines=[
                QuoteLineIn(
                    line_id=line.id,
                    quantity=rng.randint(1, 999),
                    discount_pct=Decimal(rng.randint(0, 10_000)) / 100,
                )
                for line in quote.lines
            ],
            starts_on=STARTS,
        )
        quote = quotes.update_quote(ae, quote.id, quote.version, edit)
        expected = []
        for item, line in zip(edit.lines, quote.lines, strict=True):
            exact = Decimal(line.list_price_minor) * item.quantity * (100 - item.discount_pct)
            expected.append(int((exact / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
            if line.kind is SkuKind.INCLUDED:
                expected[-1] = 0
        assert [line.net_minor for line in quote.lines] == expected
        assert quote.net_total_minor == sum(expected)
        assert quote.list_total_minor == sum(
            line.list_price_minor * line.quantity for line in quote.lines
        )
    with admin.database.read_session() as session:
        stored = session.get(Quote, quote.id)
        assert stored is not None
        assert stored.net_total_minor == quote.net_total_minor


@pytest.mark.usefixtures("shop")
def test_half_a_cent_rounds_away_from_zero(admin: Context) -> None:
    """Half a cent rounds away from zero."""
    quote = quote_builder.add_off_catalogue_line(
        admin.as_user("ae"),
        (q := start(admin, new_customer(admin))).id,
        q.version,
        OffCatalogueLineIn(description="Odd", list_price="3.33", discount_pct=Decimal(50)),
    )
    assert quote.lines[-1].net_minor == 167  # 166.5 cents


@pytest.mark.usefixtures("shop")
def test_the_territory_is_required_before_submitting(admin: Context) -> None:
    """A quote with no territory of use is not submitted; the territory field is named."""
    ae = admin.as_user("ae")
    quote = start(admin, new_customer(admin), territory="")
    assert quote.territory == "DE"  # the account's territory ("Germany"), when none is typed
    edit = QuoteEdit(
        lines=[QuoteLineIn(line_id=line.id, quantity=1, discount_pct=0) for line in quote.lines],
        starts_on=STARTS,
        territory="  ",
    )
    quote = quotes.update_quote(ae, quote.id, quote.version, edit)
    with pytest.raises(InvalidInput, match="Set the territory of use") as refused:
        quote_builder.submit_quote(ae, quote.id, quote.version)
    assert refused.value.field == "territory"
    assert quotes.get_quote(ae, quote.id).status.value == "draft"
