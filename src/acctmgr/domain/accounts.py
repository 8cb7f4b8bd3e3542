"""Accounts: National and Regional Accounts over customer accounts, and their status.

Plain Python, free of the ORM: screens read these names without loading the models.
"""

from __future__ import annotations

import enum


class AccountKind(enum.StrEnum):
    """A National or Regional Account groups customer accounts under one agreement."""

    CUSTOMER = "customer"
    NATIONAL = "national"
    REGIONAL = "regional"


class AccountStatus(enum.StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    CHURNED = "churned"
