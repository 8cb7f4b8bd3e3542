"""Rows for tests whose records have no use case yet (contracts, cases, approvals...)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from acctmgr.domain.roles import Role
from acctmgr.models import (
    Activity,
    ActivityKind,
    Approval,
    ApprovalRequest,
    ApprovalRequestStatus,
    ApprovalStatus,
    Contract,
    ContractStatus,
    Quote,
    QuoteStatus,
    RenewalType,
    RetentionCase,
    RetentionStep,
    Sku,
    SkuKind,
    SkuVersion,
    Subscription,
    SubscriptionKind,
    SubscriptionStatus,
    User,
)
from acctmgr.models.base import Base
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import users as user_service


def user_id(context: Context, login: str) -> int:
    with context.database.read_session() as session:
        found = session.scalar(select(User.id).where(User.login == login))
    assert found is not None
    return found


def insert(context: Context, record: Base) -> Any:
    """Insert one row outside any use case and return its id."""
    with context.database.write_session() as session:
        session.add(record)
        session.commit()
        return record.id  # type: ignore[attr-defined]


def task(
    context: Context,
    login: str,
    subject: str,
    due: datetime,
    *,
    account_id: int | None = None,
    done: bool = False,
) -> int:
    now = context.clock.now()
    return int(
        insert(
            context,
            Activity(
                kind=ActivityKind.TASK,
                subject=subject,
                account_id=account_id,
                created_by_id=user_id(context, "admin"),
                assigned_to_id=user_id(context, login),
                due_at=due,
                done_at=now if done else None,
                created_at=now - timedelta(days=3),
            ),
        )
    )


def contract(
    context: Context,
    account_id: int,
    number: str,
    ends_on: date,
    *,
    notice_days: int = 60,
    annual_value: int = 1_200_00,
) -> int:
    """An active one-year USD contract in the United States, ending on ``ends_on``."""
    return int(
        insert(
            context,
            Contract(
                number=number,
                account_id=account_id,
                status=ContractStatus.ACTIVE,
                renewal_type=RenewalType.FIXED_TERM,
                starts_on=ends_on - timedelta(days=365),
                ends_on=ends_on,
                notice_days=notice_days,
                currency="USD",
                annual_value_minor=annual_value,
                territory="US",
                created_at=context.clock.now(),
            ),
        )
    )


def retention_case(
    context: Context, account_id: int, number: str, *, opened_by: str, assigned_to: str | None
) -> int:
    return int(
        insert(
            context,
            RetentionCase(
                number=number,
                account_id=account_id,
                opened_by_id=user_id(context, opened_by),
                assigned_to_id=user_id(context, assigned_to) if assigned_to else None,
                step=RetentionStep.IN_QUEUE if assigned_to is None else RetentionStep.USAGE_REVIEW,
                created_at=context.clock.now(),
            ),
        )
    )


def pending_quote_approval(
    context: Context, account_id: int, number: str, *, submitter: str, approver: str
) -> int:
    now = context.clock.now()
    quote_id = insert(
        context,
        Quote(
            number=number,
            account_id=account_id,
            owner_id=user_id(context, submitter),
            status=QuoteStatus.PENDING_APPROVAL,
            currency="USD",
            created_at=now,
        ),
    )
    request = ApprovalRequest(
        record_type="quote",
        record_id=quote_id,
        record_version=1,
        submitted_by_id=user_id(context, submitter),
        status=ApprovalRequestStatus.PENDING,
        submitted_at=now,
        created_at=now,
    )
    request.approvals = [
        Approval(
            tier=1,
            approver_id=user_id(context, approver),
            status=ApprovalStatus.PENDING,
            due_at=now + timedelta(days=2),
            created_at=now,
        )
    ]
    return int(insert(context, request))


def subscription(
    context: Context,
    account_id: int,
    contract_id: int,
    code: str,
    *,
    quantity: int,
    list_price: int,
    net_price: int,
    version_id: int | None = None,
    currency: str = "USD",
) -> int:
    """A paid, active subscription on a contract: of the catalogue SKU version ``version_id``,
    or of the SKU called ``code`` (made the first time it is asked for)."""
    now = context.clock.now()
    with context.database.write_session() as session:
        if version_id is None:
            version_id = session.scalar(select(Sku.current_version_id).where(Sku.code == code))
        if version_id is None:
            sku = Sku(code=code, created_at=now)
            session.add(sku)
            session.flush()
            version = SkuVersion(
                sku_id=sku.id,
                number=1,
                name=f"{code} plan",
                kind=SkuKind.SUBSCRIPTION,
                created_at=now,
            )
            session.add(version)
            session.flush()
            sku.current_version_id = version.id
            version_id = version.id
        sub = Subscription(
            account_id=account_id,
            contract_id=contract_id,
            sku_version_id=version_id,
            kind=SubscriptionKind.PAID,
            status=SubscriptionStatus.ACTIVE,
            quantity=quantity,
            list_price_minor=list_price,
            net_price_minor=net_price,
            currency=currency,
            starts_on=now.date() - timedelta(days=200),
            created_at=now,
        )
        session.add(sub)
        session.commit()
        return sub.id


def hire(admin: Context, *people: tuple[str, str, str | None, Role]) -> None:
    """Users through the use case: (login, name, segment code or None, role) each, e-mailed
    at login@example.com."""
    for login, name, segment, role in people:
        user_service.create_user(
            admin,
            user_service.UserIn(
                login=login,
                name=name,
                email=f"{login}@example.com",
                segment_code=segment,
                roles=frozenset({role}),
            ),
        )
