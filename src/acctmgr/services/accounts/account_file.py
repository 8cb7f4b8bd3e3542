"""Everything on one account, tab by tab: contracts, subscriptions, invoices, cases, timeline.

Each tab is its own read, so the account screen opens at once and loads a tab when it is shown.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import String, cast, select, union_all

from acctmgr.domain.records import RecordType
from acctmgr.models import (
    Account,
    Activity,
    AuditEvent,
    CloseOutcome,
    Contract,
    ContractStatus,
    Invoice,
    InvoiceStatus,
    Opportunity,
    Quote,
    RenewalType,
    RetentionCase,
    SkuVersion,
    Subscription,
    SubscriptionKind,
    SubscriptionStatus,
    User,
)
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

TIMELINE_LIMIT = 200


class ContractRow(ReadModel):
    id: int
    number: str
    status: ContractStatus
    renewal_type: RenewalType
    starts_on: date
    ends_on: date
    notice_days: int
    annual_value_minor: int
    currency: str


class SubscriptionRow(ReadModel):
    id: int
    product: str
    kind: SubscriptionKind
    status: SubscriptionStatus
    quantity: int
    net_price_minor: int
    currency: str
    starts_on: date
    ends_on: date | None


class InvoiceRow(ReadModel):
    id: int
    number: str
    status: InvoiceStatus
    issued_on: date
    due_on: date
    total_minor: int
    currency: str


class CaseRow(ReadModel):
    """A retention case or an opportunity on the account."""

    record_type: RecordType
    id: int
    title: str
    stage: str
    owner: str | None
    opened: datetime
    outcome: CloseOutcome | None


class TimelineEvent(ReadModel):
    at: datetime
    kind: str
    text: str
    who: str | None


def _account(uow: UnitOfWork, account_id: int) -> Account:
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    return account


@use_case("accounts.contracts", write=False)
def contracts(uow: UnitOfWork, account_id: int) -> list[ContractRow]:
    """The account's contracts, newest first."""
    _account(uow, account_id)
    rows = uow.session.scalars(
        select(Contract)
        .where(Contract.account_id == account_id)
        .order_by(Contract.starts_on.desc())
    )
    return [ContractRow.model_validate(row) for row in rows]


@use_case("accounts.subscriptions", write=False)
def subscriptions(uow: UnitOfWork, account_id: int) -> list[SubscriptionRow]:
    """The account's subscriptions with the product of the SKU version they were sold as."""
    _account(uow, account_id)
    rows = uow.session.execute(
        select(Subscription, SkuVersion.name)
        .join(SkuVersion, SkuVersion.id == Subscription.sku_version_id)
        .where(Subscription.account_id == account_id)
        .order_by(Subscription.starts_on.desc(), Subscription.id)
    )
    return [
        SubscriptionRow(
            id=sub.id,
            product=name,
            kind=sub.kind,
            status=sub.status,
            quantity=sub.quantity,
            net_price_minor=sub.net_price_minor,
            currency=sub.currency,
            starts_on=sub.starts_on,
            ends_on=sub.ends_on,
        )
        for sub, name in rows
    ]


@use_case("accounts.invoices", write=False)
def invoices(uow: UnitOfWork, account_id: int) -> list[InvoiceRow]:
    """The account's invoices, newest first."""
    _account(uow, account_id)
    rows = uow.session.scalars(
        select(Invoice).where(Invoice.account_id == account_id).order_by(Invoice.issued_on.desc())
    )
    return [InvoiceRow.model_validate(row) for row in rows]


@use_case("accounts.cases", write=False)
def cases_and_opportunities(uow: UnitOfWork, account_id: int) -> list[CaseRow]:
    """Retention cases, opportunities and quotes on the account, newest first."""
    _account(uow, account_id)
    case_rows = uow.session.execute(
        select(RetentionCase, User.name)
        .outerjoin(User, User.id == RetentionCase.assigned_to_id)
        .where(RetentionCase.account_id == account_id)
    )
    opportunity_rows = uow.session.execute(
        select(Opportunity, User.name)
        .join(User, User.id == Opportunity.owner_id)
        .where(Opportunity.account_id == account_id)
    )
    items = (
        [
            CaseRow(
                record_type=RecordType.RETENTION_CASE,
                id=case.id,
                title=f"Retention case {case.number}",
                stage=case.step.value.replace("_", " "),
                owner=owner,
                opened=case.created_at,
                outcome=case.outcome,
            )
            for case, owner in case_rows
        ]
        + [
            CaseRow(
                record_type=RecordType.OPPORTUNITY,
                id=opportunity.id,
                title=opportunity.name,
                stage=opportunity.stage.value,
                owner=owner,
                opened=opportunity.created_at,
                outcome=opportunity.outcome,
            )
            for opportunity, owner in opportunity_rows
        ]
        + [
            CaseRow(
                record_type=RecordType.QUOTE,
                id=quote.id,
                title=_quote_title(quote),
                stage=quote.status.value.replace("_", " "),
                owner=owner,
                opened=quote.created_at,
                outcome=None,
            )
            for quote, owner in uow.session.execute(
                select(Quote, User.name)
                .join(User, User.id == Quote.owner_id)
                .where(Quote.account_id == account_id)
            )
        ]
    )
    return sorted(items, key=lambda item: item.opened, reverse=True)


def _quote_title(quote: Quote) -> str:
    return f"Quote {quote.number}: {format_money(quote.net_total_minor, quote.currency)}"


@use_case("accounts.timeline", write=False)
def timeline(uow: UnitOfWork, account_id: int, limit: int = TIMELINE_LIMIT) -> list[TimelineEvent]:
    """Every event on the account, newest first: activities and the audit trail of the account
    and of its contracts, cases, opportunities and invoices."""
    _account(uow, account_id)
    activity_events = (
        select(
            Activity.created_at.label("at"),
            cast(Activity.kind, String).label("kind"),
            Activity.subject.label("text"),
            Activity.created_by_id.label("who_id"),
        )
        .where(Activity.account_id == account_id)
        .order_by(Activity.created_at.desc())
        .limit(limit)
    )
    related: dict[RecordType, Any] = {
        RecordType.ACCOUNT: [account_id],
        RecordType.CONTRACT: select(Contract.id).where(Contract.account_id == account_id),
        RecordType.RETENTION_CASE: select(RetentionCase.id).where(
            RetentionCase.account_id == account_id
        ),
        RecordType.OPPORTUNITY: select(Opportunity.id).where(Opportunity.account_id == account_id),
        RecordType.INVOICE: select(Invoice.id).where(Invoice.account_id == account_id),
    }
    audit_queries = [
        select(
            AuditEvent.at.label("at"),
            AuditEvent.change.label("kind"),
            # Read as text: the kind and the action, which _describe takes apart again.
            (cast(AuditEvent.entity_type, String) + " " + AuditEvent.action).label("text"),
            AuditEvent.actor_id.label("who_id"),
        )
        .where(AuditEvent.entity_type == entity, AuditEvent.entity_id.in_(ids))
        .order_by(AuditEvent.at.desc())
        .limit(limit)
        for entity, ids in related.items()
    ]
    combined = union_all(
        activity_events.subquery().select(), *(q.subquery().select() for q in audit_queries)
    ).subquery()
    rows = uow.session.execute(
        select(combined, User.name.label("who"))
        .outerjoin(User, User.id == combined.c.who_id)
        .order_by(combined.c.at.desc())
        .limit(limit)
    )
    return [
        TimelineEvent(
            at=_aware(row.at),
            kind=str(row.kind),
            text=_describe(str(row.kind), str(row.text)),
            who=row.who,
        )
        for row in rows
    ]


def _describe(kind: str, text: str) -> str:
    if kind in {"insert", "update", "delete", "decision"}:
        entity, _, action = text.partition(" ")
        noun = RecordType(entity).label
        verb = {"insert": "created", "update": "changed", "delete": "deleted"}.get(kind, kind)
        return f"{noun} {verb} ({action})"
    return text


def _aware(value: datetime) -> datetime:
    # A UNION loses the column type, so SQLite hands back naive UTC wall time (or a string).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
