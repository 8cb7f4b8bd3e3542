"""The catalogue: locked SKU versions, retiring, search, packages and the starter pack."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select

from acctmgr.domain.records import RecordType
from acctmgr.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from acctmgr.models import (
    Package,
    Quote,
    QuoteLine,
    QuoteStatus,
    Sku,
    SkuKind,
    SkuVersion,
    Subscription,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.services.accounts import records as account_service
from acctmgr.services.catalogue import browsing, form_text, inputs, packages
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.catalogue.browsing import SkuView
from acctmgr.services.catalogue.inputs import PackageIn, SkuIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import UnitOfWork, run_use_case
from tests.factories import insert, user_id

R = TypeVar("R")


def _sku_in(code: str = "SRV-WS", **fields: Any) -> SkuIn:
    values: dict[str, Any] = {
        "code": code,
        "name": "Analytics Workshop",
        "kind": SkuKind.SERVICE,
        "description": "A remote half-day workshop on one business question.",
        "contents": "1 workshop",
        "consumption_months": 12,
        "prices": {"USD": 150_000, "EUR": 138_000},
    }
    values.update(fields)
    return SkuIn.model_validate(values)


def _usage_in(code: str = "PV-500K", **fields: Any) -> SkuIn:
    values: dict[str, Any] = {
        "kind": SkuKind.USAGE,
        "name": "Page views, 500,000 a month",
        "consumption_months": None,
        "included_volume": 500_000,
        "prices": "USD 6,000",
        "tiers": "USD 1000000 0.01; USD 500000 0.02",
    }
    values.update(fields)
    return _sku_in(code, **values)


def _in_transaction(context: Context, fn: Callable[[UnitOfWork], R]) -> R:
    """Run a plain helper inside a read transaction, as another use case would."""
    return run_use_case(context, "test.helper", False, True, fn)


def _package(code: str, items: list[tuple[str, int]], *, starter: bool = False) -> PackageIn:
    return PackageIn.model_validate(
        {"code": code, "name": f"{code} bundle", "items": items, "is_starter_pack": starter}
    )


# --- versions -----------------------------------------------------------------------------------


def test_creating_a_sku_publishes_its_first_version(admin: Context) -> None:
    """A new SKU has version 1 as its current version, with its prices by currency."""
    sku = catalogue.create_sku(admin, _sku_in())
    assert sku.code == "SRV-WS"
    assert [version.number for version in sku.versions] == [1]
    assert sku.current.number == 1
    assert [(p.currency, p.list_price_minor) for p in sku.current.prices] == [
        ("EUR", 138_000),
        ("USD", 150_000),
    ]
    assert sku.current.created_by == "Ada Admin"
    assert not sku.retired


def test_a_revision_adds_a_version_and_sold_records_keep_theirs(admin: Context) -> None:
    """Revising never edits a version: quote lines and subscriptions still show the old text."""
    sku = catalogue.create_sku(admin, _sku_in())
    first = sku.current.id
    account = account_service.create_account(
        admin, account_service.AccountIn(name="Acme", segment_code="SMB")
    )
    now = admin.clock.now()
    quote_id = insert(
        admin,
        Quote(
            number="Q-T1",
            account_id=account.id,
            owner_id=user_id(admin, "admin"),
            status=QuoteStatus.DRAFT,
            currency="USD",
            created_at=now,
            lines=[
                QuoteLine(
                    position=1,
                    sku_version_id=first,
                    quantity=1,
                    list_price_minor=150_000,
                    net_minor=150_000,
                )
            ],
        ),
    )
    subscription_id = insert(
        admin,
        Subscription(
            account_id=account.id,
            sku_version_id=first,
            kind=SubscriptionKind.PAID,
            status=SubscriptionStatus.ACTIVE,
            currency="USD",
            starts_on=now.date(),
            created_at=now,
        ),
    )
    revised = catalogue.revise_sku(
        admin,
        sku.id,
        sku.version,
        _sku_in(description="A remote full-day workshop.", contents="1 full-day workshop"),
    )
    assert [version.number for version in revised.versions] == [2, 1]
    assert revised.current.description == "A remote full-day workshop."
    assert revised.versions[1].description.startswith("A remote half-day")
    with admin.database.read_session() as session:
        line = session.scalars(select(QuoteLine).where(QuoteLine.quote_id == quote_id)).one()
        subscription = session.get(Subscription, subscription_id)
        assert subscription is not None
        for sold in (line.sku_version_id, subscription.sku_version_id):
            version = session.get(SkuVersion, sold)
            assert version is not None
            assert version.number == 1
            assert version.description.startswith("A remote half-day")
            assert version.contents == "1 workshop"
        stored = session.get(Sku, sku.id)
        assert stored is not None
        assert stored.current_version_id == revised.current.id != first
    sold_now = _in_transaction(admin, lambda uow: catalogue.sellable_version(uow, sku.id).number)
    assert sold_now == 2


def test_a_revision_is_refused_when_stale_retired_renamed_or_unchanged(admin: Context) -> None:
    """A stale copy gets Conflict; a new code, no change or a retired SKU get a sentence."""
    sku = catalogue.create_sku(admin, _sku_in())
    with pytest.raises(InvalidInput, match="already says") as unchanged:
        catalogue.revise_sku(admin, sku.id, sku.version, _sku_in())
    assert "version 1" in unchanged.value.message
    with pytest.raises(InvalidInput, match="cannot change") as renamed:
        catalogue.revise_sku(admin, sku.id, sku.version, _sku_in("SRV-WS2", units=2))
    assert renamed.value.field == "code"
    revised = catalogue.revise_sku(admin, sku.id, sku.version, _sku_in(units=2))
    with pytest.raises(Conflict):
        catalogue.revise_sku(admin, sku.id, sku.version, _sku_in(units=3))
    catalogue.retire_sku(admin, sku.id, revised.version)
    retired = browsing.get_sku(admin, sku.id)
    with pytest.raises(InvalidInput, match="retired"):
        catalogue.revise_sku(admin, sku.id, retired.version, _sku_in(units=3))
    assert len(browsing.get_sku(admin, sku.id).versions) == 2


def test_codes_are_unique(admin: Context) -> None:
    """A second SKU with a code already taken is refused beside the code; nothing is added."""
    catalogue.create_sku(admin, _sku_in())
    with pytest.raises(InvalidInput, match="already belongs") as taken:
        catalogue.create_sku(admin, _sku_in(name="Another"))
    assert taken.value.field == "code"
    with admin.database.read_session() as session:
        assert session.scalar(select(func.count(SkuVersion.id))) == 1


# --- retiring -----------------------------------------------------------------------------------


def test_a_retired_sku_can_no_longer_be_sold(admin: Context) -> None:
    """sellable_version names the SKU and the day it was retired; search hides it by default."""
    sku = catalogue.create_sku(admin, _sku_in())
    catalogue.retire_sku(admin, sku.id, sku.version)
    with pytest.raises(InvalidInput) as refused:
        _in_transaction(admin, lambda uow: catalogue.sellable_version(uow, sku.id))
    assert refused.value.message == (
        f"SKU SRV-WS was retired on {admin.clock.now():%d %b %Y} and can no longer be sold."
    )
    assert browsing.search_skus(admin, "SRV") == []
    rows = browsing.search_skus(admin, "SRV", include_retired=True)
    assert [(row.code, row.retired) for row in rows] == [("SRV-WS", True)]
    with pytest.raises(InvalidInput, match="already retired"):
        catalogue.retire_sku(admin, sku.id, browsing.get_sku(admin, sku.id).version)


def test_a_sku_in_an_active_package_cannot_be_retired(admin: Context) -> None:
    """Retiring a packaged SKU would break the package: refused, naming the package."""
    sku = catalogue.create_sku(admin, _sku_in())
    packages.save_package(admin, _package("STARTER", [("SRV-WS", 1)], starter=True))
    with pytest.raises(InvalidInput, match="in the package STARTER"):
        catalogue.retire_sku(admin, sku.id, sku.version)
    package = packages.list_packages(admin)[0]
    packages.retire_package(admin, package.id, package.version)
    assert catalogue.retire_sku(admin, sku.id, sku.version).retired


def test_unknown_skus_are_named(admin: Context) -> None:
    """An id or code that is no SKU gives NotFound with a sentence."""
    with pytest.raises(NotFound, match="no SKU with number 999"):
        browsing.get_sku(admin, 999)
    with pytest.raises(NotFound, match="no SKU NOPE"):
        browsing.find_sku(admin, "nope")


# --- prices, tiers and deadlines ----------------------------------------------------------------


def test_list_price_names_the_sku_and_currency_it_lacks(admin: Context) -> None:
    """A currency the price book lacks is refused with the SKU code and the currency."""
    sku = catalogue.create_sku(admin, _sku_in())

    def price(currency: str) -> Callable[[UnitOfWork], int]:
        return lambda uow: catalogue.list_price(
            uow, catalogue.sellable_version(uow, sku.id), currency
        )

    assert _in_transaction(admin, price("EUR")) == 138_000
    with pytest.raises(InvalidInput) as missing:
        _in_transaction(admin, price("BRL"))
    assert "SRV-WS" in missing.value.message
    assert "BRL" in missing.value.message


def test_overage_tiers_come_lowest_volume_first_per_currency(admin: Context) -> None:
    """The tiers of one currency, ordered by the volume they start at."""
    sku = catalogue.create_sku(admin, _usage_in())

    def tiers(currency: str) -> Callable[[UnitOfWork], list[tuple[int, int]]]:
        return lambda uow: [
            (tier.from_volume, tier.unit_price_minor)
            for tier in catalogue.overage_tiers(catalogue.sellable_version(uow, sku.id), currency)
        ]

    assert _in_transaction(admin, tiers("USD")) == [(500_000, 2), (1_000_000, 1)]
    assert _in_transaction(admin, tiers("EUR")) == []


def test_a_service_is_consumed_by_the_last_day_of_its_months(admin: Context) -> None:
    """12 months from 1 March are used by the last day of February; other kinds have none."""
    service = catalogue.create_sku(admin, _sku_in())
    usage = catalogue.create_sku(admin, _usage_in())

    def deadline(sku: SkuView, starts_on: date) -> Callable[[UnitOfWork], date | None]:
        return lambda uow: catalogue.consume_by(catalogue.sellable_version(uow, sku.id), starts_on)

    assert _in_transaction(admin, deadline(service, date(2027, 3, 1))) == date(2028, 2, 29)
    assert _in_transaction(admin, deadline(service, date(2027, 1, 15))) == date(2028, 1, 14)
    assert _in_transaction(admin, deadline(usage, date(2027, 1, 15))) is None


# --- search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("100%", ["A-1"]),
        ("%", ["A-1"]),
        ("_", ["B-2"]),
        ("back\\slash", ["C-3"]),
        ("\\", ["C-3"]),
        ("workshop", ["A-1", "B-2"]),
        ("b-2", ["B-2"]),
        ("WORK", ["A-1", "B-2"]),
        ("", ["A-1", "B-2", "C-3"]),
    ],
)
def test_search_matches_code_or_name_literally(
    admin: Context, needle: str, expected: list[str]
) -> None:
    """%, _ and backslashes are searched as typed, in the code or the name, in any case."""
    catalogue.create_sku(admin, _sku_in("A-1", name="Workshop 100% remote"))
    catalogue.create_sku(admin, _sku_in("B-2", name="Workshop_underscore"))
    catalogue.create_sku(admin, _sku_in("C-3", name="Back\\Slash audit"))
    assert [row.code for row in browsing.search_skus(admin, needle)] == expected


def test_search_pages_in_code_order_and_filters_kinds(admin: Context) -> None:
    """Pages follow each other without gaps; kinds filter; a currency brings its price."""
    for number in range(7):
        catalogue.create_sku(admin, _sku_in(f"SRV-{number}"))
    catalogue.create_sku(admin, _usage_in())
    pages = [
        [row.code for row in browsing.search_skus(admin, "", limit=3, offset=offset)]
        for offset in (0, 3, 6)
    ]
    assert pages == [["PV-500K", "SRV-0", "SRV-1"], ["SRV-2", "SRV-3", "SRV-4"], ["SRV-5", "SRV-6"]]
    usage = browsing.search_skus(admin, kinds=[SkuKind.USAGE], currency="USD")
    assert [(row.code, row.list_price_minor) for row in usage] == [("PV-500K", 600_000)]
    assert browsing.search_skus(admin, "PV", currency="EUR")[0].list_price_minor is None
    assert browsing.search_skus(admin, "PV")[0].list_price_minor is None
    with pytest.raises(InvalidInput, match="page"):
        browsing.search_skus(admin, limit=0)


def test_anyone_signed_in_can_browse_the_catalogue(admin: Context) -> None:
    """A non-admin searches, opens SKUs and lists packages."""
    sku = catalogue.create_sku(admin, _sku_in())
    ae = admin.as_user("ae")
    assert [row.code for row in browsing.search_skus(ae, "srv")] == ["SRV-WS"]
    assert browsing.get_sku(ae, sku.id).code == "SRV-WS"
    assert packages.list_packages(ae) == []


# --- only admins change the catalogue -----------------------------------------------------------


def test_only_an_admin_changes_the_catalogue(admin: Context) -> None:
    """Every change is refused to other roles with a sentence, and nothing is stored."""
    sku = catalogue.create_sku(admin, _sku_in())
    packages.save_package(admin, _package("STARTER", [("SRV-WS", 1)]))
    package = packages.list_packages(admin)[0]
    finance = admin.as_user("finance")
    attempts: list[Callable[[], object]] = [
        lambda: catalogue.create_sku(finance, _sku_in("SRV-NEW")),
        lambda: catalogue.revise_sku(finance, sku.id, sku.version, _sku_in(units=2)),
        lambda: catalogue.retire_sku(finance, sku.id, sku.version),
        lambda: packages.save_package(finance, _package("OTHER", [("SRV-WS", 1)])),
        lambda: packages.retire_package(finance, package.id, package.version),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match=r"Only an Admin can change the catalogue\."):
            attempt()
    assert browsing.get_sku(admin, sku.id) == sku
    assert packages.list_packages(admin) == [package]


# --- packages and the starter pack --------------------------------------------------------------


def test_marking_a_starter_pack_takes_the_mark_from_the_old_one(admin: Context) -> None:
    """One starter pack at a time: the newly marked one replaces the old; retiring clears it."""
    catalogue.create_sku(admin, _sku_in())
    catalogue.create_sku(
        admin,
        _sku_in(
            "INC-SEATS",
            kind="included",
            name="Training seats",
            consumption_months=None,
            prices={"USD": 0},
        ),
    )
    old = packages.save_package(admin, _package("START-A", [("SRV-WS", 1)], starter=True))
    new = packages.save_package(
        admin, _package("START-B", [("SRV-WS", 1), ("INC-SEATS", 5)], starter=True)
    )
    starters = {p.code: p.is_starter_pack for p in packages.list_packages(admin)}
    assert starters == {"START-A": False, "START-B": True}
    assert _in_transaction(admin, lambda uow: _code(packages.starter_pack(uow))) == "START-B"
    assert [(i.sku_code, i.quantity, i.kind) for i in new.items] == [
        ("SRV-WS", 1, SkuKind.SERVICE),
        ("INC-SEATS", 5, SkuKind.INCLUDED),
    ]
    with admin.database.read_session() as session:
        stored = session.scalars(select(Package).where(Package.code == "START-A")).one()
        assert stored.version == old.version + 1  # the cleared mark is a saved, audited change
    packages.retire_package(admin, new.id, new.version)
    assert _in_transaction(admin, lambda uow: _code(packages.starter_pack(uow))) is None


def _code(package: Package | None) -> str | None:
    return package.code if package else None


def test_editing_a_package_changes_its_items(admin: Context) -> None:
    """Saving with the package's version replaces items and quantities; a stale save conflicts."""
    catalogue.create_sku(admin, _sku_in())
    catalogue.create_sku(admin, _sku_in("SRV-AUDIT", name="UX Audit"))
    first = packages.save_package(admin, _package("GROWTH", [("SRV-WS", 1)]))
    second = packages.save_package(
        admin, _package("GROWTH", [("SRV-AUDIT", 1), ("SRV-WS", 3)]), first.version
    )
    assert sorted((i.sku_code, i.quantity) for i in second.items) == [
        ("SRV-AUDIT", 1),
        ("SRV-WS", 3),
    ]
    with pytest.raises(Conflict):
        packages.save_package(admin, _package("GROWTH", [("SRV-WS", 2)]), first.version)
    with pytest.raises(InvalidInput, match="already belongs to a package"):
        packages.save_package(admin, _package("GROWTH", [("SRV-WS", 2)]))


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([("NOPE", 1)], "There is no SKU NOPE in the catalogue."),
        ([("SRV-WS", 1), ("srv-ws", 2)], "SKU SRV-WS is in the package twice"),
        ([("OLD", 1)], "SKU OLD was retired on"),
    ],
)
def test_package_items_are_active_skus_each_once(
    admin: Context, items: list[tuple[str, int]], message: str
) -> None:
    """Unknown, repeated or retired SKUs are refused beside the items; nothing is saved."""
    catalogue.create_sku(admin, _sku_in())
    old = catalogue.create_sku(admin, _sku_in("OLD"))
    catalogue.retire_sku(admin, old.id, old.version)
    with pytest.raises(InvalidInput, match=message) as refused:
        packages.save_package(admin, _package("BAD", items))
    assert refused.value.field == "items"
    assert packages.list_packages(admin, include_retired=True) == []


def test_package_items_can_be_typed() -> None:
    """``SRV-WS x2, sup-std`` reads as two workshops and one standard support."""
    package = inputs.package_input(
        {"code": "p-1", "name": "Pack", "items": "SRV-WS x2, sup-std", "is_starter_pack": "yes"}
    )
    assert package.code == "P-1"
    assert [(i.sku_code, i.quantity) for i in package.items] == [("SRV-WS", 2), ("SUP-STD", 1)]
    assert package.is_starter_pack
    with pytest.raises(InvalidInput, match="at least one SKU") as empty:
        inputs.package_input({"code": "P", "name": "Pack", "items": ""})
    assert empty.value.field == "items"


# --- what an admin types ------------------------------------------------------------------------


DEADLINE = "A service needs a consumption deadline of 1 to 60 months"
VALID_FORM = {
    "code": "srv-ws",
    "name": "Workshop",
    "kind": "service",
    "units": "1",
    "consumption_months": "12",
    "prices": "USD 1,500; EUR 1,380.50",
}


def test_form_text_becomes_a_sku() -> None:
    """Codes are upper-cased, amounts read as money, empty numbers as none."""
    data = inputs.sku_input({**VALID_FORM, "billing_period_months": "", "tiers": ""})
    assert data.code == "SRV-WS"
    assert data.prices == {"USD": 150_000, "EUR": 138_050}
    assert data.billing_period_months is None
    assert data.consumption_months == 12


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "srv ws"}, "code", "The code is upper-case letters, digits and single dashes"),
        ({"code": ""}, "code", "The code is required"),
        ({"name": "  "}, "name", "The name is required."),
        ({"kind": "gadget"}, "kind", "The kind is one of subscription, one-off, service"),
        ({"prices": "USD -5"}, "prices", "The price in USD cannot be negative."),
        ({"prices": {"USD": -5}}, "prices", "The price in USD cannot be negative."),
        ({"prices": ""}, "prices", "The prices need at least one currency"),
        ({"prices": "USD lots"}, "prices", "The price in USD is a number"),
        ({"consumption_months": ""}, "consumption_months", "A service needs a consumption"),
        ({"consumption_months": "61"}, "consumption_months", DEADLINE),
        ({"consumption_months": "0"}, "consumption_months", DEADLINE),
        ({"units": "0"}, "units", "The units are a whole number from 1"),
        (
            {"kind": "included", "consumption_months": ""},
            "prices",
            "An included item is priced 0 in every currency",
        ),
        (
            {"kind": "usage", "consumption_months": ""},
            "included_volume",
            "A usage SKU needs its included volume",
        ),
        (
            {"kind": "usage", "consumption_months": "", "included_volume": "500000"},
            "tiers",
            "A usage SKU needs at least one overage tier",
        ),
        (
            {
                "kind": "usage",
                "consumption_months": "",
                "included_volume": "500000",
                "tiers": "USD 500000 0.01",
            },
            "tiers",
            "The overage tiers need a price in EUR too.",
        ),
        (
            {
                "kind": "usage",
                "consumption_months": "",
                "included_volume": "500000",
                "tiers": "USD 100 0.01; EUR 500000 0.01",
            },
            "tiers",
            "An overage tier starts at or above the included volume (500,000).",
        ),
        ({"included_volume": "10"}, "included_volume", "Only usage SKUs have an included"),
        ({"kind": "one_off"}, "consumption_months", "Only services have a consumption deadline"),
        ({"tiers": "USD 1 0.01"}, "tiers", "Only usage SKUs have overage tiers"),
    ],
)
def test_bad_input_gets_one_sentence_beside_its_field(
    changes: dict[str, Any], field: str, message: str
) -> None:
    """Each broken rule is one sentence that starts like its field and is placed beside it."""
    with pytest.raises(InvalidInput) as refused:
        inputs.sku_input({**VALID_FORM, **changes})
    assert refused.value.field == field
    assert refused.value.message.startswith(message)
    assert refused.value.message.endswith(".")


def test_an_included_item_is_priced_zero(admin: Context) -> None:
    """An included item stored at 0 in each currency searches as included with price 0."""
    data = inputs.sku_input(
        {**VALID_FORM, "kind": "included", "consumption_months": "", "prices": "USD 0; EUR 0"}
    )
    catalogue.create_sku(admin, data)
    row = browsing.search_skus(admin, "SRV-WS", currency="USD")[0]
    assert (row.kind, row.list_price_minor) == (SkuKind.INCLUDED, 0)


def test_the_form_shows_a_version_as_it_was_typed(admin: Context) -> None:
    """A revision form starts from the current version's text, and reads back to the same SKU."""
    sku = catalogue.create_sku(
        admin, _usage_in(prices="USD 6,000; EUR 5,520", tiers="USD 500000 0.01; EUR 500000 0.01")
    )
    values = form_text.sku_form_values(sku.current, sku.code)
    assert values["prices"] == "EUR 5,520.00; USD 6,000.00"
    assert values["tiers"] == "EUR 500000 0.01; USD 500000 0.01"
    again = inputs.sku_input(values)
    with pytest.raises(InvalidInput, match="already says"):
        catalogue.revise_sku(admin, sku.id, sku.version, again)


def test_a_revision_is_audited_as_a_new_version(admin: Context) -> None:
    """The audit shows the new version inserted and the SKU pointed at it, by the admin."""
    from acctmgr.services.kernel import audit

    sku = catalogue.create_sku(admin, _sku_in())
    revised = catalogue.revise_sku(admin, sku.id, sku.version, _sku_in(units=2))
    inserted = audit.trail(admin, RecordType.SKU_VERSION, revised.current.id)
    assert [(e.action, e.change) for e in inserted] == [("catalogue.revise_sku", "insert")]
    pointed = audit.trail(admin, RecordType.SKU, sku.id)[0]
    assert pointed.after is not None
    assert pointed.after["current_version_id"] == revised.current.id
    assert admin.clock.now() - pointed.at < timedelta(seconds=1)
