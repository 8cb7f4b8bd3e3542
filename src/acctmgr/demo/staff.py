"""The demo company's people: its segments, one persona per role, and the colleagues around them.

Personas have logins a trainer can say out loud; the other staff make round-robin assignment and
segments realistic. ``hire_staff`` writes them all and says who works where.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from acctmgr.demo.writer import BulkWriter
from acctmgr.models import Role

DEMO_SEGMENTS: dict[str, str] = {
    "SMB": "Small business",
    "MID": "Mid-market",
    "ENT": "Enterprise",
    "PUB": "Public sector",
}
DEMO_EMAIL_DOMAIN = "demo.acctmgr.example"
DEMO_COMPANY = "Northwind Analytics GmbH"

# One user per role, with logins a trainer can say out loud ("sign in as cms").
PERSONAS: dict[str, tuple[str, frozenset[Role], str | None]] = {
    "ae": ("Erin Alvarez", frozenset({Role.ACCOUNT_EXECUTIVE}), "MID"),
    "cms": ("Casey Morgan", frozenset({Role.CONTRACT_MANAGER}), "MID"),
    "leader": ("Lena Fischer", frozenset({Role.SEGMENT_LEADER}), "MID"),
    "kam": ("Kwame Mensah", frozenset({Role.KEY_ACCOUNT_MANAGER}), "MID"),
    "custsvc": ("Sam Patel", frozenset({Role.CUSTOMER_SERVICES}), None),
    "success": ("Sofia Rossi", frozenset({Role.CUSTOMER_SUCCESS}), None),
    "presales": ("Priya Nair", frozenset({Role.PRESALES}), "MID"),
    "finance": ("Frank Osei", frozenset({Role.FINANCE}), None),
    "im": ("Ingrid Holm", frozenset({Role.IMPLEMENTATION_MANAGER}), None),
    "ssm": ("Sean Murphy", frozenset({Role.SALES_SUPPORT_MANAGER}), None),
    "nam": (
        "Nadia Haddad",
        frozenset({Role.NATIONAL_ACCOUNT_MANAGER, Role.REGIONAL_ACCOUNT_MANAGER}),
        None,
    ),
    "admin": ("Ada Lindqvist", frozenset({Role.ADMIN}), None),
    "trainer": ("Theo Martin", frozenset({Role.TRAINER}), None),
}

# The colleagues who make round-robin and segments realistic: several AEs and CMSs per segment,
# a Segment Leader for each, Key Account Managers where key accounts are.
STAFF: tuple[tuple[str, str, frozenset[Role], str | None], ...] = (
    ("lcarter", "Liam Carter", frozenset({Role.ACCOUNT_EXECUTIVE}), "SMB"),
    ("mschneider", "Mia Schneider", frozenset({Role.ACCOUNT_EXECUTIVE}), "SMB"),
    ("ndubois", "Noah Dubois", frozenset({Role.ACCOUNT_EXECUTIVE}), "SMB"),
    ("ogrant", "Olivia Grant", frozenset({Role.CONTRACT_MANAGER}), "SMB"),
    ("lpereira", "Lucas Pereira", frozenset({Role.CONTRACT_MANAGER}), "SMB"),
    ("hweber", "Hannah Weber", frozenset({Role.SEGMENT_LEADER}), "SMB"),
    ("jthompson", "Jack Thompson", frozenset({Role.ACCOUNT_EXECUTIVE}), "MID"),
    ("claurent", "Chloé Laurent", frozenset({Role.ACCOUNT_EXECUTIVE}), "MID"),
    ("dromero", "Diego Romero", frozenset({Role.CONTRACT_MANAGER}), "MID"),
    ("radeyemi", "Ruth Adeyemi", frozenset({Role.KEY_ACCOUNT_MANAGER}), "MID"),
    ("ewalsh", "Emma Walsh", frozenset({Role.ACCOUNT_EXECUTIVE}), "ENT"),
    ("fbraun", "Felix Braun", frozenset({Role.ACCOUNT_EXECUTIVE}), "ENT"),
    ("gkim", "Grace Kim", frozenset({Role.CONTRACT_MANAGER}), "ENT"),
    ("mkeller", "Martin Keller", frozenset({Role.SEGMENT_LEADER}), "ENT"),
    ("icosta", "Isabel Costa", frozenset({Role.KEY_ACCOUNT_MANAGER}), "ENT"),
    ("obennett", "Oliver Bennett", frozenset({Role.KEY_ACCOUNT_MANAGER}), "ENT"),
    ("ydemir", "Yusuf Demir", frozenset({Role.PRESALES}), "ENT"),
    ("soneill", "Sarah O'Neill", frozenset({Role.ACCOUNT_EXECUTIVE}), "PUB"),
    ("pruiz", "Pablo Ruiz", frozenset({Role.ACCOUNT_EXECUTIVE}), "PUB"),
    ("aclarke", "Amelia Clarke", frozenset({Role.CONTRACT_MANAGER}), "PUB"),
    ("tpetit", "Thomas Petit", frozenset({Role.SEGMENT_LEADER}), "PUB"),
    ("blima", "Beatriz Lima", frozenset({Role.CUSTOMER_SERVICES}), None),
    ("ghughes", "George Hughes", frozenset({Role.FINANCE}), None),
    ("kberg", "Karin Berg", frozenset({Role.IMPLEMENTATION_MANAGER}), None),
    ("rsouza", "Rafael Souza", frozenset({Role.REGIONAL_ACCOUNT_MANAGER}), None),
)


@dataclass(slots=True)
class StaffDirectory:
    """Who is who once staff are written: ids by segment code and login, and who works where."""

    segment_ids: dict[str, int] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    aes: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    cmss: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    kams: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    leaders: dict[str, int] = field(default_factory=dict)
    customer_services: list[int] = field(default_factory=list)
    finance: list[int] = field(default_factory=list)


def hire_staff(writer: BulkWriter, now: datetime) -> StaffDirectory:
    """Write the company's identity, the segments, the personas and the other staff with their
    roles. The identity is set, as a company's admin sets it first, so that trainees can send
    purchase orders and contracts (none goes out signed "Our company")."""
    staff = StaffDirectory()
    created = now - timedelta(days=900)
    writer.add(
        "company_identity",
        {
            "id": 1,  # the one row the table holds
            "name": DEMO_COMPANY,
            "address": "Leopoldstraße 12, 80802 München, DE",
            "registration_number": "HRB 123456",
            "vat_number": "DE123456789",
            "email": f"orders@{DEMO_EMAIL_DOMAIN}",
            "created_at": created,
            "updated_at": None,
            "version": 1,
        },
    )
    for code, name in DEMO_SEGMENTS.items():
        segment_id = writer.new_id("segments")
        staff.segment_ids[code] = segment_id
        writer.add("segments", {"id": segment_id, "code": code, "name": name, "version": 1})
    everyone = [(login, *persona) for login, persona in PERSONAS.items()]
    for login, name, roles, segment in [*everyone, *STAFF]:
        user_id = writer.new_id("users")
        staff.user_ids[login] = user_id
        writer.add(
            "users",
            {
                "id": user_id,
                "login": login,
                "name": name,
                "email": f"{login}@{DEMO_EMAIL_DOMAIN}",
                "segment_id": staff.segment_ids[segment] if segment else None,
                "active": True,
                "created_at": created,
                "updated_at": None,
                "version": 1,
            },
        )
        for role in sorted(roles):
            writer.add("user_roles", {"user_id": user_id, "role": role})
        if segment is None:
            continue
        if Role.ACCOUNT_EXECUTIVE in roles:
            staff.aes[segment].append(user_id)
        if Role.CONTRACT_MANAGER in roles:
            staff.cmss[segment].append(user_id)
        if Role.KEY_ACCOUNT_MANAGER in roles:
            staff.kams[segment].append(user_id)
        if Role.SEGMENT_LEADER in roles:
            staff.leaders[segment] = user_id
    staff.customer_services = [staff.user_ids["custsvc"], staff.user_ids["blima"]]
    staff.finance = [staff.user_ids["finance"], staff.user_ids["ghughes"]]
    return staff
