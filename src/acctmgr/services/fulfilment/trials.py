"""Trial subscriptions: confirmed by the customer they convert to paid; left unconfirmed they
end on their date, and the Key Account Manager gets a task to follow up.

A trial converts once: the paid subscription it becomes is the one of its order line's kind
"paid" (a unique key), so a second confirmation, from another screen or a stale one, is
refused instead of starting a second paid subscription.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import (
    Account,
    Contract,
    OrderLine,
    SkuVersion,
    Subscription,
    SubscriptionEnd,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.services.fulfilment import follow_ups
from acctmgr.services.fulfilment.bulk_changes import end_where
from acctmgr.services.fulfilment.provisioning import RUNNING
from acctmgr.services.fulfilment.trial_day import TRIAL_LOOKAHEAD
from acctmgr.services.kernel.day_sections import LIST_LIMIT
from acctmgr.services.kernel.permissions import require_segment, segment_filter
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

CONFIRMED_ALREADY = "This trial was confirmed already; its paid subscription runs from {day}."


class Converted(ReadModel):
    trial_id: int
    paid_id: int
    starts_on: date
    ends_on: date | None
    net_price_minor: int
    version: int  # of the trial, as ended


@use_case("fulfilment.confirm_trial")
def confirm_trial(uow: UnitOfWork, subscription_id: int, expected_version: int) -> Converted:
    """The customer confirmed a running trial: it ends today (converted) and a paid
    subscription of the same order line runs from tomorrow to the line's end at its price.

    Only the account's Key Account Manager or Customer Services confirm (PermissionDenied);
    InvalidInput for a subscription that is not a trial, a trial confirmed already or ended,
    one not yet started, or one with no order line to price it from; Conflict for a stale copy.
    """
    trial = uow.get(Subscription, subscription_id, "subscription")
    account = uow.get(Account, trial.account_id, "account")
    require_segment(uow.user, account.segment_id, what="subscription")
    if not (uow.user.has(Role.CUSTOMER_SERVICES) or account.key_account_manager_id == uow.user.id):
        raise PermissionDenied(
            "Only the account's Key Account Manager or Customer Services can confirm a trial."
        )
    uow.expect_version(trial, expected_version, "subscription")
    _refuse_unconfirmable(uow, trial)
    line = uow.session.get(OrderLine, trial.order_line_id) if trial.order_line_id else None
    if line is None:
        raise InvalidInput(
            "This trial came with no order line, so there is no price to convert it at; "
            "sell the subscription on a quote instead."
        )
    today = uow.now.date()
    contract = uow.session.get(Contract, trial.contract_id) if trial.contract_id else None
    trial.status = SubscriptionStatus.ENDED
    trial.ended_reason = SubscriptionEnd.CONVERTED
    trial.ends_on = today
    paid = Subscription(
        account_id=trial.account_id,
        contract_id=trial.contract_id,
        order_id=trial.order_id,
        order_line_id=line.id,
        sku_version_id=trial.sku_version_id,
        kind=SubscriptionKind.PAID,
        # The worker starts it tomorrow, re-pricing a superseded contract's one if need be.
        status=SubscriptionStatus.PENDING,
        quantity=line.quantity,
        list_price_minor=line.list_price_minor,
        net_price_minor=line.unit_net_minor,
        currency=trial.currency,
        starts_on=today + timedelta(days=1),
        ends_on=line.ends_on or (contract.ends_on if contract else None),
        replaces_id=trial.id,
    )
    try:
        with uow.session.begin_nested():
            uow.add(paid)
    except IntegrityError:
        raise InvalidInput(CONFIRMED_ALREADY.format(day=f"{today:%d %b %Y}")) from None
    return Converted(
        trial_id=trial.id,
        paid_id=paid.id,
        starts_on=paid.starts_on,
        ends_on=paid.ends_on,
        net_price_minor=paid.net_price_minor,
        version=trial.version,
    )


def _refuse_unconfirmable(uow: UnitOfWork, trial: Subscription) -> None:
    if trial.kind is not SubscriptionKind.TEST:
        raise InvalidInput("This subscription is paid already, not a trial.")
    if trial.ended_reason is SubscriptionEnd.CONVERTED:
        paid = uow.session.scalars(
            select(Subscription.starts_on).where(Subscription.replaces_id == trial.id)
        ).first()
        raise InvalidInput(CONFIRMED_ALREADY.format(day=f"{paid or trial.ends_on:%d %b %Y}"))
    if trial.status in (SubscriptionStatus.ENDED, SubscriptionStatus.CANCELLED) or (
        trial.ends_on is not None and trial.ends_on < uow.now.date()
    ):
        ended = f" on {trial.ends_on:%d %b %Y}" if trial.ends_on else ""
        raise InvalidInput(
            f"This trial ended{ended} and can no longer be confirmed; sell the subscription "
            "on a new quote instead."
        )
    if (not_yet := not_running_yet(trial.status, trial.starts_on)) is not None:
        raise InvalidInput(not_yet)


def not_running_yet(status: SubscriptionStatus, starts_on: date) -> str | None:
    """Why a trial not started yet cannot be confirmed (None once it runs): the entitlements
    screen says it instead of asking a question whose yes would only be refused."""
    if status is not SubscriptionStatus.PENDING:
        return None
    return f"This trial starts on {starts_on:%d %b %Y}; it can be confirmed once it runs."


def end_unconfirmed(uow: UnitOfWork, today: date) -> int:
    """End the trials whose last day has passed unconfirmed, each with a task to its account's
    Key Account Manager, once (the rows this UPDATE ended); returns how many."""
    ended = end_where(
        uow,
        (
            Subscription.status == SubscriptionStatus.ACTIVE,
            Subscription.kind == SubscriptionKind.TEST,
            Subscription.ends_on < today,
        ),
        SubscriptionEnd.TRIAL_ENDED,
    )
    audiences = follow_ups.audiences(uow, (row.account_id for row in ended))
    names = follow_ups.sku_names(uow, {row.sku_version_id for row in ended})
    for row in ended:
        audience = audiences[row.account_id]
        follow_ups.add_task(
            uow,
            audience,
            f"Trial ended unconfirmed: {names[row.sku_version_id]} for {audience.account_name}",
            f"The trial ran until {row.ends_on:%d %b %Y} and nobody confirmed it. Ask the "
            "customer whether to sell it on a quote.",
            (RecordType.SUBSCRIPTION, row.id),
        )
    uow.session.flush()
    return len(ended)


class TrialEnding(ReadModel):
    subscription_id: int
    account_id: int
    account_name: str
    product: str
    ends_on: date
    version: int


@use_case("fulfilment.trials_ending", write=False)
def trials_ending(uow: UnitOfWork) -> list[TrialEnding]:
    """The running trials of the user's key accounts (as their KAM) ending from today to two
    weeks on, soonest first (My day's section, read with the ORM); none for other roles."""
    if not uow.user.has(Role.KEY_ACCOUNT_MANAGER):
        return []
    today = uow.now.date()
    rows = uow.session.execute(
        select(
            Subscription.id.label("subscription_id"),
            Subscription.account_id,
            Account.name.label("account_name"),
            SkuVersion.name.label("product"),
            Subscription.ends_on,
            Subscription.version,
        )
        .join(Account, Account.id == Subscription.account_id)
        .join(SkuVersion, SkuVersion.id == Subscription.sku_version_id)
        .where(
            Subscription.kind == SubscriptionKind.TEST,
            Subscription.status.in_(RUNNING),
            Subscription.ends_on >= today,
            Subscription.ends_on <= today + TRIAL_LOOKAHEAD,
            Account.key_account_manager_id == uow.user.id,
            segment_filter(uow.user, Account.segment_id),
        )
        .order_by(Subscription.ends_on, Subscription.id)
        .limit(LIST_LIMIT)
    )
    return [TrialEnding.model_validate(row._mapping) for row in rows]
