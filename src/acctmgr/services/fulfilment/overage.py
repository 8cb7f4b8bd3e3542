"""Usage above the included volume becomes an overage line, priced by the SKU's tiers.

A month's included page views come from the account's subscriptions of usage SKUs that ran in
it (active or ended, started by the month's end, not ended before its start): each includes
its version's volume times its quantity. The tiers are those of the subscription that includes
the most, in its currency, scaled by the units of its SKU that ran in the month, and
graduated: each page view above the included volume is priced at the tier it falls in, and
those between the included volume and the first tier at the first tier's price.

A line goes to review (``TO_REVIEW``) before any invoice may bill it. When a month's usage
changes, its line is priced again: one still to review takes the new figures, an approved or
waived one goes back to review with them, and one whose usage fell back within what is
included goes (when still to review) or goes back to review at nothing. Only the months an
import changed are looked at, so a month imported again unchanged changes nothing.

Set-based: a month of every account is a few queries and bulk statements, not an object a row.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update

from acctmgr.domain.catalogue import SkuKind
from acctmgr.domain.contracts import SubscriptionStatus
from acctmgr.domain.records import RecordType
from acctmgr.models import (
    AuditEvent,
    OverageLine,
    OverageStatus,
    SkuVersion,
    Subscription,
    SubscriptionEnd,
    UsageTier,
)
from acctmgr.services.fulfilment.usage_files import PAGE_VIEWS
from acctmgr.services.kernel.unit_of_work import UnitOfWork

# The subscriptions whose months are priced (see ``included_by_month``).
RAN = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.ENDED})
# What a reopened line's audit event shows before and after (those that changed).
REVIEWED = (
    "status",
    "included",
    "used",
    "amount_minor",
    "reviewed_by_id",
    "reviewed_at",
    "review_note",
)
CHUNK = 1000  # ids a query names at once (SQLite's variables, PostgreSQL's plan size)
T = TypeVar("T")
# (account id, metric, first day of the month)
UsageKey = tuple[int, str, date]
Tier = tuple[int, int]  # (from volume, unit price in minor units)


def overage_amount(used: int, included: int, tiers: Sequence[Tier]) -> int:
    """What ``used`` page views cost above ``included`` at graduated ``tiers``.

    Each unit above the included volume is priced at the tier it falls in (the last tier whose
    ``from_volume`` it is above); units between the included volume and the first tier are
    priced at the first tier's price. Nothing without tiers, or within what is included.
    """
    if used <= included or not tiers:
        return 0
    ordered = sorted(tiers)
    amount = 0
    for index, (start, price) in enumerate(ordered):
        lower = included if index == 0 else max(start, included)
        upper = ordered[index + 1][0] if index + 1 < len(ordered) else used
        units = min(used, upper) - lower
        if units > 0:
            amount += units * price
    return amount


@dataclass(frozen=True)
class Included:
    """What a month of an account's running usage subscriptions includes, and its pricing."""

    subscription_id: int
    sku_version_id: int
    included: int
    currency: str
    tiers: tuple[Tier, ...]  # scaled by the subscription's quantity

    def amount(self, used: int) -> int:
        return overage_amount(used, self.included, self.tiers)


@dataclass
class OverageChanges:
    """What an import does to overage lines; worked out first, so a dry run can count it."""

    new: list[dict[str, Any]] = field(default_factory=list)
    repriced: list[dict[str, Any]] = field(default_factory=list)  # still to review
    reopened: list[dict[str, Any]] = field(default_factory=list)  # approved or waived before
    # What each reopened line was, by id: its trail says what a review had settled.
    reviewed: dict[int, dict[str, Any]] = field(default_factory=dict)
    removed: list[int] = field(default_factory=list)  # to review, no longer above

    @property
    def to_review(self) -> int:
        return len(self.new) + len(self.repriced) + len(self.reopened)

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "repriced": len(self.repriced),
            "reopened": len(self.reopened),
            "removed": len(self.removed),
        }


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def accounts_by_month(keys: Iterable[UsageKey]) -> dict[tuple[str, date], list[int]]:
    """The accounts of each (metric, month), sorted: how stored rows are looked up, a month
    and a chunk of accounts at a time (the unique key's order)."""
    found: dict[tuple[str, date], list[int]] = defaultdict(list)
    for account_id, metric, month in keys:
        found[(metric, month)].append(account_id)
    return {key: sorted(accounts) for key, accounts in found.items()}


def included_by_month(
    uow: UnitOfWork, account_ids: Iterable[int], months: Iterable[date]
) -> dict[tuple[int, date], Included]:
    """What each account's usage subscriptions that ran in each month include (none: absent).

    Active and ended ones count, so the last month of one that has ended is still priced;
    pending ones have not started (and may yet be cancelled), cancelled ones never ran. A
    subscription replaced within a month by another that also ran in it does not count
    there: the replacement's terms are the month's, and counting both would include the
    volume twice.
    """
    accounts = sorted(set(account_ids))
    wanted = sorted(set(months))
    if not accounts or not wanted:
        return {}
    running: dict[int, list[Any]] = defaultdict(list)
    for chunk in chunks(accounts):
        rows = uow.session.execute(
            select(
                Subscription.id,
                Subscription.account_id,
                Subscription.sku_version_id,
                Subscription.quantity,
                Subscription.currency,
                Subscription.starts_on,
                Subscription.ends_on,
                Subscription.status,
                Subscription.replaces_id,
                Subscription.ended_reason,
                SkuVersion.sku_id,
                SkuVersion.included_volume,
            )
            .join(SkuVersion, SkuVersion.id == Subscription.sku_version_id)
            .where(
                # The status is checked below, not here: asked for in SQL it made SQLite read
                # every active subscription through the status index, once a chunk.
                Subscription.account_id.in_(chunk),
                SkuVersion.kind == SkuKind.USAGE,
                SkuVersion.included_volume.is_not(None),
                Subscription.starts_on <= month_end(wanted[-1]),
                Subscription.ends_on.is_(None) | (Subscription.ends_on >= wanted[0]),
            )
        )
        for row in rows:
            if row.status in RAN:
                running[row.account_id].append(row)
    tiers = _tiers(uow, {row.sku_version_id for rows in running.values() for row in rows})
    found: dict[tuple[int, date], Included] = {}
    for account_id, subscriptions in running.items():
        for month in wanted:
            within = _ran_in(subscriptions, month)
            if not within:
                continue
            plan = max(within, key=lambda sub: (sub.included_volume * sub.quantity, -sub.id))
            # The tiers are the SKU's for one unit: several subscriptions of it (an order
            # split in two) scale them by every unit, as one subscription of them all would.
            units = sum(sub.quantity for sub in within if sub.sku_id == plan.sku_id)
            found[(account_id, month)] = Included(
                subscription_id=plan.id,
                sku_version_id=plan.sku_version_id,
                included=sum(sub.included_volume * sub.quantity for sub in within),
                currency=plan.currency,
                tiers=tuple(
                    (start * units, price)
                    for start, price in tiers.get((plan.sku_version_id, plan.currency), [])
                ),
            )
    return found


def _ran_in(subscriptions: list[Any], month: date) -> list[Any]:
    last = month_end(month)
    within = [
        sub
        for sub in subscriptions
        if sub.starts_on <= last and (sub.ends_on is None or sub.ends_on >= month)
    ]
    # A subscription replaced in the month gives way to its successor: the one that names it,
    # or (one new subscription replacing several old ones names only the first) any of the
    # same SKU that starts after it ended.
    replaced = {sub.replaces_id for sub in within}
    return [
        sub
        for sub in within
        if sub.id not in replaced
        and not (
            sub.ended_reason is SubscriptionEnd.REPLACED
            and any(
                other.sku_id == sub.sku_id
                and sub.ends_on is not None
                and other.starts_on > sub.ends_on
                for other in within
            )
        )
    ]


def _tiers(uow: UnitOfWork, version_ids: set[int]) -> dict[tuple[int, str], list[Tier]]:
    found: dict[tuple[int, str], list[Tier]] = defaultdict(list)
    for chunk in chunks(sorted(version_ids)):
        rows = uow.session.execute(
            select(
                UsageTier.sku_version_id,
                UsageTier.currency,
                UsageTier.from_volume,
                UsageTier.unit_price_minor,
            ).where(UsageTier.sku_version_id.in_(chunk))
        )
        for version_id, currency, start, price in rows:
            found[(version_id, currency)].append((start, price))
    return found


def plan_overage(
    uow: UnitOfWork, usage: dict[UsageKey, int], *, lock: bool = False
) -> OverageChanges:
    """What the months in ``usage`` (new or changed figures) do to their overage lines; with
    ``lock``, the lines read stay locked until the transaction ends, so a review saved
    meanwhile waits and then finds them changed (a Conflict) rather than being overwritten."""
    keys = [key for key in usage if key[1] == PAGE_VIEWS]
    included = included_by_month(uow, (key[0] for key in keys), (key[2] for key in keys))
    existing = _existing_lines(uow, keys, lock)
    changes = OverageChanges()
    now = uow.now
    for key in keys:
        account_id, metric, month = key
        used = usage[key]
        plan = included.get((account_id, month))
        line = existing.get(key)
        above = plan is not None and used > plan.included
        if line is None:
            if plan is not None and above:
                changes.new.append(
                    {
                        "account_id": account_id,
                        "subscription_id": plan.subscription_id,
                        "sku_version_id": plan.sku_version_id,
                        "metric": metric,
                        "month": month,
                        "included": plan.included,
                        "used": used,
                        "amount_minor": plan.amount(used),
                        "currency": plan.currency,
                        "status": OverageStatus.TO_REVIEW,
                        "review_note": "",
                        "version": 1,
                        "created_at": now,
                    }
                )
            continue
        status = line.status
        if not above and status is OverageStatus.TO_REVIEW:
            changes.removed.append(line.id)
            continue
        figures = {
            "b_id": line.id,
            "b_version": line.version,
            "subscription_id": plan.subscription_id if plan else line.subscription_id,
            "sku_version_id": plan.sku_version_id if plan else line.sku_version_id,
            "included": plan.included if plan else 0,
            "used": used,
            "amount_minor": plan.amount(used) if plan else 0,
            "currency": plan.currency if plan else line.currency,
            "status": OverageStatus.TO_REVIEW,
            "version": line.version + 1,
            "updated_at": now,
        }
        if status is OverageStatus.TO_REVIEW:
            changes.repriced.append(figures)
        else:
            # Reviewed for other figures: reviewed again, by someone, for these.
            changes.reopened.append(
                {**figures, "reviewed_by_id": None, "reviewed_at": None, "review_note": ""}
            )
            changes.reviewed[line.id] = {name: getattr(line, name) for name in REVIEWED}
    return changes


def apply_overage(uow: UnitOfWork, changes: OverageChanges) -> None:
    """Write the changes in bulk (the import's audit event counts them); each line reopened
    gets its own audit event too (``_audit_reopened``)."""
    session = uow.session
    table = cast(Table, OverageLine.__table__)
    if changes.new:
        session.execute(insert(OverageLine), changes.new)
    for rows in (changes.repriced, changes.reopened):
        if rows:
            values: dict[str, Any] = {
                name: bindparam(name) for name in rows[0] if not name.startswith("b_")
            }
            session.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
                .values(values),
                rows,
            )
    for chunk in chunks(changes.removed):
        session.execute(delete(table).where(table.c.id.in_(chunk)))
    _audit_reopened(uow, changes)


def _audit_reopened(uow: UnitOfWork, changes: OverageChanges) -> None:
    """One update event per line reopened, shaped as the flush listener's, in one INSERT: a
    review a person made is undone, and the line's own trail must say so."""
    events = []
    for row in changes.reopened:
        was = changes.reviewed[row["b_id"]]
        now = {name: row[name] for name in was} | {"version": row["version"]}
        was = was | {"version": row["b_version"]}
        changed = [name for name in now if now[name] != was[name]]
        events.append(
            {
                "at": uow.now,
                "actor_id": uow.actor.id if uow.actor else None,
                "action": f"{uow.action}:reopened",
                "change": "update",
                "entity_type": RecordType.OVERAGE_LINE.value,
                "entity_id": row["b_id"],
                "before": {name: _plain(was[name]) for name in changed},
                "after": {name: _plain(now[name]) for name in changed},
            }
        )
    if events:
        uow.session.execute(insert(AuditEvent), events)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value.value if isinstance(value, OverageStatus) else value


def _existing_lines(uow: UnitOfWork, keys: list[UsageKey], lock: bool) -> dict[UsageKey, Any]:
    found: dict[UsageKey, Any] = {}
    for (metric, month), accounts in accounts_by_month(keys).items():
        for chunk in chunks(accounts):
            query = select(
                OverageLine.id,
                OverageLine.account_id,
                OverageLine.version,
                OverageLine.status,
                OverageLine.subscription_id,
                OverageLine.sku_version_id,
                OverageLine.currency,
                OverageLine.included,
                OverageLine.used,
                OverageLine.amount_minor,
                OverageLine.reviewed_by_id,
                OverageLine.reviewed_at,
                OverageLine.review_note,
            ).where(
                OverageLine.metric == metric,
                OverageLine.month == month,
                OverageLine.account_id.in_(chunk),
            )
            rows = uow.session.execute(query.with_for_update() if lock else query)
            for row in rows:
                found[(row.account_id, metric, month)] = row
    return found
