"""The worker's daily pass over subscriptions and entitlements: what starts, what ends, who is
warned and what expires today.

Odoo's concurrent crons and OCA contract's relaunched cron made things twice; here nothing
happens twice. On PostgreSQL a transaction lock makes a second worker wait for the first and
then find nothing left to do; on SQLite the write lock does the same. Each step is also
guarded by the state it changes (only a pending subscription starts, only a running one ends,
``warned_at`` and ``expired_at`` are set where they are empty), so a re-run changes nothing.
Rows that are many (subscriptions at their term, entitlements expiring) change in set-based
UPDATEs, audited explicitly because the flush listener does not see them.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select, text

from acctmgr.models import (
    Contract,
    ContractStatus,
    QuoteLine,
    SkuVersion,
    Subscription,
    SubscriptionEnd,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.services.fulfilment import consumption, trials
from acctmgr.services.fulfilment.bulk_changes import end_where
from acctmgr.services.fulfilment.provisioning import RUNNING, start_subscriptions
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

# An arbitrary constant: the key of the lock that lets one worker at a time do the pass.
RUN_LOCK_KEY = 1_700_017
# A superseding contract in effect (or signed, its day come before take_effect ran).
IN_EFFECT = (
    ContractStatus.SIGNED,
    ContractStatus.ACTIVE,
    ContractStatus.SUPERSEDED,
    ContractStatus.ENDED,
)


class RunReport(ReadModel):
    """What one pass changed; all zero on a re-run."""

    started: int = 0  # pending subscriptions whose start came
    ended: int = 0  # paid subscriptions past their end (TERM)
    superseded: int = 0  # of a superseded contract, of SKUs its successor does not sell
    trials_ended: int = 0  # trials nobody confirmed (their KAM has a task)
    warned: int = 0  # entitlements 30 days before their deadline (KAM task, customer e-mail)
    expired: int = 0  # entitlements past their deadline, what was left unused

    @property
    def line(self) -> str:
        """The worker's line: one phrase."""
        return (
            f"subscriptions started: {self.started}, ended: "
            f"{self.ended + self.superseded + self.trials_ended}; entitlements warned: "
            f"{self.warned}, expired: {self.expired}"
        )


@use_case("fulfilment.run_due", needs_actor=False)
def run_due(uow: UnitOfWork) -> RunReport:
    """Do what falls due today: start pending subscriptions whose day has come (a superseding
    contract's re-prices the old one's of the same SKU), end the old contract's subscriptions
    its successor does not sell, end paid subscriptions past their end and trials nobody
    confirmed (a task to the KAM), warn of entitlements 30 days before ``consume_by`` (a task to
    the KAM, an e-mail to the customer) and expire those past it.

    ``acctmgr worker`` runs this; any number of times, by several workers at once, it does each
    thing once.
    """
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_LOCK_KEY})
    today = uow.now.date()
    return RunReport(
        started=_start_due(uow, today),
        superseded=_end_unsold(uow, today),
        ended=_end_at_term(uow, today),
        trials_ended=trials.end_unconfirmed(uow, today),
        warned=consumption.warn_before_deadline(uow, today),
        expired=consumption.expire_unused(uow, today),
    )


def _start_due(uow: UnitOfWork, today: date) -> int:
    """Pending subscriptions whose start has come, oldest first (a worker down for days starts
    each in the order it was due), through provisioning's re-pricing rule."""
    is_due = (Subscription.status == SubscriptionStatus.PENDING, Subscription.starts_on <= today)
    due = uow.session.scalars(
        select(Subscription)
        .where(*is_due)
        .order_by(Subscription.starts_on, Subscription.id)
        .with_for_update(skip_locked=True)
    ).all()
    # Their contracts in one query, held here while they start: start_subscriptions reads
    # each one's from the session, which would otherwise ask the database once a row.
    contracts = uow.session.scalars(
        select(Contract).where(Contract.id.in_(select(Subscription.contract_id).where(*is_due)))
    ).all()
    started = start_subscriptions(uow, due)
    del contracts
    return started


def _end_unsold(uow: UnitOfWork, today: date) -> int:
    """End, the day before a superseding contract's start, the old contract's running
    subscriptions of SKUs the new one does not sell (its quote's lines say what it sells);
    those of SKUs it sells are replaced when the new ones start."""
    successions = uow.session.execute(
        select(Contract.id, Contract.supersedes_id, Contract.starts_on).where(
            Contract.supersedes_id.is_not(None),
            Contract.quote_id.is_not(None),
            Contract.status.in_(IN_EFFECT),
            Contract.starts_on <= today,
        )
    ).all()
    ended = 0
    for new_id, old_id, new_start in successions:
        sold = (
            select(SkuVersion.sku_id)
            .join(QuoteLine, QuoteLine.sku_version_id == SkuVersion.id)
            .join(Contract, Contract.quote_id == QuoteLine.quote_id)
            .where(Contract.id == new_id)
        )
        unsold = select(SkuVersion.id).where(SkuVersion.sku_id.not_in(sold))
        last_day = new_start - timedelta(days=1)
        running = (
            Subscription.contract_id == old_id,
            Subscription.status.in_(RUNNING),
            Subscription.sku_version_id.in_(unsold),
            or_(Subscription.ends_on.is_(None), Subscription.ends_on > last_day),
        )
        # Not started by then: it never runs (end_subscription's rule, set-based).
        ended += len(
            end_where(
                uow,
                (*running, Subscription.starts_on > last_day),
                SubscriptionEnd.TERM,
                status=SubscriptionStatus.CANCELLED,
                ends_on=Subscription.starts_on,
            )
        )
        ended += len(end_where(uow, running, SubscriptionEnd.TERM, ends_on=last_day))
    return ended


def _end_at_term(uow: UnitOfWork, today: date) -> int:
    """Paid subscriptions whose last day has passed end (trials end in ``trials``)."""
    return len(
        end_where(
            uow,
            (
                Subscription.status == SubscriptionStatus.ACTIVE,
                Subscription.kind == SubscriptionKind.PAID,
                Subscription.ends_on < today,
            ),
            SubscriptionEnd.TERM,
        )
    )
