"""Onboarding: what is asked for an account, its steps, and billing discrepancies.

Plain Python, free of the ORM: screens read these names without loading the models.
"""

from __future__ import annotations

import enum


class OnboardingAction(enum.StrEnum):
    ADD = "add"
    REMOVE = "remove"


class OnboardingStep(enum.StrEnum):
    REQUESTED = "requested"  # by the NAM/RAM
    APPLYING = "applying"  # the IM updates iSeries and imports
    DATA_READY = "data_ready"  # SSM notified: reports can be generated
    BILLING = "billing"  # discrepancies being resolved
    INVENTORY = "inventory"  # inventory loading for bids announced
    HANDOVER = "handover"  # the SSM's transition checklist
    DONE = "done"
    CANCELLED = "cancelled"


class DiscrepancyStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
