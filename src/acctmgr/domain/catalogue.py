"""The catalogue: the kinds of SKU.

Plain Python, free of the ORM: screens read these names without loading the models.
"""

from __future__ import annotations

import enum


class SkuKind(enum.StrEnum):
    SUBSCRIPTION = "subscription"
    ONE_OFF = "one_off"
    SERVICE = "service"  # workshops, audits, trainings: consumed by a deadline
    USAGE = "usage"  # page views against an included volume with tier prices
    INCLUDED = "included"  # priced 0 and shown as included

    @property
    def label(self) -> str:
        """The kind as a heading or a list shows it: "One-off"; ``.lower()`` in a sentence."""
        return LABELS[self]


LABELS = {
    SkuKind.SUBSCRIPTION: "Subscription",
    SkuKind.ONE_OFF: "One-off",
    SkuKind.SERVICE: "Service",
    SkuKind.USAGE: "Usage",
    SkuKind.INCLUDED: "Included",
}
