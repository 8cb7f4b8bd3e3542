"""What usage and overage look like to people: an account's months of usage against what is
included, with their overage lines, and the lines waiting for review."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select

from acctmgr.domain.fulfilment import OverageStatus
from acctmgr.models import Account, OverageLine, UsageRecord, User
from acctmgr.services.fulfilment import overage
from acctmgr.services.fulfilment.overage import chunks
from acctmgr.services.fulfilment.overage_day import REVIEWERS
from acctmgr.services.fulfilment.usage_files import PAGE_VIEWS
from acctmgr.services.kernel.permissions import require_role, require_segment, segment_filter
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

MONTHS_SHOWN = 12
QUEUE_LIMIT = 500


class OverageRow(ReadModel):
    id: int
    version: int
    account_id: int
    account_name: str
    metric: str
    month: date
    included: int
    used: int
    amount_minor: int
    currency: str
    status: OverageStatus
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str


class UsageMonth(ReadModel):
    """One month of one metric: what was used, what is included (None: nothing running
    includes it), and its overage line if there is one."""

    month: date
    metric: str
    used: int
    included: int | None
    overage: OverageRow | None

    @property
    def not_priced(self) -> bool:
        """Above what is included with no overage line: an import prices the months it brings,
        so this one came before acctmgr priced overage (history brought in with the accounts)."""
        return self.overage is None and self.included is not None and self.used > self.included


class AccountUsage(ReadModel):
    account_id: int
    account_name: str
    months: list[UsageMonth]  # newest first


@use_case("fulfilment.account_usage", write=False)
def account_usage(uow: UnitOfWork, account_id: int, months: int = MONTHS_SHOWN) -> AccountUsage:
    """The account's usage of its last ``months`` months imported, newest first, against what
    its running subscriptions include, with the overage lines and their review status.

    Raises NotFound for no such account, PermissionDenied for another segment's.
    """
    account = uow.get(Account, account_id, "account")
    require_segment(uow.user, account.segment_id, what="account")
    records = uow.session.execute(
        select(UsageRecord.month, UsageRecord.metric, UsageRecord.quantity)
        .where(UsageRecord.account_id == account_id)
        .order_by(UsageRecord.month.desc(), UsageRecord.metric)
        .limit(months * 4)
    ).all()
    shown = sorted({month for month, _, _ in records}, reverse=True)[:months]
    records = [record for record in records if record.month in shown]
    included = overage.included_by_month(uow, [account_id], shown)
    line_ids = uow.session.scalars(
        select(OverageLine.id).where(
            OverageLine.account_id == account_id, OverageLine.month.in_(shown)
        )
    ).all()
    lines = {(row.metric, row.month): row for row in overage_rows(uow, list(line_ids))}
    return AccountUsage(
        account_id=account.id,
        account_name=account.name,
        months=[
            UsageMonth(
                month=month,
                metric=metric,
                used=quantity,
                included=(
                    included[(account_id, month)].included
                    if metric == PAGE_VIEWS and (account_id, month) in included
                    else None
                ),
                overage=lines.get((metric, month)),
            )
            for month, metric, quantity in records
        ],
    )


@use_case("fulfilment.overage_to_review", write=False)
def overage_to_review(uow: UnitOfWork, limit: int = QUEUE_LIMIT) -> list[OverageRow]:
    """The overage lines waiting for review, oldest month first, then by account.

    Raises PermissionDenied for anyone but the reviewers (Finance and Customer Services).
    """
    require_role(uow.user, *REVIEWERS, to="review overage")
    ids = uow.session.scalars(
        select(OverageLine.id)
        .join(Account, Account.id == OverageLine.account_id)
        .where(
            OverageLine.status == OverageStatus.TO_REVIEW,
            segment_filter(uow.user, Account.segment_id),
        )
        .order_by(OverageLine.month, Account.sort_name, OverageLine.id)
        .limit(limit)
    ).all()
    return overage_rows(uow, list(ids))


def overage_rows(uow: UnitOfWork, line_ids: Sequence[int]) -> list[OverageRow]:
    """The lines as people read them, in the order of ``line_ids``."""
    found: dict[int, OverageRow] = {}
    for chunk in chunks(list(line_ids)):
        rows = uow.session.execute(
            select(OverageLine, Account.name, User.name)
            .join(Account, Account.id == OverageLine.account_id)
            .outerjoin(User, User.id == OverageLine.reviewed_by_id)
            .where(OverageLine.id.in_(chunk))
        )
        for line, account_name, reviewer in rows:
            found[line.id] = OverageRow(
                id=line.id,
                version=line.version,
                account_id=line.account_id,
                account_name=account_name,
                metric=line.metric,
                month=line.month,
                included=line.included,
                used=line.used,
                amount_minor=line.amount_minor,
                currency=line.currency,
                status=line.status,
                reviewed_by=reviewer,
                reviewed_at=line.reviewed_at,
                review_note=line.review_note,
            )
    return [found[line_id] for line_id in line_ids if line_id in found]
