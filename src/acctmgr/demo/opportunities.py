"""Selling: the opportunities customers have open, and the ones won or lost this year."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from acctmgr.demo.load import Customer, DemoLoad
from acctmgr.models import CloseOutcome, OpportunityKind, OpportunityStage

UPSELL_NAMES = (
    "Session replay for all sites",
    "More page views",
    "Voice of Customer surveys",
    "Workshop pack",
    "Upgrade to Enterprise",
)
LOST_REASONS = ("Price", "No budget this year", "Chose a competitor", "Project postponed")
WON_REASONS = ("Value proven in the workshop", "Bundle discount", "Executive sponsor")


class _Progress(NamedTuple):
    """How far an opportunity got, and when."""

    stage: OpportunityStage
    expected: date | None
    outcome: CloseOutcome | None
    reason: str
    created: datetime
    closed_at: datetime | None


def open_opportunity(
    load: DemoLoad,
    info: Customer,
    kind: OpportunityKind,
    *,
    owner: int | None = None,
    closed: bool = False,
    case_id: int | None = None,
    amount: int | None = None,
) -> int:
    """An open (or, when ``closed``, won or lost) opportunity on the customer; returns its id.

    It belongs to ``owner``, else the customer's key account manager, else its owner; a rate
    reduction is in negotiation, closing in two weeks.
    """
    writer, chance = load.writer, load.chance
    opportunity_id = writer.new_id("opportunities")
    name = _name(load, info, kind)
    if amount is None:
        amount = chance.pick((2_400, 4_800, 9_600, 12_000, 24_000)) * 100
    progress = _progress(load, kind, closed=closed)
    writer.add(
        "opportunities",
        {
            "id": opportunity_id,
            "account_id": info.id,
            "retention_case_id": case_id,
            "owner_id": owner or info.kam_id or info.owner_id,
            "name": name,
            "kind": kind,
            "stage": progress.stage,
            "amount_minor": amount,
            "currency": info.currency,
            "expected_close_on": progress.expected,
            "outcome": progress.outcome,
            "close_reason": progress.reason,
            "closed_at": progress.closed_at,
            "created_at": progress.created,
            "updated_at": None,
            "version": 1,
        },
    )
    return opportunity_id


def _name(load: DemoLoad, info: Customer, kind: OpportunityKind) -> str:
    if kind == OpportunityKind.RENEWAL:
        return f"Renewal {info.ends_on.year if info.ends_on else load.today.year}"
    if kind == OpportunityKind.UPSELL:
        return load.chance.pick(UPSELL_NAMES)
    if kind == OpportunityKind.NEW_BUSINESS:
        return "First contract"
    return "Rate reduction"


def _progress(load: DemoLoad, kind: OpportunityKind, *, closed: bool) -> _Progress:
    """A closed one was won or lost this year; an open one is at some stage, closing soon."""
    chance = load.chance
    created = load.now - timedelta(days=chance.between(5, 60), hours=chance.between(0, 8))
    if closed:
        outcome = CloseOutcome.WON if chance.random() < 0.6 else CloseOutcome.LOST
        reason = chance.pick(WON_REASONS if outcome == CloseOutcome.WON else LOST_REASONS)
        created = load.now - timedelta(days=chance.between(60, 300))
        closed_at = created + timedelta(days=chance.between(10, 50))
        return _Progress(
            OpportunityStage.CLOSED, closed_at.date(), outcome, reason, created, closed_at
        )
    if kind == OpportunityKind.RATE_REDUCTION:
        expected = load.today + timedelta(days=14)
        return _Progress(OpportunityStage.NEGOTIATION, expected, None, "", created, None)
    stage = chance.pick(
        (
            OpportunityStage.QUALIFYING,
            OpportunityStage.PROPOSAL,
            OpportunityStage.NEGOTIATION,
        )
    )
    expected = load.today + timedelta(days=chance.between(10, 120))
    return _Progress(stage, expected, None, "", created, None)
