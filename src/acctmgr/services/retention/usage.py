"""The CMS's first step: review what the customer has, uses and pays before talking price."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from acctmgr.errors import InvalidInput
from acctmgr.models import (
    ActivityKind,
    Contract,
    Invoice,
    RetentionStep,
    SkuVersion,
    Subscription,
    SubscriptionKind,
    UsageRecord,
)
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.retention import records, stages, views
from acctmgr.services.retention.inputs import UsageReviewIn
from acctmgr.services.retention.stages import Stage
from acctmgr.services.retention.views import (
    CaseView,
    InvoiceLine,
    SubscriptionLine,
    UsageMonth,
    UsageReview,
)


@use_case("retention.usage", write=False)
def usage_review(uow: UnitOfWork, case_id: int) -> UsageReview:
    """The account's subscriptions, usage against its threshold, and a year of invoices.

    Raises NotFound for no such case, PermissionDenied for another segment's.
    """
    case = records.case(uow, case_id)
    today = uow.now.date()
    contract = uow.session.get(Contract, case.contract_id) if case.contract_id else None
    subscriptions = _paid_subscriptions(uow, case.account_id)
    monthly = None
    if contract and contract.page_view_threshold:
        monthly = contract.page_view_threshold // 12
    usage = _usage_since(uow, case.account_id, date(today.year - 1, today.month, 1), monthly)
    invoices = _invoices_since(uow, case.account_id, today - timedelta(days=365))
    account = records.account(uow, case.account_id)
    return UsageReview(
        currency=contract.currency if contract else account.currency,
        subscriptions=subscriptions,
        usage=usage,
        invoices=invoices,
        invoiced_12_months_minor=sum(invoice.total_minor for invoice in invoices),
    )


@use_case("retention.review_usage")
def complete_usage_review(
    uow: UnitOfWork, case_id: int, expected_version: int, data: UsageReviewIn
) -> CaseView:
    """The CMS has reviewed usage and services; their findings are kept on the case.

    Raises InvalidInput without findings or at another step, PermissionDenied for anyone
    but the case's holder, Conflict when the case changed since ``expected_version``.
    """
    notes = data.notes
    case = stages.holding(uow, case_id, expected_version, RetentionStep.USAGE_REVIEW)
    if not notes.strip():
        raise InvalidInput("Write down what the usage review found.", field="notes")
    records.log_activity(
        uow, case, ActivityKind.NOTE, "Usage and services reviewed", notes=notes.strip()
    )
    case.step = RetentionStep.OPPORTUNITY
    stages.step_done(uow, case, Stage.USAGE, {"notes": notes.strip()})
    return views.case_view(uow, case)


def _paid_subscriptions(uow: UnitOfWork, account_id: int) -> list[SubscriptionLine]:
    rows = uow.session.execute(
        select(Subscription, SkuVersion.name)
        .join(SkuVersion, SkuVersion.id == Subscription.sku_version_id)
        .where(Subscription.account_id == account_id, Subscription.kind == SubscriptionKind.PAID)
        .order_by(Subscription.status, Subscription.id)
        .limit(100)
    ).all()
    return [
        SubscriptionLine(
            description=name,
            quantity=sub.quantity,
            list_price_minor=sub.list_price_minor,
            net_price_minor=sub.net_price_minor,
            status=sub.status.value,
        )
        for sub, name in rows
    ]


def _usage_since(
    uow: UnitOfWork, account_id: int, since: date, included: int | None
) -> list[UsageMonth]:
    usage = uow.session.scalars(
        select(UsageRecord)
        .where(UsageRecord.account_id == account_id, UsageRecord.month >= since)
        .order_by(UsageRecord.month)
    )
    return [
        UsageMonth(month=record.month, page_views=record.quantity, included=included)
        for record in usage
    ]


def _invoices_since(uow: UnitOfWork, account_id: int, since: date) -> list[InvoiceLine]:
    invoices = uow.session.scalars(
        select(Invoice)
        .where(Invoice.account_id == account_id, Invoice.issued_on >= since)
        .order_by(Invoice.issued_on.desc())
    )
    return [
        InvoiceLine(
            number=invoice.number,
            issued_on=invoice.issued_on,
            total_minor=invoice.total_minor,
            status=invoice.status.value,
        )
        for invoice in invoices
    ]
