"""Subscriptions and entitlements to run, made as an activated order leaves them: a key account
with a KAM and an invoice contact, a small catalogue, contracts with the quotes they sell, and
orders activated with the ORM whose lines ``provisioning.provision`` carries out (the order
use cases are built beside this part)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from acctmgr.models import (
    Account,
    Contract,
    ContractStatus,
    Order,
    OrderLine,
    OrderStatus,
    Quote,
    QuoteLine,
    QuoteStatus,
    RenewalType,
    Role,
    Sku,
    SkuKind,
)
from acctmgr.services.fulfilment import provisioning
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import UnitOfWork, run_use_case
from tests import factories
from tests.quote_support import new_customer, sku

TERM_STARTS = date(2026, 1, 1)
TERM_ENDS = date(2026, 12, 31)


@dataclass(frozen=True)
class Catalogue:
    platform: int  # SKU version ids: a subscription
    replay: int  # an add-on subscription
    workshop: int  # a service of 4 workshops, used within 12 months


@dataclass(frozen=True)
class Sold:
    """A line as sold: on the contract's quote and on an order."""

    version_id: int
    unit_net_minor: int = 1_000_00
    quantity: int = 1
    trial_ends_on: date | None = None
    consume_by: date | None = None


def staff(admin: Context) -> None:
    """Customer Services and Customer Success (every segment), a Key Account Manager (SMB)."""
    factories.hire(
        admin,
        ("cs", "Cas Service", None, Role.CUSTOMER_SERVICES),
        ("kam", "Kim Keyaccount", "SMB", Role.KEY_ACCOUNT_MANAGER),
        ("success", "Sam Success", None, Role.CUSTOMER_SUCCESS),
    )


def catalogue(admin: Context) -> Catalogue:
    def version(sku_id: int) -> int:
        with admin.database.read_session() as session:
            found = session.get(Sku, sku_id)
            assert found is not None
            assert found.current_version_id is not None
            return found.current_version_id

    return Catalogue(
        platform=version(sku(admin, "PLATFORM", SkuKind.SUBSCRIPTION, 1_200_00)),
        replay=version(sku(admin, "REPLAY", SkuKind.SUBSCRIPTION, 300_00)),
        workshop=version(
            sku(admin, "WORKSHOP", SkuKind.SERVICE, 2_000_00, units=4, consumption_months=12)
        ),
    )


def key_account(admin: Context, name: str = "Nova GmbH") -> int:
    """A Small business account looked after by "kam", invoices to Ines Invoice."""
    account_id = new_customer(admin, name)
    with admin.database.write_session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        account.key_account_manager_id = factories.user_id(admin, "kam")
        session.commit()
    return account_id


def contract(
    admin: Context,
    account_id: int,
    number: str,
    lines: list[Sold],
    *,
    starts_on: date = TERM_STARTS,
    ends_on: date = TERM_ENDS,
    supersedes: int | None = None,
) -> int:
    """An active contract (signed when it starts later than today) selling ``lines``."""
    now = admin.clock.now()
    with admin.database.write_session() as session:
        quote = Quote(
            number=f"Q-{number}",
            account_id=account_id,
            owner_id=factories.user_id(admin, "kam"),
            status=QuoteStatus.ACCEPTED,
            currency="USD",
            starts_on=starts_on,
            created_at=now,
            lines=[
                QuoteLine(
                    position=position,
                    sku_version_id=line.version_id,
                    quantity=line.quantity,
                    list_price_minor=line.unit_net_minor,
                    discount_pct=Decimal(0),
                    net_minor=line.unit_net_minor * line.quantity,
                )
                for position, line in enumerate(lines, 1)
            ],
        )
        session.add(quote)
        session.flush()
        made = Contract(
            number=number,
            account_id=account_id,
            quote_id=quote.id,
            supersedes_id=supersedes,
            status=ContractStatus.SIGNED if starts_on > now.date() else ContractStatus.ACTIVE,
            renewal_type=RenewalType.FIXED_TERM,
            starts_on=starts_on,
            ends_on=ends_on,
            currency="USD",
            created_at=now,
        )
        session.add(made)
        session.commit()
        return made.id


def activated_order(
    admin: Context,
    contract_id: int,
    number: str,
    starts_on: date,
    lines: list[Sold],
    *,
    location: str = "",
) -> int:
    """An activated order of the contract from ``starts_on`` (for ``location``), provisioned:
    its subscriptions pending, its entitlements made."""

    def activate(uow: UnitOfWork) -> int:
        agreed = uow.get(Contract, contract_id, "contract")
        order = Order(
            number=number,
            contract_id=agreed.id,
            account_id=agreed.account_id,
            location=location,
            starts_on=starts_on,
            status=OrderStatus.ACTIVATED,
            activated_at=uow.now,
            lines=[
                OrderLine(
                    position=position,
                    sku_version_id=line.version_id,
                    quantity=line.quantity,
                    list_price_minor=line.unit_net_minor,
                    unit_net_minor=line.unit_net_minor,
                    net_minor=line.unit_net_minor * line.quantity,
                    trial_ends_on=line.trial_ends_on,
                    consume_by=line.consume_by,
                )
                for position, line in enumerate(lines, 1)
            ],
        )
        uow.add(order)
        provisioning.provision(uow, order, agreed)
        return order.id

    return run_use_case(admin, "tests.activate_order", True, False, activate)


def order_lines(admin: Context, order_id: int) -> list[int]:
    with admin.database.read_session() as session:
        return list(
            session.scalars(
                select(OrderLine.id)
                .where(OrderLine.order_id == order_id)
                .order_by(OrderLine.position)
            )
        )


def renewed_at_a_new_price(admin: Context, account_id: int, old_id: int, skus: Catalogue) -> int:
    """A contract from 1 Nov 2026 superseding ``old_id``, selling the platform only, at 800.00,
    with its order activated from that day; returns the new contract's id."""
    new = contract(
        admin,
        account_id,
        "CT-NEW",
        [Sold(skus.platform, 800_00)],
        starts_on=date(2026, 11, 1),
        ends_on=date(2027, 10, 31),
        supersedes=old_id,
    )
    activated_order(admin, new, "SO-NEW", date(2026, 11, 1), [Sold(skus.platform, 800_00)])
    return new


def a_bit_of_everything_due(admin: Context) -> None:
    """One order whose pass today starts two subscriptions, ends a trial nobody confirmed,
    warns of one workshop and expires another: each kind of the daily pass's work, once."""
    staff(admin)
    skus = catalogue(admin)
    account = key_account(admin)
    agreed = contract(admin, account, "CT-1", [Sold(skus.platform), Sold(skus.workshop)])
    activated_order(
        admin,
        agreed,
        "SO-1",
        date(2026, 1, 1),
        [
            Sold(skus.platform),
            Sold(skus.replay, trial_ends_on=date(2026, 11, 1)),
            Sold(skus.workshop, consume_by=date(2026, 12, 1)),
            Sold(skus.workshop, consume_by=date(2026, 11, 1)),
        ],
    )
