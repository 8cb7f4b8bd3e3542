"""Usage brought in from a file: page views (or another metric) per account and month.

Idempotent per account, metric and month: a new month is inserted, a changed one updated, an
unchanged one counted and left alone, so the same file run again writes nothing. A file with
any rejected line writes nothing at all; a dry run writes nothing and counts the same; a file
that changes nothing writes nothing either, not even its audit event. What is
written is written in one transaction, in bulk, and the months it changed are priced for
overage (``overage``). One audit event (the import run) keeps the counts and the file's SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, text, update

from acctmgr.domain.roles import Role
from acctmgr.models import Account, ImportRun, UsageRecord
from acctmgr.services.fulfilment import overage
from acctmgr.services.fulfilment.overage import UsageKey, chunks
from acctmgr.services.fulfilment.usage_files import Rejection, UsageFile, UsageSource, read_usage
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

# Who brings usage in: Finance bills it, Customer Success watches consumption, and admins run
# the imports that feed acctmgr.
IMPORTERS = (Role.FINANCE, Role.CUSTOMER_SUCCESS, Role.ADMIN)
# Any constant will do: the key of the lock that lets one import at a time write on PostgreSQL
# (SQLite's write transactions take turns already).
IMPORT_LOCK_KEY = 170_017


class RejectedLine(ReadModel):
    line: int
    reason: str


class UsageImport(ReadModel):
    """What an import did, or (dry run, or any line rejected) would have done."""

    source: str
    sha256: str
    new: int
    changed: int
    unchanged: int
    rejected: list[RejectedLine]
    overage_to_review: int  # lines new, re-priced or back to review
    months: list[date]
    dry_run: bool
    written: bool

    def summary(self) -> str:
        """The last line the command prints: what was imported, or, when a line was rejected,
        that nothing was and what the file would have made (counts alone read as done)."""
        counts = f"new {self.new}, changed {self.changed}, unchanged {self.unchanged}"
        overage = f"overage lines to review: {self.overage_to_review}"
        if self.rejected:
            lines = "line" if len(self.rejected) == 1 else "lines"
            return (
                f"Nothing imported: {len(self.rejected)} {lines} rejected; the file would have "
                f"made {counts}, {overage}."
            )
        return f"{counts}, rejected 0; {overage}"


def import_usage(context: Context, source: UsageSource, dry_run: bool = False) -> UsageImport:
    """Bring usage in from a file (or rows), see the module doc; returns the counts and the
    rejected lines, each with its sentence. A dry run is ``check_usage``, which only reads:
    on SQLite it never holds the write lock while a big file is checked.

    Raises PermissionDenied for anyone but Finance, Customer Success and admins, InvalidInput
    for a file that cannot be read or lacks a column.
    """
    return check_usage(context, source) if dry_run else write_usage(context, source)


@use_case("fulfilment.check_usage", write=False)
def check_usage(uow: UnitOfWork, source: UsageSource) -> UsageImport:
    """What importing the file would do, written nowhere (``import_usage``'s dry run)."""
    require_role(uow.user, *IMPORTERS, to="import usage")
    return _plan(uow, read_usage(source), lock=False).result(dry_run=True, written=False)


@use_case("fulfilment.import_usage")
def write_usage(uow: UnitOfWork, source: UsageSource) -> UsageImport:
    """Import the file: nothing when any line is rejected (``import_usage``)."""
    require_role(uow.user, *IMPORTERS, to="import usage")
    usage_file = read_usage(source)
    if uow.session.get_bind().dialect.name == "postgresql":
        # Two imports of one month at once would both find its rows new, and one would fail
        # on the unique key; the second waits, then finds them there.
        uow.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})
    plan = _plan(uow, usage_file, lock=True)
    # A file that changes nothing writes nothing, not even its run: a re-run is free.
    write = not plan.rejected and bool(plan.new or plan.changed)
    result = plan.result(dry_run=False, written=write)
    if not write:
        return result
    if plan.new:
        uow.session.execute(
            insert(UsageRecord),
            [
                {"account_id": a, "metric": m, "month": month, "quantity": quantity}
                for (a, m, month), quantity in plan.new.items()
            ],
        )
    if plan.changed:
        table = cast(Table, UsageRecord.__table__)
        uow.session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(quantity=bindparam("q")),
            [
                {"b_id": plan.stored[key][0], "q": quantity}
                for key, quantity in plan.changed.items()
            ],
        )
    overage.apply_overage(uow, plan.overage)
    # The bulk statements above bypass the per-row audit: this run is their audit event.
    uow.add(
        ImportRun(
            source_name=f"usage: {usage_file.name}"[:300],
            source_sha256=usage_file.sha256,
            dry_run=False,
            run_by_id=uow.user.id,
            summary={
                "kind": "usage",
                "new": result.new,
                "changed": result.changed,
                "unchanged": result.unchanged,
                "months": [f"{month:%Y-%m}" for month in result.months],
                "overage": plan.overage.counts(),
            },
        )
    )
    return result


@dataclass(frozen=True)
class _Plan:
    """What a file would change, worked out the same for a dry run and an import."""

    usage_file: UsageFile
    usage: dict[UsageKey, int]
    rejected: list[Rejection]
    stored: dict[UsageKey, tuple[int, int]]
    new: dict[UsageKey, int]
    changed: dict[UsageKey, int]
    overage: overage.OverageChanges

    def result(self, *, dry_run: bool, written: bool) -> UsageImport:
        touched = len(self.new) + len(self.changed)
        return UsageImport(
            source=self.usage_file.name,
            sha256=self.usage_file.sha256,
            new=len(self.new),
            changed=len(self.changed),
            unchanged=len(self.usage) - touched,
            rejected=[RejectedLine(line=r.line, reason=r.reason) for r in self.rejected],
            overage_to_review=self.overage.to_review,
            months=sorted({key[2] for key in (*self.new, *self.changed)}),
            dry_run=dry_run,
            written=written,
        )


def _plan(uow: UnitOfWork, usage_file: UsageFile, *, lock: bool) -> _Plan:
    usage, rejected = _by_account(uow, usage_file)
    stored = _stored(uow, list(usage))
    new = {key: quantity for key, quantity in usage.items() if key not in stored}
    changed = {
        key: quantity
        for key, quantity in usage.items()
        if key in stored and stored[key][1] != quantity
    }
    changes = overage.plan_overage(uow, {**new, **changed}, lock=lock)
    return _Plan(usage_file, usage, rejected, stored, new, changed, changes)


def _by_account(
    uow: UnitOfWork, usage_file: UsageFile
) -> tuple[dict[UsageKey, int], list[Rejection]]:
    """The file's valid lines by account id, and every rejection (unknown accounts too)."""
    references = sorted({line.account for line in usage_file.lines})
    known: dict[str, int] = {}
    for chunk in chunks(references):
        if usage_file.by_id:
            # Past PostgreSQL's integer no account can have the id (and the query would fail).
            ids = [int(reference) for reference in chunk if int(reference) < 2**31]
            rows = uow.session.execute(select(Account.id, Account.id).where(Account.id.in_(ids)))
            known.update((str(found), account_id) for found, account_id in rows)
        else:
            rows = uow.session.execute(
                select(Account.iseries_number, Account.id).where(Account.iseries_number.in_(chunk))
            )
            known.update((str(number), account_id) for number, account_id in rows)
    what = "acctmgr id" if usage_file.by_id else "iSeries number"
    rejected = list(usage_file.rejected)
    usage: dict[UsageKey, int] = {}
    for line in usage_file.lines:
        account_id = known.get(line.account)
        if account_id is None:
            rejected.append(
                Rejection(line.line, f"Line {line.line}: no account has the {what} {line.account}.")
            )
            continue
        usage[(account_id, line.metric, line.month)] = line.quantity
    rejected.sort(key=lambda rejection: rejection.line)
    return usage, rejected


def _stored(uow: UnitOfWork, keys: list[UsageKey]) -> dict[UsageKey, tuple[int, int]]:
    """The stored (id, quantity) of each key that has a row."""
    found: dict[UsageKey, tuple[int, int]] = {}
    for (metric, month), accounts in overage.accounts_by_month(keys).items():
        for chunk in chunks(accounts):
            rows = uow.session.execute(
                select(UsageRecord.id, UsageRecord.account_id, UsageRecord.quantity).where(
                    UsageRecord.metric == metric,
                    UsageRecord.month == month,
                    UsageRecord.account_id.in_(chunk),
                )
            )
            for record_id, account_id, quantity in rows:
                found[(account_id, metric, month)] = (record_id, quantity)
    return found
