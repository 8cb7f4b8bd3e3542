"""The territory of use of quotes, POs and contracts: a code from the list, counted by SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from acctmgr.errors import InvalidInput
from acctmgr.models import Account, Quote
from acctmgr.services.accounts import billing_details
from acctmgr.services.kernel.context import Context
from acctmgr.services.sales import quote_builder, quotes
from acctmgr.services.sales.quote_builder import NewQuoteIn
from acctmgr.services.sales.quote_views import QuoteView
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn
from tests.quote_support import STARTS, Catalogue, catalogue, new_customer, staff

MARS = "Mars 🚀 [blink]colony[/]"


@pytest.fixture
def shop(admin: Context) -> Catalogue:
    staff(admin)
    return catalogue(admin)


def start(admin: Context, territory: str, account_id: int | None = None) -> QuoteView:
    return quote_builder.new_quote(
        admin.as_user("ae"),
        NewQuoteIn(
            account_id=account_id or new_customer(admin), starts_on=STARTS, territory=territory
        ),
    )


def edit_territory(admin: Context, quote: QuoteView, territory: str) -> QuoteView:
    edit = QuoteEdit(
        lines=[
            QuoteLineIn(line_id=line.id, quantity=line.quantity, discount_pct=line.discount_pct)
            for line in quote.lines
        ],
        starts_on=STARTS,
        territory=territory,
    )
    return quotes.update_quote(admin.as_user("ae"), quote.id, quote.version, edit)


@pytest.mark.usefixtures("shop")
@pytest.mark.parametrize("typed", ["germany", "de", "Deutschland", "DEUTSCHLAND"])
def test_a_quote_stores_the_code_of_the_territory_typed(admin: Context, typed: str) -> None:
    """A name (English or the account's de_DE) or a code, in any case, is stored as its code
    and shown by the account's locale's name."""
    quote = start(admin, typed)
    assert (quote.territory, quote.territory_name) == ("DE", "Deutschland")
    with admin.database.read_session() as session:
        assert session.get(Quote, quote.id).territory == "DE"  # type: ignore[union-attr]


@pytest.mark.usefixtures("shop")
def test_a_territory_not_on_the_list_is_refused_and_nothing_changes(admin: Context) -> None:
    """What names no country or region is refused beside the field, on a new quote and on an
    edit; the quote keeps the territory it had."""
    with pytest.raises(InvalidInput, match="Pick the territory from the list") as refused:
        start(admin, MARS)
    assert refused.value.field == "territory"
    quote = start(admin, "EU", new_customer(admin, "Other GmbH"))
    with pytest.raises(InvalidInput, match="'Mars") as refused:
        edit_territory(admin, quote, MARS)
    assert refused.value.field == "territory"
    assert quotes.get_quote(admin.as_user("ae"), quote.id).territory == "EU"


@pytest.mark.usefixtures("shop")
def test_an_edit_picks_a_region_by_its_name(admin: Context) -> None:
    """A region is picked by its name too, and stored as its code."""
    quote = edit_territory(admin, start(admin, "DE"), "dach")
    assert quote.territory == "DACH"
    assert quote.territory_name == "DACH (Deutschland, Österreich, Schweiz)"


@pytest.mark.usefixtures("shop")
def test_without_a_territory_typed_the_account_billing_country_is_taken(admin: Context) -> None:
    """Left empty, a quote takes the account's territory when it names one, else the country
    the account is billed in (a sales territory such as "US East" names none)."""
    account_id = new_customer(admin)
    with admin.database.write_session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        account.territory = "Sales region East"
        session.commit()
    assert start(admin, "", account_id).territory == "DE"  # billed in Berlin, DE


@pytest.mark.usefixtures("shop")
def test_territories_are_codes_a_group_by_counts(admin: Context) -> None:
    """Quotes typed "Germany", "de" and "Austria" count as two DE and one AT."""
    for name, typed in (("A GmbH", "Germany"), ("B GmbH", "de"), ("C GmbH", "Austria")):
        start(admin, typed, new_customer(admin, name))
    with admin.database.read_session() as session:
        counted = session.execute(
            select(Quote.territory, func.count()).group_by(Quote.territory)
        ).all()
    assert dict(counted) == {"AT": 1, "DE": 2}


@pytest.mark.usefixtures("shop")
def test_a_territory_written_before_the_list_stops_the_document(admin: Context) -> None:
    """A row holding free text (written by another program, say) is not sent: the check before
    a PO or contract goes out names the territory."""
    found = billing_details.sending_problems(admin, new_customer(admin), MARS)
    assert found == [("territory", "the territory of use is not one from the list")]
    assert billing_details.sending_problems(admin, new_customer(admin, "B GmbH"), "AT") == []


def test_a_quote_without_lines_takes_a_new_territory_and_one_with_lines_keeps_a_line(
    admin: Context,
) -> None:
    """Its date and territory are a quote's before its first line (they were dropped, and the
    screen said "Quote saved."); an edit cannot take a quote's last line away."""
    staff(admin)
    empty = start(admin, "DE")
    assert empty.lines == []
    moved = edit_territory(admin, empty, "Austria")
    assert (moved.territory, moved.version) == ("AT", empty.version + 1)

    catalogue(admin)
    lined = start(admin, "DE")
    assert lined.lines
    with pytest.raises(InvalidInput, match="keeps at least one line"):
        quotes.update_quote(
            admin.as_user("ae"),
            lined.id,
            lined.version,
            QuoteEdit(lines=[], starts_on=STARTS, territory="AT"),
        )
    assert quotes.get_quote(admin, lined.id).territory == "DE"
