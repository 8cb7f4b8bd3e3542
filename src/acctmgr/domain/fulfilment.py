"""Fulfilment: orders, how a subscription ended, overage under review, and the ERP export.

Plain Python, free of the ORM: screens read these names without loading the models.
"""

from __future__ import annotations

import enum


class OrderStatus(enum.StrEnum):
    DRAFT = "draft"  # made from the split preview; may still be cancelled
    ACTIVATED = "activated"  # locked: a change is a new revision
    SUPERSEDED = "superseded"  # a later revision replaced it
    CANCELLED = "cancelled"  # a draft that will not be activated; its lines can be ordered again

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SubscriptionEnd(enum.StrEnum):
    """Why a subscription stopped running."""

    TERM = "term"  # the contract's term ended
    REPLACED = "replaced"  # a new contract or a revision re-priced it from a date
    CONVERTED = "converted"  # a trial the customer confirmed; a paid one follows
    TRIAL_ENDED = "trial_ended"  # a trial nobody confirmed


class OverageStatus(enum.StrEnum):
    """Usage above the included volume waits for review before any invoice bills it."""

    TO_REVIEW = "to_review"
    APPROVED = "approved"
    WAIVED = "waived"

    @property
    def label(self) -> str:
        return "To review" if self is OverageStatus.TO_REVIEW else self.value.capitalize()


class ExportStatus(enum.StrEnum):
    """An ERP export, written once per document and revision."""

    QUEUED = "queued"  # waiting for a worker (or for the drop folder: last_error says why)
    WRITING = "writing"  # claimed by a worker, whose lease says until when
    WRITTEN = "written"  # in the drop folder

    @property
    def label(self) -> str:
        return self.value.capitalize()
