"""The roles people hold in acctmgr, and which of them serve every segment.

Plain Python, free of the ORM: launch reads who is at the keyboard before SQLAlchemy loads.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """The roles of DESIGN.md. A user may hold several; every action checks them."""

    ACCOUNT_EXECUTIVE = "ae"
    CONTRACT_MANAGER = "cms"
    SEGMENT_LEADER = "segment_leader"
    KEY_ACCOUNT_MANAGER = "kam"
    CUSTOMER_SERVICES = "customer_services"
    CUSTOMER_SUCCESS = "customer_success"
    PRESALES = "presales"
    FINANCE = "finance"
    IMPLEMENTATION_MANAGER = "im"
    SALES_SUPPORT_MANAGER = "ssm"
    NATIONAL_ACCOUNT_MANAGER = "nam"
    REGIONAL_ACCOUNT_MANAGER = "ram"
    ADMIN = "admin"
    TRAINER = "trainer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


def role_called(text: str) -> Role | None:
    """The role ``text`` names, by its value or its label in any case; None for no role."""
    wanted = " ".join(text.split()).lower()
    return next((role for role in Role if wanted in (role.value, role.label.lower())), None)


ROLE_LABELS: dict[Role, str] = {
    Role.ACCOUNT_EXECUTIVE: "Account Executive",
    Role.CONTRACT_MANAGER: "Contract Management Specialist",
    Role.SEGMENT_LEADER: "Segment Leader",
    Role.KEY_ACCOUNT_MANAGER: "Key Account Manager",
    Role.CUSTOMER_SERVICES: "Customer Services",
    Role.CUSTOMER_SUCCESS: "Customer Success",
    Role.PRESALES: "Pre-sales",
    Role.FINANCE: "Finance",
    Role.IMPLEMENTATION_MANAGER: "Implementation Manager",
    Role.SALES_SUPPORT_MANAGER: "Sales Support Manager",
    Role.NATIONAL_ACCOUNT_MANAGER: "National Account Manager",
    Role.REGIONAL_ACCOUNT_MANAGER: "Regional Account Manager",
    Role.ADMIN: "Admin",
    Role.TRAINER: "Trainer",
}


# Roles that serve every segment (admins, finance, customer services and success, implementation
# and sales support, national and regional account managers); the others see their own segment.
ALL_SEGMENT_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.TRAINER,
        Role.FINANCE,
        Role.CUSTOMER_SERVICES,
        Role.CUSTOMER_SUCCESS,
        Role.IMPLEMENTATION_MANAGER,
        Role.SALES_SUPPORT_MANAGER,
        Role.NATIONAL_ACCOUNT_MANAGER,
        Role.REGIONAL_ACCOUNT_MANAGER,
    }
)
