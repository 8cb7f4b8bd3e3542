"""An account's own packages: saved from a quote, listed for the account, kept out of the
catalogue's list and of the starter pack."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import Package
from acctmgr.services.catalogue import packages
from acctmgr.services.kernel.context import Context
from acctmgr.services.sales import account_packages, quote_builder
from acctmgr.services.sales.quote_builder import CatalogueLineIn, NewQuoteIn, OffCatalogueLineIn
from acctmgr.services.sales.quote_views import QuoteView
from tests.agreed_price_support import key_account_manager
from tests.quote_support import STARTS, Catalogue, catalogue, new_customer, staff


@dataclass(frozen=True)
class Offering:
    account_id: int
    shop: Catalogue
    quote: QuoteView  # the starter pack's workshop and seats, two platforms, one exception


@pytest.fixture
def offering(admin: Context) -> Offering:
    staff(admin)
    shop = catalogue(admin)
    account = new_customer(admin)
    key_account_manager(admin, account)
    ae = admin.as_user("ae")
    quote = quote_builder.new_quote(
        ae, NewQuoteIn(account_id=account, starts_on=STARTS, territory="Germany")
    )
    for sku in (shop.platform, shop.platform):
        quote = quote_builder.add_catalogue_line(
            ae, quote.id, quote.version, CatalogueLineIn(sku_id=sku, quantity=2)
        )
    quote = quote_builder.add_off_catalogue_line(
        ae,
        quote.id,
        quote.version,
        OffCatalogueLineIn(description="Connector", list_price="100", discount_pct=Decimal(0)),
    )
    return Offering(account, shop, quote)


def test_a_quote_s_catalogue_lines_are_saved_as_the_account_s_package(
    admin: Context, offering: Offering
) -> None:
    """The catalogue lines become the package's items (a SKU once, its quantities added), with
    a code of its own; the exception is no SKU and stays out."""
    saved = account_packages.save_from_quote(
        admin.as_user("kam"), offering.quote.id, "  Nova's yearly bundle "
    )
    assert saved.name == "Nova's yearly bundle"
    assert saved.code == f"ACC{offering.account_id}-1"
    assert [(item.sku_code, item.quantity) for item in saved.items] == [
        ("WORKSHOP", 1),
        ("SEATS", 5),
        ("PLATFORM", 4),
    ]
    again = account_packages.save_from_quote(admin.as_user("ae"), offering.quote.id, "Second")
    assert again.code == f"ACC{offering.account_id}-2"
    listed = account_packages.list_account_packages(admin.as_user("cms"), offering.account_id)
    assert [package.code for package in listed] == [again.code, saved.code]


def test_account_packages_stay_out_of_the_catalogue_and_the_starter_pack(
    admin: Context, offering: Offering
) -> None:
    """The catalogue's package list does not show an account's package, and one marked as the
    starter pack is never taken for it."""
    saved = account_packages.save_from_quote(admin.as_user("kam"), offering.quote.id, "Own")
    assert [package.code for package in packages.list_packages(admin)] == ["STARTER"]
    with admin.database.write_session() as session:
        for package in session.scalars(select(Package)):
            package.is_starter_pack = package.id == saved.id
        session.commit()
    newcomer = new_customer(admin, "Fresh Ltd")
    first = quote_builder.new_quote(
        admin.as_user("ae"), NewQuoteIn(account_id=newcomer, starts_on=STARTS, territory="DE")
    )
    assert first.lines == []  # no catalogue starter pack left, and the account's is not one


def test_who_may_save_an_account_package(admin: Context, offering: Offering) -> None:
    """The account's KAM and owner, a Segment Leader of its segment and an Admin save packages;
    a CMS, another segment's AE and Finance are refused, and the other segment cannot list.
    One test for every login: the offering takes a second to make."""
    for login in ("kam", "ae", "leader", "admin"):
        saved = account_packages.save_from_quote(admin.as_user(login), offering.quote.id, "Mine")
        assert saved.items, login
    for login in ("cms", "ae2", "finance"):
        with pytest.raises(PermissionDenied):
            account_packages.save_from_quote(admin.as_user(login), offering.quote.id, "Mine")
    with pytest.raises(PermissionDenied):
        account_packages.list_account_packages(admin.as_user("ae2"), offering.account_id)


def test_a_package_needs_a_name_and_catalogue_lines(admin: Context, offering: Offering) -> None:
    """An empty name, or a quote with nothing from the catalogue, is refused with a sentence."""
    with pytest.raises(InvalidInput, match="Give the package a name") as refused:
        account_packages.save_from_quote(admin, offering.quote.id, "   ")
    assert refused.value.field == "name"
    other = new_customer(admin, "Empty AG")
    ae = admin.as_user("ae")
    empty = quote_builder.new_quote(
        ae, NewQuoteIn(account_id=other, starts_on=STARTS, territory="DE")
    )
    empty = quote_builder.new_quote(  # the second quote starts without the starter pack
        ae, NewQuoteIn(account_id=other, starts_on=STARTS, territory="DE")
    )
    with pytest.raises(InvalidInput, match="no catalogue lines"):
        account_packages.save_from_quote(admin, empty.id, "Nothing")
    assert account_packages.list_account_packages(admin, other) == []
