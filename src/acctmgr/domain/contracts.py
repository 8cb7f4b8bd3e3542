"""Contracts and what follows them: status, renewal, signature, orders, subscriptions.

Invoices and what follows them are in ``domain.billing``.

Plain Python, free of the ORM: screens read these names without loading the models.
"""

from __future__ import annotations

import enum


class ContractStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT_FOR_SIGNATURE = "sent_for_signature"
    SIGNED = "signed"  # signed, not yet in effect
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    ENDED = "ended"
    CANCELLED = "cancelled"


class RenewalType(enum.StrEnum):
    STANDING_ORDER = "standing_order"  # renews itself for another term
    FIXED_TERM = "fixed_term"  # ends; a renewal offer may be made from the old package


class SignatureMethod(enum.StrEnum):
    ELECTRONIC = "electronic"
    WET_INK = "wet_ink"
    EMAIL_CONFIRMATION = "email_confirmation"


class SubscriptionKind(enum.StrEnum):
    TEST = "test"
    PAID = "paid"

    @property
    def label(self) -> str:
        """The word every screen shows: a test subscription is a trial to the people using it."""
        return "Trial" if self is SubscriptionKind.TEST else "Paid"


class SubscriptionStatus(enum.StrEnum):
    PENDING = "pending"  # its order is activated; the worker starts it on its start date
    ACTIVE = "active"
    ENDED = "ended"
    CANCELLED = "cancelled"
