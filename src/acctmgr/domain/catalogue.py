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
