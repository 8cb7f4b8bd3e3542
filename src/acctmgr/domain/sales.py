"""Sales: opportunities, placeholder requests, quotes, offers and retention cases.

Plain Python, free of the ORM: screens read these names without loading the models.
"""

from __future__ import annotations

import enum


class CloseOutcome(enum.StrEnum):
    WON = "won"
    LOST = "lost"
    WITHDRAWN = "withdrawn"


class RetentionStep(enum.StrEnum):
    """Where a retention (rate-reduction) case stands in its wizard."""

    OPENED = "opened"
    IN_QUEUE = "in_queue"
    USAGE_REVIEW = "usage_review"
    OPPORTUNITY = "opportunity"
    PLACEHOLDER = "placeholder"
    CUSTOMER_GOALS = "customer_goals"
    QUOTE = "quote"
    REVIEW = "review"
    APPROVAL = "approval"
    SIGNATURE = "signature"
    CLOSED = "closed"


class OpportunityKind(enum.StrEnum):
    RATE_REDUCTION = "rate_reduction"
    NEW_BUSINESS = "new_business"
    UPSELL = "upsell"
    RENEWAL = "renewal"


class OpportunityStage(enum.StrEnum):
    QUALIFYING = "qualifying"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    CLOSED = "closed"


class PlaceholderStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


class QuoteStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"  # locked while it waits
    APPROVED = "approved"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"


class OfferStatus(enum.StrEnum):
    DRAFT = "draft"
    PRESENTED = "presented"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class AcceptanceMethod(enum.StrEnum):
    """How the customer said yes to an offer."""

    SIGNED_PDF = "signed_pdf"
    EMAIL = "email"
    PHONE = "phone"


# Why a customer turned an offer down; the first is given by acctmgr itself, to the other
# offers of an opportunity when one is accepted.
ANOTHER_ACCEPTED = "Another offer was accepted"
DECLINE_REASONS = (
    "Price too high",
    "Chose a competitor",
    "No budget this year",
    "Needs changed",
    "Timing: not now",
    "No answer",
    ANOTHER_ACCEPTED,
)
