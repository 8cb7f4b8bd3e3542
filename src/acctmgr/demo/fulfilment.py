"""Usage brought in as Finance brings it: last month's page views of a few accounts,
corrected by the analytics platform, imported through the usage import, so the overage above
what they include waits in Finance's review queue as it would after a real import."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.db.engine import Database
from acctmgr.models import Account, SkuKind, SkuVersion, Subscription, SubscriptionStatus
from acctmgr.services.bootstrap import bootstrap
from acctmgr.services.fulfilment import usage_import
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.terms import term_start

CORRECTED = 6  # accounts whose last month is corrected
ABOVE = (1.12, 1.35, 1.6, 1.08, 1.9, 1.25)  # of what each includes


def import_corrected_usage(database: Database, now: datetime) -> int:
    """Import last month's corrected page views of the first accounts with a running
    page-view subscription, each above what it includes; returns the overage lines to review."""
    bootstrap()
    finance = Context(database, AdjustableClock(now)).as_user("finance")
    last_month = term_start(now.date().replace(day=1), -1)
    with database.read_session() as session:
        rows = session.execute(
            select(
                Account.id,
                SkuVersion.included_volume,
                Subscription.quantity,
            )
            .join(Subscription, Subscription.account_id == Account.id)
            .join(SkuVersion, SkuVersion.id == Subscription.sku_version_id)
            .where(
                Subscription.status == SubscriptionStatus.ACTIVE,
                Subscription.starts_on <= last_month,
                SkuVersion.kind == SkuKind.USAGE,
                SkuVersion.included_volume.is_not(None),
            )
            .order_by(Account.id)
            .limit(CORRECTED)
        ).all()
    lines = [
        {
            "account_id": str(account_id),
            "month": f"{last_month:%Y-%m}",
            "quantity": str(int((included or 0) * quantity * share) // 100 * 100),
        }
        for (account_id, included, quantity), share in zip(rows, ABOVE, strict=False)
    ]
    if not lines:
        return 0
    return usage_import.import_usage(finance, lines).overage_to_review
