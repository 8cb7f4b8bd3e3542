"""The records the approvals engine approves, each plugged in as a ``RecordKind``.

A kind says how to read a record's facts, owner and segment (as an ``Approvable``), how to lock
it while it waits, and what approval or rejection does to it. Quotes are the first kind; offers
and purchase-order exceptions come next. The engine depends on no record's module: each kind
is registered with it by ``services.bootstrap``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import Account, ApprovalRequestStatus
from acctmgr.services.kernel.calendar import BusinessCalendar, calendar_for
from acctmgr.services.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Approvable:
    """What the engine needs to know about a record to route and check its approvals."""

    record_type: RecordType
    record_id: int
    version: int
    label: str  # "quote Q-000123 for Acme Ltd", for the inbox and sentences
    owner_id: int | None
    segment_id: int | None
    account_id: int | None
    facts: dict[str, Any]  # the values rule conditions look at


@dataclass(frozen=True)
class RecordSummary:
    """A record as its approval screen shows it, whatever its kind: a few facts in words and
    the lines an approver reads before deciding (a quote's lines with their prices)."""

    facts: list[tuple[str, str]]
    details: list[str]


class RecordKind(Protocol):
    """A type of record the engine approves; see ``services.sales.quote_approval``."""

    record_type: RecordType
    facts: tuple[str, ...]  # the names of the facts its rules may look at

    def load(self, uow: UnitOfWork, record_id: int) -> Approvable:
        """The record as the engine sees it; NotFound when there is no such record."""
        ...

    def summary(self, uow: UnitOfWork, record_id: int) -> RecordSummary:
        """The record in words for its approval screen."""
        ...

    def lock(self, uow: UnitOfWork, record_id: int) -> None:
        """The record was submitted: lock it against edits while it waits."""

    def decided(
        self, uow: UnitOfWork, record_id: int, status: ApprovalRequestStatus, comment: str
    ) -> None:
        """The request ended (approved, rejected or recalled): update the record."""


KINDS: dict[str, RecordKind] = {}


def register(kind: RecordKind) -> None:
    """Make a record type approvable; ``services.bootstrap`` registers each kind at start."""
    KINDS[kind.record_type] = kind


def kind_of(record_type: RecordType) -> RecordKind:
    """The registered kind of ``record_type``; InvalidInput when such records are not approved."""
    try:
        return KINDS[record_type]
    except KeyError:
        raise InvalidInput(f"Records of type {record_type!r} cannot be approved.") from None


def known_facts() -> tuple[str, ...]:
    """The names of the facts rules may look at, over every registered kind."""
    return tuple(dict.fromkeys(name for kind in KINDS.values() for name in kind.facts))


def record_of(uow: UnitOfWork, record_type: RecordType, record_id: int) -> Approvable:
    """The approvable view of a record (its label, owner, segment and facts)."""
    return kind_of(record_type).load(uow, record_id)


def calendar_of(uow: UnitOfWork, record: Approvable) -> BusinessCalendar:
    """The business calendar the record's deadlines count in: its account's country's (its
    billing country), or the default country's for a record without one."""
    account = uow.session.get(Account, record.account_id) if record.account_id else None
    return calendar_for(account.billing_country if account else None)


def snapshot_of(record: Approvable) -> dict[str, Any]:
    """The record's facts as a request keeps them: as JSON holds them (numbers as exact text)."""
    return {key: jsonable(value) for key, value in record.facts.items()}


def jsonable(value: Any) -> Any:
    """A fact's value as a snapshot keeps it; Decimals as text, so they compare exactly."""
    if isinstance(value, Decimal):
        return str(value)
    return value
