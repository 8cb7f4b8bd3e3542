"""A small catalogue and a customer to build quotes for (tests of the quote builder)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from acctmgr.models import Package, PackageItem, Role, Sku, SkuKind, SkuPrice, SkuVersion, UsageTier
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn, ContactIn
from acctmgr.services.kernel.context import Context
from tests import factories

STARTS = date(2027, 1, 1)


@dataclass(frozen=True)
class Catalogue:
    platform: int  # subscription, 1,000.00 USD a year
    workshop: int  # service, to be used within 12 months
    onsite: int  # service with on-site support
    pageviews: int  # usage: 1,000,000 page views included, overage 0.02 per view
    seats: int  # included training seats (price 0)
    retired: int


def sku(
    context: Context,
    code: str,
    kind: SkuKind,
    usd: int,
    *,
    eur: int | None = None,
    retired: bool = False,
    **fields: object,
) -> int:
    """A SKU with one version and a USD (and EUR) price; returns the SKU's id."""
    now = context.clock.now()
    with context.database.write_session() as session:
        item = Sku(code=code, created_at=now, retired_at=now if retired else None)
        session.add(item)
        session.flush()
        version = SkuVersion(
            sku_id=item.id,
            number=1,
            name=f"{code.title()} v1",
            description=f"What {code} is.",
            contents=f"What {code} contains.",
            kind=kind,
            created_at=now,
            **fields,
        )
        version.prices = [SkuPrice(currency="USD", list_price_minor=usd)]
        if eur is not None:
            version.prices.append(SkuPrice(currency="EUR", list_price_minor=eur))
        session.add(version)
        session.flush()
        item.current_version_id = version.id
        session.commit()
        return item.id


def catalogue(context: Context, *, starter_pack: bool = True) -> Catalogue:
    found = Catalogue(
        platform=sku(context, "PLATFORM", SkuKind.SUBSCRIPTION, 1_000_00, eur=920_00),
        workshop=sku(context, "WORKSHOP", SkuKind.SERVICE, 2_500_00, consumption_months=12),
        onsite=sku(
            context, "ONSITE", SkuKind.SERVICE, 4_000_00, consumption_months=6, onsite_support=True
        ),
        pageviews=sku(context, "PAGEVIEWS", SkuKind.USAGE, 500_00, included_volume=1_000_000),
        seats=sku(context, "SEATS", SkuKind.INCLUDED, 0),
        retired=sku(context, "OLDPLAN", SkuKind.SUBSCRIPTION, 800_00, retired=True),
    )
    with context.database.write_session() as session:
        pageviews = session.get(Sku, found.pageviews)
        assert pageviews is not None
        assert pageviews.current_version_id is not None
        session.add(
            UsageTier(
                sku_version_id=pageviews.current_version_id,
                currency="USD",
                from_volume=1_000_000,
                unit_price_minor=2,
            )
        )
        if starter_pack:
            session.add(
                Package(
                    code="STARTER",
                    name="Starter pack",
                    is_starter_pack=True,
                    created_at=context.clock.now(),
                    items=[
                        PackageItem(sku_id=found.workshop, quantity=1),
                        PackageItem(sku_id=found.seats, quantity=5),
                    ],
                )
            )
        session.commit()
    return found


def staff(admin: Context) -> None:
    """Customer Success and Pre-sales, beside the conftest staff."""
    factories.hire(
        admin,
        ("success", "Sam Success", None, Role.CUSTOMER_SUCCESS),
        ("presales", "Pia Presales", "SMB", Role.PRESALES),
    )


def new_customer(admin: Context, name: str = "Nova GmbH", *, complete: bool = True) -> int:
    """An account with no contracts; with ``complete``, its billing details are all in order."""
    details = (
        {
            "billing_street": "Hauptstrasse 1",
            "billing_city": "Berlin",
            "billing_postal_code": "10115",
            "billing_country": "DE",
        }
        if complete
        else {}
    )
    account = account_service.create_account(
        admin,
        AccountIn(
            name=name,
            segment_code="SMB",
            owner_login="ae",
            territory="Germany",
            locale="de_DE",
            currency="USD",
            **details,
        ),
    )
    if complete:
        contact = account_service.add_contact(
            admin, account.id, ContactIn(name="Ines Invoice", email="ines@nova.example")
        )
        version = account_service.get_account(admin, account.id).version
        account_service.set_invoice_contact(admin, account.id, contact.id, version)
    return account.id
