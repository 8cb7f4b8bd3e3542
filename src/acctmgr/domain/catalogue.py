"""The catalogue: the kinds of SKU, and how two SKUs may be combined on one quote.

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


class SkuRelationKind(enum.StrEnum):
    """How an admin declares two SKUs go together on one quote."""

    REQUIRES = "requires"  # the SKU needs the other on the same quote
    EXCLUDES = "excludes"  # the two cannot be on one quote (either way round)


class SkuRuleConsequence(enum.StrEnum):
    """What a quote that breaks a declared combination gets."""

    REFUSE = "refuse"  # it cannot be saved or submitted so
    APPROVAL = "approval"  # it gets the fact sku_rule_broken, for an approval rule to test

    @property
    def label(self) -> str:
        return "refused" if self is SkuRuleConsequence.REFUSE else "needs approval"
