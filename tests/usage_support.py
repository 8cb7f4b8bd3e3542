"""Three customers whose page views are imported: two Small business ones on the page-view
plan (500,000 a month included per unit; one unit and two), one Enterprise one without it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from acctmgr.domain.roles import Role
from acctmgr.models import Sku, SkuKind, SkuVersion, UsageTier
from acctmgr.services.accounts import records as account_service
from acctmgr.services.kernel.context import Context
from tests import factories

MONTH = date(2026, 10, 1)
HEADER = "account,metric,month,quantity\n"


@dataclass(frozen=True)
class UsageCustomers:
    one_unit: int  # iSeries 100001, one unit of PV-500K
    two_units: int  # iSeries 100002, two units of PV-500K
    no_plan: int  # iSeries 100003, no usage subscription
    version_id: int


def usage_customers(admin: Context, quiet_segment: str = "ENT") -> UsageCustomers:
    """The three accounts, the plan's SKU (tiers from 500,000 at 1 cent, from 1,000,000 at 2
    cents) and its subscriptions; Customer Success ("csu") and Customer Services ("cs"). The
    third account is in ``quiet_segment``."""
    factories.hire(
        admin,
        ("csu", "Cass Success", None, Role.CUSTOMER_SUCCESS),
        ("cs", "Cy Services", None, Role.CUSTOMER_SERVICES),
    )
    ids = [
        account_service.create_account(
            admin,
            account_service.AccountIn(name=name, segment_code=segment, iseries_number=number),
        ).id
        for name, segment, number in (
            ("Acme Pages", "SMB", "100001"),
            ("Bolt Views", "SMB", "100002"),
            ("Corp Quiet", quiet_segment, "100003"),
        )
    ]
    now = admin.clock.now()
    with admin.database.write_session() as session:
        sku = Sku(code="PV-500K", created_at=now)
        session.add(sku)
        session.flush()
        version = SkuVersion(
            sku_id=sku.id,
            number=1,
            name="500,000 page views a month",
            kind=SkuKind.USAGE,
            included_volume=500_000,
            created_at=now,
        )
        session.add(version)
        session.flush()
        sku.current_version_id = version.id
        session.add_all(
            [
                UsageTier(
                    sku_version_id=version.id,
                    currency="USD",
                    from_volume=500_000,
                    unit_price_minor=1,
                ),
                UsageTier(
                    sku_version_id=version.id,
                    currency="USD",
                    from_volume=1_000_000,
                    unit_price_minor=2,
                ),
            ]
        )
        session.commit()
        version_id = version.id
    for account_id, quantity, number in ((ids[0], 1, "CT-U1"), (ids[1], 2, "CT-U2")):
        contract_id = factories.contract(
            admin, account_id, number, now.date() + timedelta(days=100)
        )
        factories.subscription(
            admin,
            account_id,
            contract_id,
            "PV-500K",
            quantity=quantity,
            list_price=100_00,
            net_price=100_00,
            version_id=version_id,
        )
    return UsageCustomers(ids[0], ids[1], ids[2], version_id)


def usage_csv(*lines: str) -> str:
    """A usage file's text: the header, then ``lines``."""
    return HEADER + "".join(f"{line}\n" for line in lines)
