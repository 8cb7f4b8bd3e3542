"""The order situation of a key account: what a KAM looks at before a call (seed 001).

Contracts with their notice deadlines, the subscriptions running (trials among them), open and
overdue invoices, page views against the volume the contract includes, services still to be
used and the renewals coming up. Each part is one query on the account's own rows (every table
read here has an ``account_id`` index), so the read stays fast on 100,000 accounts.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from acctmgr.domain.catalogue import SkuKind
from acctmgr.models import (
    Account,
    Contract,
    ContractStatus,
    Entitlement,
    Invoice,
    InvoiceStatus,
    RenewalType,
    Sku,
    SkuVersion,
    Subscription,
    SubscriptionKind,
    SubscriptionStatus,
    UsageRecord,
    User,
)
from acctmgr.services.kernel.permissions import require_segment
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.terms import notice_deadline
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.key_accounts.cadence import last_contact, may_set_cadence

# A subscription ending this soon is flagged: the customer decides before it lapses.
ENDING_WITHIN = timedelta(days=90)
# Renewals listed: active contracts ending this soon.
RENEWALS_WITHIN = timedelta(days=120)
USAGE_MONTHS = 6
PAGE_VIEWS = "page_views"
RUNNING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING)
SETTLED = (InvoiceStatus.PAID, InvoiceStatus.CANCELLED)


class ContractLine(ReadModel):
    id: int
    number: str
    status: ContractStatus
    renewal_type: RenewalType
    term_months: int
    starts_on: date
    ends_on: date
    notice_deadline: date
    annual_value_minor: int
    currency: str


class SubscriptionLine(ReadModel):
    id: int
    sku_id: int
    sku_code: str
    product: str
    sku_kind: SkuKind
    sku_version_id: int
    included_volume: int | None
    kind: SubscriptionKind
    status: SubscriptionStatus
    quantity: int
    net_price_minor: int
    currency: str
    starts_on: date
    ends_on: date | None
    ending: bool  # ends within ENDING_WITHIN

    @property
    def is_trial(self) -> bool:
        return self.kind is SubscriptionKind.TEST


class OpenInvoice(ReadModel):
    id: int
    number: str
    status: InvoiceStatus
    issued_on: date
    due_on: date
    total_minor: int
    currency: str
    overdue: bool


class UsageMonth(ReadModel):
    month: date
    page_views: int
    included: int | None  # the active contract's monthly page views, if it has a threshold

    @property
    def over(self) -> bool:
        return self.included is not None and self.page_views > self.included


class UnusedEntitlement(ReadModel):
    id: int
    sku_code: str
    product: str
    quantity: int
    consumed: int
    consume_by: date | None

    @property
    def left(self) -> int:
        return self.quantity - self.consumed


class Renewal(ReadModel):
    contract_id: int
    number: str
    renewal_type: RenewalType
    ends_on: date
    notice_deadline: date
    annual_value_minor: int
    currency: str


class OrderSituation(ReadModel):
    account_id: int
    account_version: int
    account_name: str
    segment_id: int
    currency: str
    key_account_manager: str | None
    contact_cadence_days: int | None
    may_set_cadence: bool  # the reader is its KAM or an admin
    last_contact: datetime | None  # the latest logged call, meeting or e-mail
    today: date
    contracts: list[ContractLine]
    subscriptions: list[SubscriptionLine]
    open_invoices: list[OpenInvoice]
    usage: list[UsageMonth]
    entitlements: list[UnusedEntitlement]
    renewals: list[Renewal]

    @property
    def active_contract(self) -> ContractLine | None:
        """The contract in effect (the latest to start, should two overlap)."""
        active = [c for c in self.contracts if c.status is ContractStatus.ACTIVE]
        return max(active, key=lambda c: (c.starts_on, c.id), default=None)

    @property
    def overdue_invoices(self) -> list[OpenInvoice]:
        return [invoice for invoice in self.open_invoices if invoice.overdue]


@use_case("key_accounts.order_situation", write=False)
def order_situation(uow: UnitOfWork, account_id: int) -> OrderSituation:
    """The account's order situation as of today (see the module doc).

    Raises NotFound for no such account, PermissionDenied for another segment's.
    """
    return read_situation(uow, account_id)


def read_situation(uow: UnitOfWork, account_id: int) -> OrderSituation:
    """The order situation inside an open unit of work (upsell reads it in its own)."""
    account = visible_account(uow, account_id)
    today = uow.now.date()
    manager = None
    if account.key_account_manager_id is not None:
        manager = uow.session.scalar(
            select(User.name).where(User.id == account.key_account_manager_id)
        )
    contracts = _contracts(uow, account_id)
    active = [c for c in contracts if c.status is ContractStatus.ACTIVE]
    in_effect = max(active, key=lambda c: (c.starts_on, c.id), default=None)
    threshold = in_effect.page_view_threshold if in_effect else None
    contract_lines = [_contract_line(c) for c in contracts]
    return OrderSituation(
        account_id=account.id,
        account_version=account.version,
        account_name=account.name,
        segment_id=account.segment_id,
        currency=in_effect.currency if in_effect else account.currency,
        key_account_manager=manager,
        contact_cadence_days=account.contact_cadence_days,
        may_set_cadence=may_set_cadence(uow.user, account),
        last_contact=last_contact(uow, account_id),
        today=today,
        contracts=contract_lines,
        subscriptions=_subscriptions(uow, account_id, today),
        open_invoices=_open_invoices(uow, account_id, today),
        usage=_usage(uow, account_id, today, threshold),
        entitlements=_unused_entitlements(uow, account_id, today),
        renewals=[
            _renewal(line)
            for line in sorted(contract_lines, key=lambda c: c.ends_on)
            if line.status is ContractStatus.ACTIVE
            and today <= line.ends_on <= today + RENEWALS_WITHIN
        ],
    )


def visible_account(uow: UnitOfWork, account_id: int) -> Account:
    """The account, as long as the user works in its segment (as on the account screen)."""
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    return account


def _contracts(uow: UnitOfWork, account_id: int) -> list[Contract]:
    # Ended, superseded and cancelled contracts are history the account screen shows.
    current = (ContractStatus.ENDED, ContractStatus.SUPERSEDED, ContractStatus.CANCELLED)
    return list(
        uow.session.scalars(
            select(Contract)
            .where(Contract.account_id == account_id, Contract.status.not_in(current))
            .order_by(Contract.ends_on, Contract.id)
        )
    )


def _contract_line(contract: Contract) -> ContractLine:
    return ContractLine(
        id=contract.id,
        number=contract.number,
        status=contract.status,
        renewal_type=contract.renewal_type,
        term_months=contract.term_months,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        notice_deadline=notice_deadline(contract.ends_on, contract.notice_days),
        annual_value_minor=contract.annual_value_minor,
        currency=contract.currency,
    )


def _renewal(line: ContractLine) -> Renewal:
    return Renewal(
        contract_id=line.id,
        number=line.number,
        renewal_type=line.renewal_type,
        ends_on=line.ends_on,
        notice_deadline=line.notice_deadline,
        annual_value_minor=line.annual_value_minor,
        currency=line.currency,
    )


def _subscriptions(uow: UnitOfWork, account_id: int, today: date) -> list[SubscriptionLine]:
    rows = uow.session.execute(
        select(Subscription, SkuVersion, Sku.code)
        .join(SkuVersion, SkuVersion.id == Subscription.sku_version_id)
        .join(Sku, Sku.id == SkuVersion.sku_id)
        .where(Subscription.account_id == account_id, Subscription.status.in_(RUNNING))
        # Open-ended last on both backends (they sort NULL apart).
        .order_by(
            Subscription.kind, Subscription.ends_on.is_(None), Subscription.ends_on, Subscription.id
        )
    )
    return [
        SubscriptionLine(
            id=sub.id,
            sku_id=version.sku_id,
            sku_code=code,
            product=version.name,
            sku_kind=version.kind,
            sku_version_id=version.id,
            included_volume=version.included_volume,
            kind=sub.kind,
            status=sub.status,
            quantity=sub.quantity,
            net_price_minor=sub.net_price_minor,
            currency=sub.currency,
            starts_on=sub.starts_on,
            ends_on=sub.ends_on,
            ending=sub.ends_on is not None and today <= sub.ends_on <= today + ENDING_WITHIN,
        )
        for sub, version, code in rows
    ]


def _open_invoices(uow: UnitOfWork, account_id: int, today: date) -> list[OpenInvoice]:
    rows = uow.session.execute(
        select(
            Invoice.id,
            Invoice.number,
            Invoice.status,
            Invoice.issued_on,
            Invoice.due_on,
            Invoice.total_minor,
            Invoice.currency,
        )
        .where(Invoice.account_id == account_id, Invoice.status.not_in(SETTLED))
        .order_by(Invoice.due_on, Invoice.id)
    )
    return [
        OpenInvoice(
            id=row.id,
            number=row.number,
            status=row.status,
            issued_on=row.issued_on,
            due_on=row.due_on,
            total_minor=row.total_minor,
            currency=row.currency,
            overdue=row.due_on < today,
        )
        for row in rows
    ]


def first_of_months_back(today: date, months: int) -> date:
    """The first day of the month ``months`` before this one."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _usage(
    uow: UnitOfWork, account_id: int, today: date, threshold: int | None
) -> list[UsageMonth]:
    # The last USAGE_MONTHS months before this one: the current month is still being counted.
    since = first_of_months_back(today, USAGE_MONTHS)
    this_month = today.replace(day=1)
    rows = uow.session.execute(
        select(UsageRecord.month, UsageRecord.quantity)
        .where(
            UsageRecord.account_id == account_id,
            UsageRecord.metric == PAGE_VIEWS,
            UsageRecord.month >= since,
            UsageRecord.month < this_month,
        )
        .order_by(UsageRecord.month)
    )
    return [UsageMonth(month=month, page_views=views, included=threshold) for month, views in rows]


def _unused_entitlements(uow: UnitOfWork, account_id: int, today: date) -> list[UnusedEntitlement]:
    rows = uow.session.execute(
        select(Entitlement, SkuVersion.name, Sku.code)
        .join(SkuVersion, SkuVersion.id == Entitlement.sku_version_id)
        .join(Sku, Sku.id == SkuVersion.sku_id)
        .where(
            Entitlement.account_id == account_id,
            Entitlement.quantity - Entitlement.consumed > 0,
            # Past its deadline a service can no longer be used: it is lost, not unused.
            or_(Entitlement.consume_by.is_(None), Entitlement.consume_by >= today),
        )
        .order_by(Entitlement.consume_by.is_(None), Entitlement.consume_by, Entitlement.id)
    )
    return [
        UnusedEntitlement(
            id=entitlement.id,
            sku_code=code,
            product=name,
            quantity=entitlement.quantity,
            consumed=entitlement.consumed,
            consume_by=entitlement.consume_by,
        )
        for entitlement, name, code in rows
    ]
