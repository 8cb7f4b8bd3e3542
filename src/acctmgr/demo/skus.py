"""What the demo company sells: its SKUs and packages, and what each segment tends to buy.

Each SKU is described as the catalogue first published it, with its second version when it has
one; ``demo.catalogue`` writes them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

from acctmgr.models import SkuKind


@dataclass(frozen=True)
class SkuSpec:
    """A SKU as the catalogue first published it (and its second version, if any)."""

    code: str
    name: str
    kind: SkuKind
    usd: int  # list price in whole dollars: per year for subscriptions, per item otherwise
    description: str
    contents: str
    billing_period_months: int | None = None
    consumption_months: int | None = None
    units: int = 1
    included_volume: int | None = None
    onsite_support: bool = False
    # Overage tiers of a usage SKU: (from volume, US cents per unit above it).
    overage: tuple[tuple[int, int], ...] = ()
    # (description, contents, usd) of a second catalogue version, when the SKU has one.
    v2: tuple[str, str, int] | None = None


CATALOGUE: tuple[SkuSpec, ...] = (
    SkuSpec(
        "EXA-ESS",
        "Experience Analytics Essentials",
        SkuKind.SUBSCRIPTION,
        9_600,
        "Journey analysis, zoning and heatmaps for one website.",
        "1 site; 10 users; 12 months of data retention",
        billing_period_months=3,
        v2=(
            "Journey analysis, zoning, heatmaps and alerts for one website.",
            "1 site; 15 users; 13 months of data retention; alerts",
            10_800,
        ),
    ),
    SkuSpec(
        "EXA-PRO",
        "Experience Analytics Professional",
        SkuKind.SUBSCRIPTION,
        24_000,
        "Everything in Essentials for up to five sites, with funnels and segments.",
        "5 sites; 50 users; 13 months of data retention; funnels; segments",
        billing_period_months=6,
        v2=(
            "Everything in Essentials for up to five sites, with funnels, segments and "
            "impact quantification.",
            "5 sites; 75 users; 25 months of data retention; funnels; segments; impact",
            26_400,
        ),
    ),
    SkuSpec(
        "EXA-ENT",
        "Experience Analytics Enterprise",
        SkuKind.SUBSCRIPTION,
        60_000,
        "Unlimited sites and users, single sign-on and a dedicated success manager.",
        "Unlimited sites; unlimited users; 25 months of data retention; SSO",
        billing_period_months=12,
    ),
    SkuSpec(
        "ADD-REPLAY",
        "Session Replay add-on",
        SkuKind.SUBSCRIPTION,
        4_800,
        "Replay visitor sessions to see what went wrong.",
        "Session replay on all sites of the plan",
        billing_period_months=12,
    ),
    SkuSpec(
        "ADD-VOC",
        "Voice of Customer add-on",
        SkuKind.SUBSCRIPTION,
        3_600,
        "On-site surveys and feedback tied to sessions.",
        "Unlimited surveys; 10,000 responses a month",
        billing_period_months=12,
    ),
    SkuSpec(
        "ADD-API",
        "Data Export API",
        SkuKind.SUBSCRIPTION,
        2_400,
        "Daily export of metrics to the customer's data warehouse.",
        "REST API; daily batch export",
        billing_period_months=12,
    ),
    SkuSpec(
        "SUP-PREM",
        "Premium Support",
        SkuKind.SUBSCRIPTION,
        6_000,
        "Four-hour response, named support engineer.",
        "24/5 support; 4-hour response; named engineer",
        billing_period_months=12,
    ),
    SkuSpec(
        "SUP-STD",
        "Standard Support",
        SkuKind.INCLUDED,
        0,
        "Business-hours support by e-mail and chat, included with every plan.",
        "Business hours; next-day response",
        billing_period_months=12,
    ),
    SkuSpec(
        "PV-500K",
        "Page Views, 500,000 a month",
        SkuKind.USAGE,
        6_000,
        "Collected page views included each month; overage billed per page view.",
        "500,000 page views a month",
        billing_period_months=12,
        included_volume=500_000,
        overage=((500_000, 1), (1_000_000, 2)),
    ),
    SkuSpec(
        "SRV-WS",
        "Analytics Workshop (half day)",
        SkuKind.SERVICE,
        1_500,
        "A remote half-day workshop on one business question.",
        "1 workshop",
        consumption_months=12,
    ),
    SkuSpec(
        "SRV-WS4",
        "Workshop Pack (four half days)",
        SkuKind.SERVICE,
        5_400,
        "Four remote half-day workshops.",
        "4 workshops",
        consumption_months=12,
        units=4,
    ),
    SkuSpec(
        "SRV-AUDIT",
        "UX Audit",
        SkuKind.SERVICE,
        7_500,
        "An expert review of one customer journey with prioritised findings.",
        "1 journey; written report; readout meeting",
        consumption_months=12,
        v2=(
            "An expert review of one customer journey with prioritised, quantified findings.",
            "1 journey; written report; impact estimate; readout meeting",
            8_200,
        ),
    ),
    SkuSpec(
        "SRV-TRAIN",
        "Admin Training (two remote sessions)",
        SkuKind.SERVICE,
        2_000,
        "Training for the customer's administrators.",
        "2 sessions of 2 hours; up to 8 attendees",
        consumption_months=12,
        units=2,
    ),
    SkuSpec(
        "SRV-ONSITE",
        "On-site Support Day",
        SkuKind.SERVICE,
        2_200,
        "A consultant on the customer's premises for one day.",
        "1 day on site; travel included within the territory",
        consumption_months=12,
        onsite_support=True,
    ),
    SkuSpec(
        "ONE-IMPL",
        "Implementation and Tagging Setup",
        SkuKind.ONE_OFF,
        3_000,
        "Tag deployment and configuration of the first site.",
        "Tag deployment; goal configuration; one validation call",
    ),
    SkuSpec(
        "ONE-SSO",
        "Single Sign-On Setup",
        SkuKind.ONE_OFF,
        900,
        "SAML single sign-on configured with the customer's identity provider.",
        "SAML 2.0 configuration; one test session",
    ),
    # Added after the first SKUs so the ids, versions and prices of those stay as they were.
    SkuSpec(
        "SRV-ONBOARD",
        "Onboarding Workshop",
        SkuKind.SERVICE,
        1_200,
        "A guided remote workshop that sets up the new customer's first dashboards and goals.",
        "1 half-day workshop; first dashboards; goal setup",
        consumption_months=6,
    ),
    SkuSpec(
        "INC-SEATS",
        "Training Seats",
        SkuKind.INCLUDED,
        0,
        "Seats in the monthly open training sessions, included for new customers.",
        "5 seats in the open training sessions",
        units=5,
    ),
)
SKU_BY_CODE = {spec.code: spec for spec in CATALOGUE}
# The plan each segment tends to buy: plans and their cumulative weights in percent.
PLANS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "SMB": (("EXA-ESS", "EXA-PRO"), (80, 100)),
    "MID": (("EXA-ESS", "EXA-PRO", "EXA-ENT"), (30, 90, 100)),
    "ENT": (("EXA-PRO", "EXA-ENT"), (30, 100)),
    "PUB": (("EXA-ESS", "EXA-PRO", "EXA-ENT"), (40, 90, 100)),
}
ADD_ONS = ("PV-500K", "SUP-STD", "ADD-REPLAY", "ADD-VOC", "SUP-PREM", "ADD-API")
ADD_ON_CUM = tuple(accumulate((35, 25, 15, 10, 10, 5)))
SERVICES = ("SRV-WS", "SRV-WS4", "SRV-AUDIT", "SRV-TRAIN")
SERVICE_SHARE: dict[str, float] = {"SMB": 0.15, "MID": 0.3, "ENT": 0.6, "PUB": 0.25}


# (code, name, description, is the starter pack, (SKU code, quantity) of its items)
PACKAGES: tuple[tuple[str, str, str, bool, tuple[tuple[str, int], ...]], ...] = (
    (
        "STARTER",
        "Starter pack",
        "Applied to every new customer's first quote: an onboarding workshop, seats in "
        "the open trainings and standard support.",
        True,
        (("SRV-ONBOARD", 1), ("INC-SEATS", 1), ("SUP-STD", 1)),
    ),
    (
        "GROWTH",
        "Growth bundle",
        "Professional plan with replay, page views and workshops.",
        False,
        (("EXA-PRO", 1), ("ADD-REPLAY", 1), ("PV-500K", 2), ("SRV-WS4", 1)),
    ),
)
