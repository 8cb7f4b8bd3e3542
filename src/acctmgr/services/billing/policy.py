"""The billing policy: how far ahead invoices are drafted, when reminders go out, whether
e-invoices are made, and how renewal offers are priced. One row; until an admin saves it, the
defaults of the model hold."""

from __future__ import annotations

from decimal import Decimal

from acctmgr.domain.billing import RenewalPricing
from acctmgr.errors import InvalidInput
from acctmgr.models import BillingPolicy
from acctmgr.models.billing import THE_POLICY
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork

DEFAULT_LEAD_DAYS = 14
DEFAULT_DUNNING_DAYS = "7,21,35"
DEFAULT_RENEWAL_OFFER_DAYS = 30


class Policy(ReadModel):
    invoice_lead_days: int = DEFAULT_LEAD_DAYS
    dunning_days: tuple[int, ...] = (7, 21, 35)
    e_invoices: bool = False
    renewal_offer_days: int = DEFAULT_RENEWAL_OFFER_DAYS
    renewal_pricing: RenewalPricing = RenewalPricing.SAME_PRICES
    renewal_uplift_pct: Decimal = Decimal(0)
    version: int = 0  # 0 while no admin has saved it


def dunning_schedule(text: str) -> tuple[int, ...]:
    """``"7,21,35"`` → ``(7, 21, 35)``: days after the due date, rising; InvalidInput if not."""
    try:
        days = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        days = ()
    if not days or any(day < 1 or day > 365 for day in days) or list(days) != sorted(set(days)):
        raise InvalidInput(
            "Reminders are days after the due date from 1 to 365, rising, such as 7,21,35.",
            field="dunning_days",
        )
    return days


def current_policy(uow: UnitOfWork) -> Policy:
    """The policy in force (its defaults while none is saved)."""
    row = uow.session.get(BillingPolicy, THE_POLICY)
    if row is None:
        return Policy()
    return Policy(
        invoice_lead_days=row.invoice_lead_days,
        dunning_days=dunning_schedule(row.dunning_days),
        e_invoices=row.e_invoices,
        renewal_offer_days=row.renewal_offer_days,
        renewal_pricing=row.renewal_pricing,
        renewal_uplift_pct=row.renewal_uplift_pct,
        version=row.version,
    )
