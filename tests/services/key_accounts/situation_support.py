"""A key account with something in every part of its order situation, and its peers.

Rows the fulfilment side will write through its use cases later (subscriptions, invoices,
usage, entitlements) are inserted directly, as tests/factories.py does for contracts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update

from acctmgr.domain.activities import ActivityKind
from acctmgr.domain.catalogue import SkuKind
from acctmgr.domain.roles import Role
from acctmgr.models import (
    Account,
    Activity,
    Contract,
    ContractStatus,
    Entitlement,
    Invoice,
    InvoiceStatus,
    RenewalType,
    Subscription,
    SubscriptionKind,
    SubscriptionStatus,
    UsageRecord,
)
from acctmgr.services.accounts import records as account_service
from acctmgr.services.catalogue import skus as sku_service
from acctmgr.services.catalogue.inputs import SkuIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import users as user_service
from tests import factories

TODAY = date(2026, 11, 23)  # the tests' clock (tests/conftest.py NOW)


def hire_kams(admin: Context) -> None:
    """Kim and Kit, Key Account Managers of Small business; Ken, of Enterprise."""
    for login, name, segment in (
        ("kam", "Kim Keyes", "SMB"),
        ("kam2", "Kit Keyes", "SMB"),
        ("kam3", "Ken Keyes", "ENT"),
    ):
        user_service.create_user(
            admin,
            user_service.UserIn(
                login=login,
                name=name,
                email=f"{login}@example.com",
                segment_code=segment,
                roles=frozenset({Role.KEY_ACCOUNT_MANAGER}),
            ),
        )


def key_account(
    admin: Context, name: str, *, kam: str | None = "kam", cadence: int | None = None
) -> int:
    """An SMB account managed by ``kam``, with a contact cadence of ``cadence`` days."""
    account = account_service.create_account(
        admin, account_service.AccountIn(name=name, segment_code="SMB")
    )
    manager = factories.user_id(admin, kam) if kam else None
    with admin.database.write_session() as session:
        session.execute(
            update(Account)
            .where(Account.id == account.id)
            .values(key_account_manager_id=manager, contact_cadence_days=cadence)
        )
        session.commit()
    return account.id


def sku(
    admin: Context,
    code: str,
    kind: SkuKind,
    price: int,
    *,
    included: int | None = None,
    tiers: tuple[tuple[int, int], ...] = (),
    consumption_months: int | None = None,
) -> tuple[int, int]:
    """A catalogue SKU priced in USD, made through the catalogue: (sku id, version id)."""
    view = sku_service.create_sku(
        admin,
        SkuIn(
            code=code,
            name=f"{code} plan",
            kind=kind,
            billing_period_months=None if kind is SkuKind.SERVICE else 12,
            consumption_months=consumption_months,
            included_volume=included,
            prices={"USD": price},
            tiers=[
                {"currency": "USD", "from_volume": volume, "unit_price_minor": unit}
                for volume, unit in tiers
            ],
        ),
    )
    return view.id, view.current.id


def subscription(
    admin: Context,
    account_id: int,
    version_id: int,
    *,
    kind: SubscriptionKind = SubscriptionKind.PAID,
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
    ends_on: date | None = None,
    quantity: int = 1,
) -> int:
    return int(
        factories.insert(
            admin,
            Subscription(
                account_id=account_id,
                sku_version_id=version_id,
                kind=kind,
                status=status,
                quantity=quantity,
                list_price_minor=100_00,
                net_price_minor=90_00,
                currency="USD",
                starts_on=TODAY - timedelta(days=100),
                ends_on=ends_on,
                created_at=admin.clock.now(),
            ),
        )
    )


def contract(
    admin: Context,
    account_id: int,
    number: str,
    ends_on: date,
    *,
    annual_value: int = 20_000_00,
    threshold: int | None = None,
    status: ContractStatus = ContractStatus.ACTIVE,
    renewal: RenewalType = RenewalType.FIXED_TERM,
    notice_days: int = 60,
) -> int:
    return int(
        factories.insert(
            admin,
            Contract(
                number=number,
                account_id=account_id,
                status=status,
                renewal_type=renewal,
                starts_on=ends_on - timedelta(days=365),
                ends_on=ends_on,
                notice_days=notice_days,
                currency="USD",
                annual_value_minor=annual_value,
                page_view_threshold=threshold,
                created_at=admin.clock.now(),
            ),
        )
    )


def invoice(
    admin: Context, account_id: int, number: str, status: InvoiceStatus, due_on: date
) -> int:
    return int(
        factories.insert(
            admin,
            Invoice(
                number=number,
                account_id=account_id,
                status=status,
                issued_on=due_on - timedelta(days=30),
                due_on=due_on,
                currency="USD",
                total_minor=1_000_00,
                created_at=admin.clock.now(),
            ),
        )
    )


def usage(admin: Context, account_id: int, month: date, page_views: int) -> None:
    factories.insert(admin, UsageRecord(account_id=account_id, month=month, quantity=page_views))


def entitlement(
    admin: Context,
    account_id: int,
    version_id: int,
    *,
    quantity: int,
    consumed: int,
    consume_by: date | None,
) -> int:
    return int(
        factories.insert(
            admin,
            Entitlement(
                account_id=account_id,
                sku_version_id=version_id,
                quantity=quantity,
                consumed=consumed,
                starts_on=TODAY - timedelta(days=300),
                consume_by=consume_by,
                created_at=admin.clock.now(),
            ),
        )
    )


def contacted(admin: Context, account_id: int, kind: ActivityKind, at: datetime) -> int:
    """A call, meeting, e-mail (or other activity) logged on the account at ``at``."""
    return int(
        factories.insert(
            admin,
            Activity(
                kind=kind,
                subject=f"{kind.value} with the customer",
                account_id=account_id,
                created_by_id=factories.user_id(admin, "kam"),
                created_at=at,
                done_at=at,
            ),
        )
    )


@dataclass(frozen=True)
class Acme:
    """Acme's ids: the account, its contract, and its records the sections list."""

    account_id: int
    contract_id: int
    trial_id: int
    plan_id: int
    overdue_id: int
    open_id: int
    workshops_id: int


def acme(admin: Context) -> Acme:
    """Acme, Kim's key account: a contract ending in 89 days (notice by 22 Dec 2026) including
    500,000 page views a month, used 600,000 a month; a page-view plan and a Premium Support
    trial ending on 10 Dec; an overdue and an open invoice; a workshop left to use by 10 Jan
    2027. Beside it, records that must not show: history, paid invoices, another account's."""
    hire_kams(admin)
    account_id = key_account(admin, "Acme Analytics", cadence=30)
    _, pv = sku(
        admin,
        "PV-500K",
        SkuKind.USAGE,
        6_000_00,
        included=500_000,
        tiers=((500_000, 1), (1_000_000, 2)),
    )
    _, premium = sku(admin, "SUP-PREM", SkuKind.SUBSCRIPTION, 6_000_00)
    _, workshops = sku(admin, "SRV-WS4", SkuKind.SERVICE, 5_400_00, consumption_months=12)
    ends = TODAY + timedelta(days=89)
    contract_id = contract(admin, account_id, "CT-000001", ends, threshold=500_000)
    contract(
        admin, account_id, "CT-000000", TODAY - timedelta(days=10), status=ContractStatus.ENDED
    )
    plan_id = subscription(admin, account_id, pv, ends_on=ends)
    trial_id = subscription(
        admin, account_id, premium, kind=SubscriptionKind.TEST, ends_on=date(2026, 12, 10)
    )
    subscription(
        admin, account_id, premium, status=SubscriptionStatus.ENDED, ends_on=date(2026, 1, 1)
    )
    overdue_id = invoice(admin, account_id, "IN-000001", InvoiceStatus.SENT, date(2026, 11, 1))
    open_id = invoice(admin, account_id, "IN-000002", InvoiceStatus.SENT, date(2026, 12, 15))
    invoice(admin, account_id, "IN-000003", InvoiceStatus.PAID, date(2026, 10, 1))
    invoice(admin, account_id, "IN-000004", InvoiceStatus.CANCELLED, date(2026, 10, 1))
    for month in range(4, 12):  # April is too long ago, November still being counted
        usage(admin, account_id, date(2026, month, 1), 600_000)
    workshops_id = entitlement(
        admin, account_id, workshops, quantity=2, consumed=1, consume_by=date(2027, 1, 10)
    )
    entitlement(admin, account_id, workshops, quantity=1, consumed=1, consume_by=None)
    entitlement(admin, account_id, workshops, quantity=1, consumed=0, consume_by=date(2026, 11, 1))
    other = key_account(admin, "Beta Brewing")
    contract(admin, other, "CT-000009", TODAY + timedelta(days=30))
    invoice(admin, other, "IN-000009", InvoiceStatus.SENT, date(2026, 11, 1))
    usage(admin, other, date(2026, 10, 1), 9_999_999)
    return Acme(account_id, contract_id, trial_id, plan_id, overdue_id, open_id, workshops_id)
