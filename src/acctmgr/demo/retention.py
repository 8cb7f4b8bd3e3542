"""Retention: customers asking for a lower rate, and the reductions waiting for approval.

About one active customer in a hundred has an open case, in the queue or with a contract
manager; featured and a few other customers have a rate reduction at its approval step, with the
opportunity, placeholder request, quote and pending approval it takes to get there. The approval
rule says rate reductions need the account's Segment Leader.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from acctmgr.demo.activity import log_activity
from acctmgr.demo.contracts import NOTICE_DAYS
from acctmgr.demo.dates import add_months
from acctmgr.demo.featured import APPROVAL_FEATURED, CMS_CASE_FEATURED, QUEUE_CASE_FEATURED
from acctmgr.demo.load import Customer, DemoLoad
from acctmgr.demo.opportunities import open_opportunity
from acctmgr.demo.skus import SKU_BY_CODE
from acctmgr.demo.writer import BulkWriter, Row
from acctmgr.models import (
    ActivityKind,
    ApprovalRequestStatus,
    ApprovalStatus,
    GroupMode,
    OpportunityKind,
    PlaceholderStatus,
    QuoteStatus,
    RetentionStep,
)
from acctmgr.services.approvals.rules import DEFAULT_RULES, RATE_REDUCTION_RULE
from acctmgr.services.kernel.money import HUNDRED, discount_of, line_net

REQUESTED_PCTS = (5, 10, 15, 20, 25)
CASE_REASONS = (
    "Budget cut for next year; asks for a lower rate to stay.",
    "Traffic fell after the site relaunch; wants fewer page views.",
    "A competitor offered a lower price.",
    "Closing two of their sites; needs a smaller plan.",
    "New procurement policy caps software spend.",
)


def add_approval_rule(writer: BulkWriter, now: datetime) -> int:
    """Write the shipped approval rules; returns the id of the rate-reduction one.

    They are the rules a new database starts with (``approvals.DEFAULT_RULES``): rate
    reductions need the Segment Leader, PO exceptions and on-site support Customer Success,
    discounts above 30% Finance.
    """
    ids = {}
    for rule in DEFAULT_RULES:
        ids[rule.name] = rule_id = writer.new_id("approval_rules")
        writer.add(
            "approval_rules",
            {
                "id": rule_id,
                "name": rule.name,
                "record_type": rule.record_type,
                "condition": rule.condition,
                "tier": rule.tier,
                "approver_kind": rule.approver_kind,
                "approver_user_id": None,
                "approver_role": rule.approver_role,
                "approver_group_id": None,
                "group_mode": rule.group_mode,
                "sla_hours": rule.sla_hours,
                "reminder_hours": rule.reminder_hours,
                "active": True,
                "created_at": now - timedelta(days=200),
                "updated_at": None,
                "version": 1,
            },
        )
    return ids[RATE_REDUCTION_RULE]


def open_retention_case(
    load: DemoLoad,
    info: Customer,
    assigned_to: int | None,
    step: RetentionStep,
    created: datetime,
    asked: tuple[int, Decimal] | None = None,
) -> tuple[int, int, Decimal]:
    """A rate-reduction case; returns its id, the reduction asked for and its percentage.

    ``asked`` is the reduction a year and its percentage of the current rate, when the story
    has decided it; otherwise the customer asks for a round percentage.
    """
    writer, chance = load.writer, load.chance
    assert info.ends_on is not None
    case_id = writer.new_id("retention_cases")
    if asked is None:
        pct = Decimal(chance.pick(REQUESTED_PCTS))
        reduction = current_rate(info) * int(pct) // 10_000 * 100
    else:
        reduction, pct = asked
    deadline = info.ends_on - timedelta(days=NOTICE_DAYS)
    effective = info.ends_on + timedelta(days=1)
    if load.today > deadline:
        effective = add_months(effective, 12)
    writer.add(
        "retention_cases",
        {
            "id": case_id,
            "number": f"RC-{case_id:06d}",
            "account_id": info.id,
            "contract_id": info.contract_id,
            "contact_id": info.contact_id,
            "opened_by_id": info.owner_id,
            "assigned_to_id": assigned_to,
            "step": step,
            "reason": chance.pick(CASE_REASONS),
            "requested_reduction_minor": reduction,
            "requested_reduction_pct": pct,
            "customer_informed_of_terms": True,
            "notice_deadline": deadline,
            "earliest_effective_date": effective,
            "outcome": None,
            "close_reason": "",
            "closed_at": None,
            "created_at": created,
            "updated_at": None,
            "version": 1,
        },
    )
    return case_id, reduction, pct


def tell_retention_stories(load: DemoLoad) -> None:
    """Open cases (~1% of accounts) and the rate reductions waiting for approval."""
    chance = load.chance
    cms = load.staff.user_ids["cms"]

    def case(info: Customer, assigned_to: int | None) -> None:
        # A CMS who takes a case starts on its usage review; unassigned ones wait in queue.
        step = RetentionStep.USAGE_REVIEW if assigned_to else RetentionStep.IN_QUEUE
        created = load.now - timedelta(hours=chance.between(2, 240))
        open_retention_case(load, info, assigned_to, step, created)

    for index in CMS_CASE_FEATURED:
        case(load.featured[index], cms)
    for index in QUEUE_CASE_FEATURED:
        case(load.featured[index], None)
    for info in load.case_accounts:
        case(info, chance.pick(load.staff.cmss[info.segment]) if chance.random() < 0.5 else None)
    for index, hours_ago in zip(APPROVAL_FEATURED, (2, 6, 20), strict=True):
        _approval_story(load, load.featured[index], cms, load.staff.leaders["MID"], hours_ago)
    for segment in ("SMB", "ENT", "PUB"):
        candidate = load.approval_candidates.get(segment)
        if candidate is not None:
            submitter = load.staff.cmss[segment][0]
            _approval_story(load, candidate, submitter, load.staff.leaders[segment], 30)


def current_rate(info: Customer) -> int:
    """What the customer pays a year for its paid subscriptions: the rate a reduction is of,
    as the retention services read it (services on entitlements are not part of it)."""
    return sum(sub.net_price_minor * sub.quantity for sub in info.subscribed)


def _approval_story(load: DemoLoad, info: Customer, cms: int, leader: int, hours_ago: int) -> None:
    """A rate reduction at its approval step: case, opportunity, placeholder, quote.

    The quote repeats the contract's paid subscriptions and takes the reduction the customer
    asked for off them, priced as the quote builder prices a line; the case asks for, and the
    placeholder confirms, exactly the reduction the quote gives, as ``submit_for_approval``
    requires of a real one.
    """
    writer = load.writer
    assert info.ends_on is not None
    submitted = load.now - timedelta(hours=hours_ago)
    # The draw open_retention_case would make, so the rest of the load draws as before.
    pct = Decimal(load.chance.pick(REQUESTED_PCTS))
    rate = current_rate(info)
    quote_id = writer.new_id("quotes")
    starts_on = info.ends_on + timedelta(days=1)
    lines = _reduced_lines(load, info, quote_id, starts_on, rate * int(pct) // 10_000 * 100)
    net_total = sum(line["net_minor"] for line in lines)
    reduction = rate - net_total
    case_id, _, _ = open_retention_case(
        load,
        info,
        cms,
        RetentionStep.APPROVAL,
        submitted - timedelta(days=9),
        asked=(reduction, (Decimal(reduction) * HUNDRED / rate).quantize(Decimal("0.0001"))),
    )
    opportunity_id = open_opportunity(
        load,
        info,
        OpportunityKind.RATE_REDUCTION,
        owner=cms,
        case_id=case_id,
        amount=net_total,
    )
    _confirm_placeholder(load, opportunity_id, cms, reduction, reduction, submitted)
    _add_quote(load, info, quote_id, opportunity_id, cms, starts_on, lines, submitted)
    snapshot = {
        "opportunity_kind": OpportunityKind.RATE_REDUCTION.value,
        "discount_pct": str(max(line["discount_pct"] for line in lines)),
        "reduction_minor": reduction,
        "net_total_minor": net_total,
    }
    _ask_the_leader(load, info, quote_id, cms, leader, submitted, snapshot)
    log_activity(
        load,
        ActivityKind.EMAIL,
        f"Sent the proposed reduction to {info.contact_name}",
        info,
        created_by=cms,
        at=submitted - timedelta(days=1),
        record=("retention_case", case_id),
    )


def _confirm_placeholder(
    load: DemoLoad,
    opportunity_id: int,
    cms: int,
    requested: int,
    confirmed: int,
    submitted: datetime,
) -> None:
    """The placeholder request the CMS sent, confirmed at the reduction the quote makes."""
    writer = load.writer
    writer.add(
        "placeholder_requests",
        {
            "id": writer.new_id("placeholder_requests"),
            "opportunity_id": opportunity_id,
            "submitted_by_id": cms,
            "status": PlaceholderStatus.CONFIRMED,
            "estimated_reduction_minor": requested,
            "confirmed_reduction_minor": confirmed,
            "notes": "Customer confirmed the reduced scope on the call.",
            "created_at": submitted - timedelta(days=6),
            "updated_at": None,
            "version": 1,
        },
    )


def _add_quote(
    load: DemoLoad,
    info: Customer,
    quote_id: int,
    opportunity_id: int,
    cms: int,
    starts_on: date,
    lines: list[Row],
    submitted: datetime,
) -> None:
    """The quote of the reduction with its lines, waiting for approval."""
    writer = load.writer
    writer.add(
        "quotes",
        {
            "id": quote_id,
            "number": f"Q-{quote_id:06d}",
            "account_id": info.id,
            "opportunity_id": opportunity_id,
            "offer_id": None,
            "owner_id": cms,
            "status": QuoteStatus.PENDING_APPROVAL,
            "currency": info.currency,
            "territory": info.territory_of_use,
            "valid_until": load.today + timedelta(days=30),
            "starts_on": starts_on,
            "term_months": 12,
            "list_total_minor": sum(line["list_price_minor"] * line["quantity"] for line in lines),
            "net_total_minor": sum(line["net_minor"] for line in lines),
            "approver_comment": "",
            "created_at": submitted - timedelta(days=2),
            "updated_at": None,
            "version": 1,
        },
    )
    for line in lines:
        writer.add("quote_lines", line)


def _reduced_lines(
    load: DemoLoad, info: Customer, quote_id: int, starts_on: date, reduction: int
) -> list[Row]:
    """The quote's lines: the contract's paid subscriptions at their current discounts (as
    ``quote_from_contract`` repeats them), with ``reduction`` a year taken off the plan first
    and off the next lines for what the plan cannot give, priced by the one rounding rule."""
    writer = load.writer
    lines: list[Row] = []
    left = reduction
    for position, sub in enumerate(info.subscribed, 1):
        spec = SKU_BY_CODE[sub.code]
        listed = sub.list_price_minor * sub.quantity
        current = sub.net_price_minor * sub.quantity
        discount = discount_of(listed, max(0, current - left))
        net = line_net(sub.list_price_minor, sub.quantity, discount)
        left -= current - net
        lines.append(
            {
                "id": writer.new_id("quote_lines"),
                "quote_id": quote_id,
                "position": position,
                "sku_version_id": sub.sku_version_id,
                "description": spec.name,
                "quantity": sub.quantity,
                "list_price_minor": sub.list_price_minor,
                "discount_pct": discount,
                "net_minor": net,
                "statement_of_work": "",
                "location": "",
                "starts_on": starts_on,
                "consume_by": (
                    add_months(starts_on, spec.consumption_months)
                    if spec.consumption_months
                    else None
                ),
            }
        )
    return lines


def _ask_the_leader(
    load: DemoLoad,
    info: Customer,
    quote_id: int,
    cms: int,
    leader: int,
    submitted: datetime,
    snapshot: dict[str, object],
) -> None:
    """The quote's approval request, waiting for the Segment Leader (the rate-reduction rule)."""
    writer = load.writer
    request_id = writer.new_id("approval_requests")
    writer.add(
        "approval_requests",
        {
            "id": request_id,
            "record_type": "quote",
            "record_id": quote_id,
            "record_version": 1,
            "segment_id": load.staff.segment_ids[info.segment],
            "submitted_by_id": cms,
            "status": ApprovalRequestStatus.PENDING,
            "current_tier": 1,
            "submitted_at": submitted,
            "decided_at": None,
            "snapshot": snapshot,
            "created_at": submitted,
            "updated_at": None,
            "version": 1,
        },
    )
    writer.add(
        "approvals",
        {
            "id": writer.new_id("approvals"),
            "request_id": request_id,
            "rule_id": load.approval_rule_id,
            "tier": 1,
            "approver_id": leader,
            "approver_group_id": None,
            "group_mode": GroupMode.ANY,
            "status": ApprovalStatus.PENDING,
            "due_at": submitted + timedelta(hours=48),
            "remind_at": submitted + timedelta(hours=24),
            "escalated_at": None,
            "decided_by_id": None,
            "decided_at": None,
            "comment": "",
            "created_at": submitted,
            "updated_at": None,
            "version": 1,
        },
    )
