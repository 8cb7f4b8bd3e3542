"""A contract's bills of the last year, as the demo's history: the plan every period, the
rest up front; invoices due to be issued soon are drafted for review."""

from __future__ import annotations

from datetime import date, timedelta

from acctmgr.demo.dates import add_months, instant
from acctmgr.demo.load import Customer, DemoLoad
from acctmgr.demo.skus import SkuSpec
from acctmgr.models import InvoiceKind, InvoiceStatus

DRAFT_LOOKAHEAD_DAYS = 14  # invoices due to be issued this soon are drafted for review
# A line the contract bills: the SKU, its quantity and its net unit price a year.
Billed = tuple[SkuSpec, int, int]


def bill(
    load: DemoLoad,
    info: Customer,
    contract_id: int,
    starts_on: date,
    ends_on: date,
    billed: list[Billed],
) -> None:
    """The contract's bills of the last year: the plan every period, the rest up front."""
    period = billed[0][0].billing_period_months or 12
    horizon = min(ends_on, load.today + timedelta(days=DRAFT_LOOKAHEAD_DAYS))
    year_ago = load.today - timedelta(days=365)
    reviewer = load.chance.pick(load.staff.finance)
    number = 0
    issued = starts_on
    while issued <= horizon:
        first = number == 0
        number += 1
        current, issued = issued, add_months(starts_on, number * period)
        if current < year_ago:
            continue
        status = _invoice_status(load, current)
        if status is None:
            continue
        invoice_id = load.writer.new_id("invoices")
        total = _invoice_lines(load, invoice_id, current, billed, first=first)
        sent = status != InvoiceStatus.DRAFT
        load.writer.add(
            "invoices",
            {
                "id": invoice_id,
                # Drafts are numbered when they are approved; history by the year it was issued.
                "number": None if status == InvoiceStatus.DRAFT else load.invoice_number(current),
                "kind": InvoiceKind.INVOICE,
                "account_id": info.id,
                "contract_id": contract_id,
                "order_id": None,
                "status": status,
                "issued_on": current,
                "due_on": current + timedelta(days=30),
                "currency": info.currency,
                "locale": info.locale,
                "period_start": current,
                "period_end": issued - timedelta(days=1),
                "net_minor": total,
                "tax_minor": 0,
                "total_minor": total,
                "paid_minor": total if status == InvoiceStatus.PAID else 0,
                "credited_minor": 0,
                "review_reason": "",
                "buyer_reference": "",
                "approved_at": instant(current, 9, 0) if sent else None,
                "reminders_sent": 0,
                "reviewed_by_id": reviewer if sent else None,
                "sent_at": instant(current, 9, 15) if sent else None,
                "created_at": min(instant(current - timedelta(days=2), 16), load.now),
                "updated_at": None,
                "version": 1,
            },
        )


def _invoice_status(load: DemoLoad, issued_on: date) -> InvoiceStatus | None:
    """Half the invoices due soon are drafted already (None: not yet); older ones are paid."""
    chance, today = load.chance, load.today
    if issued_on > today:
        return None if chance.random() < 0.5 else InvoiceStatus.DRAFT
    if (today - issued_on).days <= 30:
        return InvoiceStatus.SENT if chance.random() < 0.8 else InvoiceStatus.PAID
    return InvoiceStatus.PAID if chance.random() < 0.97 else InvoiceStatus.SENT


def _invoice_lines(
    load: DemoLoad, invoice_id: int, issued_on: date, billed: list[Billed], *, first: bool
) -> int:
    """An invoice's lines: the plan's period, and everything else on the first; the total."""
    writer = load.writer
    plan = billed[0][0]
    period = plan.billing_period_months or 12
    total = 0
    position = 0
    for spec, quantity, net in billed:
        if spec is plan:
            unit = net * period // 12
        elif first:
            unit = net
        else:
            continue
        total += unit * quantity
        position += 1
        writer.add(
            "invoice_lines",
            {
                "id": writer.new_id("invoice_lines"),
                "invoice_id": invoice_id,
                "position": position,
                "description": f"{spec.name}, {issued_on:%b %Y}",
                "quantity": quantity,
                "unit_price_minor": unit,
                "net_minor": unit * quantity,
            },
        )
    return total
