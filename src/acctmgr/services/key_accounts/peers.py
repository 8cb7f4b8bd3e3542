"""What accounts like this one hold: the SKUs held per segment and size band.

Upsell compares one account with its peers, the buying accounts of its segment and size band.
Counting them on 100,000 accounts for every suggestion would be slow, so the worker counts them
all at once into ``peer_holdings`` and a suggestion reads a handful of those rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, case, delete, func, insert, literal, select, text

from acctmgr.models import (
    Account,
    AccountStatus,
    Contract,
    ContractStatus,
    PeerHolding,
    SkuVersion,
    Subscription,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

# Size bands by the total annual value of an account's active contracts, in minor units
# (10,000 and 50,000 in major units): (band, below this total).
SIZE_BANDS = (("small", 10_000_00), ("medium", 50_000_00))
LARGEST_BAND = "large"
# The worker counts again once the figures are this old: they move slowly, counting is not free.
FRESH_FOR = timedelta(hours=24)
# Any constant will do: the key of the lock that lets one worker at a time recount.
REFRESH_LOCK_KEY = 160_016


def size_band(total_annual_minor: ColumnElement[int]) -> ColumnElement[str]:
    """The size band of an account whose active contracts total ``total_annual_minor`` a year
    (an SQL expression: the worker bands every account with it, upsell the one it looks at)."""
    total = func.coalesce(total_annual_minor, 0)
    return case(
        *((total < below, literal(band)) for band, below in SIZE_BANDS), else_=literal(LARGEST_BAND)
    )


def annual_value_of_active_contracts() -> ColumnElement[int]:
    """The sum, per account grouped by, of its active contracts' annual values."""
    return func.coalesce(func.sum(Contract.annual_value_minor), 0)


@use_case("key_accounts.refresh_peer_holdings", needs_actor=False)
def refresh_peer_holdings(uow: UnitOfWork, *, force: bool = False) -> int | None:
    """Count again, per segment and size band, how many buying accounts hold each SKU (a paid,
    active subscription of any of its versions) and how many accounts there are; returns the
    rows written, or None when the figures are fresher than ``FRESH_FOR`` (unless ``force``).

    ``acctmgr worker`` runs this. The old figures are deleted and the new inserted in one
    transaction, one INSERT ... SELECT; on PostgreSQL a lock makes a second worker wait and
    then count again, so running it twice, or in two workers at once, leaves one set of rows.
    """
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFRESH_LOCK_KEY})
    if not force:
        newest = session.scalar(select(func.max(PeerHolding.computed_at)))
        if newest is not None and _aware(newest) > uow.now - FRESH_FOR:
            return None
    session.execute(delete(PeerHolding))
    # Buying accounts: active, with an active contract; each with its segment and band.
    sized = (
        select(
            Account.id.label("account_id"),
            Account.segment_id.label("segment_id"),
            size_band(annual_value_of_active_contracts()).label("band"),
        )
        .join(Contract, Contract.account_id == Account.id)
        .where(Account.status == AccountStatus.ACTIVE, Contract.status == ContractStatus.ACTIVE)
        .group_by(Account.id, Account.segment_id)
        .subquery("sized")
    )
    peers = (
        select(sized.c.segment_id, sized.c.band, func.count().label("peers"))
        .group_by(sized.c.segment_id, sized.c.band)
        .subquery("peers")
    )
    held = (
        select(Subscription.account_id, SkuVersion.sku_id)
        .join(SkuVersion, SkuVersion.id == Subscription.sku_version_id)
        .where(
            Subscription.status == SubscriptionStatus.ACTIVE,
            Subscription.kind == SubscriptionKind.PAID,
        )
        .distinct()
        .subquery("held")
    )
    counted = (
        select(
            sized.c.segment_id,
            sized.c.band,
            held.c.sku_id,
            func.count().label("holders"),
            peers.c.peers,
            literal(uow.now, PeerHolding.__table__.c.computed_at.type).label("computed_at"),
        )
        .join(held, held.c.account_id == sized.c.account_id)
        .join(peers, (peers.c.segment_id == sized.c.segment_id) & (peers.c.band == sized.c.band))
        .group_by(sized.c.segment_id, sized.c.band, held.c.sku_id, peers.c.peers)
    )
    columns = ["segment_id", "size_band", "sku_id", "holders", "peers", "computed_at"]
    session.execute(insert(PeerHolding).from_select(columns, counted))
    # Counted, not taken from the cursor: psycopg reports no row count for INSERT ... SELECT.
    return int(session.scalar(select(func.count()).select_from(PeerHolding)) or 0)


def account_band(uow: UnitOfWork, account_id: int) -> str:
    """The size band of one account, by the same rule as its peers'."""
    band = uow.session.scalar(
        select(size_band(annual_value_of_active_contracts())).where(
            Contract.account_id == account_id, Contract.status == ContractStatus.ACTIVE
        )
    )
    return str(band or SIZE_BANDS[0][0])


def _aware(value: datetime) -> datetime:
    # SQLite hands an aggregate's timestamp back without its zone; it was stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
