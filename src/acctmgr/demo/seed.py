"""Deterministic demo data: staff with one persona per role, customers, catalogue and open work.

``seed_demo`` fills an empty database with a company's worth of realistic rows: segments and
staff, National/Regional Accounts with their locations, customers in six countries with contacts,
a versioned catalogue with price books, contracts, subscriptions, entitlements, usage, invoices,
opportunities, retention cases, quotes waiting for approval, onboarding handoffs and everyone's
tasks for today. The same ``accounts``, ``seed`` and ``now`` always give identical rows: every
choice comes from one ``random.Random(seed)`` drawn in a fixed order, and every date is relative
to ``now``, never to the wall clock.

It must load 100,000 accounts in well under a minute, so it does not go through the use cases:
rows are built as plain dicts with primary keys assigned here and written in batches with
executemany, in one transaction. PostgreSQL gets Core ``insert()`` statements. On SQLite, where
SQLAlchemy's per-row parameter handling cost more than the database itself, the same statement is
handed to the driver directly, each value converted by the column type's own bind processor (or
an identical, faster formatter for instants and dates). The flush listeners that audit use cases
stay silent (no unit of work is set on the session); one audit event records the whole load.
"""

from __future__ import annotations

import calendar
import gc
import hashlib
import random
import unicodedata
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache, partial
from itertools import accumulate
from operator import itemgetter
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Boolean, Date, Enum, Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from acctmgr.db.engine import Database
from acctmgr.errors import InvalidInput
from acctmgr.models import (
    Account,
    AccountKind,
    AccountStatus,
    ActivityKind,
    ApprovalRequestStatus,
    ApprovalStatus,
    ApproverKind,
    CloseOutcome,
    ContractStatus,
    DiscrepancyStatus,
    GroupMode,
    InvoiceStatus,
    OnboardingAction,
    OnboardingStep,
    OpportunityKind,
    OpportunityStage,
    PlaceholderStatus,
    QuoteStatus,
    RenewalType,
    RetentionStep,
    Role,
    Segment,
    SignatureMethod,
    SkuKind,
    SubscriptionKind,
    SubscriptionStatus,
    User,
)
from acctmgr.models.base import Base, UTCDateTime
from acctmgr.services.accounts import search_text_of

Row = dict[str, Any]
ColumnConverter = Callable[[Sequence[Any]], Sequence[Any]]
T = TypeVar("T")


def _words(text: str) -> tuple[str, ...]:
    """A word list written compactly as "one|two|three"."""
    return tuple(text.split("|"))


DEMO_SEGMENTS: dict[str, str] = {
    "SMB": "Small business",
    "MID": "Mid-market",
    "ENT": "Enterprise",
    "PUB": "Public sector",
}
DEMO_EMAIL_DOMAIN = "demo.acctmgr.example"

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

ALREADY_HAS_DATA = (
    "The database already has data; demo data can only be loaded into an empty database."
)
# Fewer accounts than this cannot hold every featured story (cases, approvals, onboarding).
MIN_ACCOUNTS = 30
# Rows per executemany; also how many customers are built before their rows are written, so a
# large load never holds more than one chunk of rows in memory.
BATCH = 5000

# Customers per segment, in percent.
SEGMENT_WEIGHTS: dict[str, int] = {"SMB": 45, "MID": 30, "ENT": 12, "PUB": 13}
PARENT_SHARE = 0.02  # of all accounts: National and Regional Accounts
CHILD_SHARE = 0.30  # of customers: sitting under one of them
NOTICE_WINDOW_SHARE = 0.08  # of active contracts: ending in 60-90 days
CASE_SHARE = 0.01  # of active customers: an open retention case
NOTICE_DAYS = 60
V2_AGE_DAYS = 120  # the catalogue's second versions came out this long ago
DRAFT_LOOKAHEAD_DAYS = 14  # invoices due to be issued this soon are drafted for review

# The first customers carry the stories a trainer walks through; they are all in Mid-market,
# owned by the `ae` persona, active, and complete (address, invoice contact, e-mail).
FEATURED = 12
APPROVAL_FEATURED = range(0, 3)  # rate reductions waiting for the leader, contracts in notice
CMS_CASE_FEATURED = range(3, 6)  # cases assigned to the cms persona
QUEUE_CASE_FEATURED = range(6, 8)  # cases waiting unassigned in the Mid-market queue
UPSELL_FEATURED = 8  # an upsell the kam persona is working on
ONBOARDING_FEATURED = range(9, 12)  # locations just added under the first National Account


@dataclass(frozen=True)
class _Country:
    code: str
    locale: str
    currency: str
    weight: int
    phone: str  # "#" is a random digit
    postal: str  # "{p}" is the city's prefix, "#" a digit, "@" a letter
    street: str  # "{n}" house number, "{s}" street name
    streets: tuple[str, ...]
    legal_forms: tuple[str, ...]
    public_names: tuple[str, ...]  # "{c}" is the city
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    # city, region, postal prefixes ("|"-separated), sales territory
    cities: tuple[tuple[str, str, str, str], ...]


COUNTRIES: tuple[_Country, ...] = (
    _Country(
        code="US",
        locale="en_US",
        currency="USD",
        weight=35,
        phone="+1 ### 555 ####",
        postal="{p}##",
        street="{n} {s}",
        streets=_words(
            "Main Street|Oak Avenue|Market Street|Lakeshore Drive|Maple Avenue|"
            "Washington Boulevard|Elm Street|Park Avenue|Pine Street|Broadway"
        ),
        legal_forms=("Inc.", "LLC", "Corp.", "Co."),
        public_names=(
            "City of {c}",
            "{c} Public Library",
            "{c} School District",
            "University of {c}",
            "{c} Transit Authority",
        ),
        first_names=_words(
            "James|Mary|Michael|Jennifer|David|Linda|Robert|Patricia|Daniel|Emily|"
            "Christopher|Jessica|Matthew|Ashley|Andrew|Sarah|Joshua|Megan|Ryan|"
            "Lauren"
        ),
        last_names=_words(
            "Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Rodriguez|"
            "Martinez|Wilson|Anderson|Taylor|Moore|Jackson|White|Harris|Clark|Lewis|"
            "Walker|Young|King|Lopez|O'Connor|Nguyen|Patel"
        ),
        cities=(
            ("New York", "NY", "100|101|102", "US East"),
            ("Boston", "MA", "021|022", "US East"),
            ("Atlanta", "GA", "303", "US East"),
            ("Chicago", "IL", "606", "US Central"),
            ("Austin", "TX", "787", "US Central"),
            ("Minneapolis", "MN", "554", "US Central"),
            ("Denver", "CO", "802", "US West"),
            ("Seattle", "WA", "981", "US West"),
            ("San Francisco", "CA", "941", "US West"),
            ("Portland", "OR", "972", "US West"),
        ),
    ),
    _Country(
        code="GB",
        locale="en_GB",
        currency="GBP",
        weight=15,
        phone="+44 20 7946 0###",
        postal="{p} #@@",
        street="{n} {s}",
        streets=_words(
            "High Street|Station Road|Church Lane|King's Road|Victoria Street|"
            "Queen Street|Mill Lane|Park Road"
        ),
        legal_forms=("Ltd", "PLC", "LLP"),
        public_names=(
            "{c} City Council",
            "University of {c}",
            "{c} Libraries",
            "{c} Housing Trust",
        ),
        first_names=_words(
            "Oliver|Amelia|Harry|Isla|George|Sophie|Jack|Charlotte|Thomas|Grace|"
            "William|Emily|Henry|Poppy|Alfie|Freya"
        ),
        last_names=_words(
            "Smith|Jones|Taylor|Brown|Williams|Wilson|Davies|Robinson|Wright|"
            "Thompson|Evans|Walker|Roberts|Green|Hall|Wood|Clarke|O'Brien|Hughes|"
            "Edwards|Murphy|Khan"
        ),
        cities=(
            ("London", "England", "EC1A|SW1A|N1|E14|W1D", "UK & Ireland"),
            ("Manchester", "England", "M1|M4|M15", "UK & Ireland"),
            ("Birmingham", "England", "B1|B4", "UK & Ireland"),
            ("Leeds", "England", "LS1|LS2", "UK & Ireland"),
            ("Bristol", "England", "BS1|BS8", "UK & Ireland"),
            ("Edinburgh", "Scotland", "EH1|EH3", "UK & Ireland"),
            ("Glasgow", "Scotland", "G1|G2", "UK & Ireland"),
            ("Cardiff", "Wales", "CF10", "UK & Ireland"),
        ),
    ),
    _Country(
        code="DE",
        locale="de_DE",
        currency="EUR",
        weight=15,
        phone="+49 30 ########",
        postal="{p}###",
        street="{s} {n}",
        streets=_words(
            "Hauptstraße|Bahnhofstraße|Goethestraße|Schillerstraße|Lindenallee|"
            "Marktplatz|Gartenstraße|Friedrichstraße"
        ),
        legal_forms=("GmbH", "AG", "GmbH & Co. KG"),
        public_names=("Stadtwerke {c}", "Stadt {c}", "Universität {c}", "Stadtbibliothek {c}"),
        first_names=_words(
            "Lukas|Anna|Jonas|Lena|Felix|Laura|Maximilian|Julia|Paul|Sophie|Leon|"
            "Marie|Tobias|Katharina|Stefan|Sabine"
        ),
        last_names=_words(
            "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|"
            "Hoffmann|Schäfer|Koch|Bauer|Richter|Klein|Wolf|Schröder|Neumann|"
            "Zimmermann|Krüger"
        ),
        cities=(
            ("Berlin", "Berlin", "10|12", "DACH North"),
            ("Hamburg", "Hamburg", "20|22", "DACH North"),
            ("Leipzig", "Sachsen", "04", "DACH North"),
            ("Köln", "Nordrhein-Westfalen", "50|51", "DACH West"),
            ("Düsseldorf", "Nordrhein-Westfalen", "40", "DACH West"),
            ("Frankfurt am Main", "Hessen", "60", "DACH West"),
            ("München", "Bayern", "80|81", "DACH South"),
            ("Stuttgart", "Baden-Württemberg", "70", "DACH South"),
        ),
    ),
    _Country(
        code="FR",
        locale="fr_FR",
        currency="EUR",
        weight=13,
        phone="+33 1 ## ## ## ##",
        postal="{p}##",
        street="{n} {s}",
        streets=_words(
            "rue de la République|avenue Jean Jaurès|boulevard Haussmann|"
            "rue Victor Hugo|place Bellecour|quai Saint-Antoine|"
            "rue du Faubourg Saint-Honoré|avenue de la Gare"
        ),
        legal_forms=("SA", "SAS", "SARL"),
        public_names=("Mairie de {c}", "Université de {c}", "CHU de {c}", "Métropole de {c}"),
        first_names=_words(
            "Camille|Léa|Hugo|Louis|Chloé|Manon|Lucas|Emma|Nathan|Inès|Julien|"
            "Sophie|Antoine|Élodie|Mathieu|Claire"
        ),
        last_names=_words(
            "Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|"
            "Simon|Laurent|Lefèvre|Michel|Garcia|Fournier|Girard|Bonnet|Dupont|Roux"
        ),
        cities=(
            ("Paris", "Île-de-France", "750", "France North"),
            ("Lille", "Hauts-de-France", "590", "France North"),
            ("Strasbourg", "Grand Est", "670", "France North"),
            ("Nantes", "Pays de la Loire", "440", "France West"),
            ("Bordeaux", "Nouvelle-Aquitaine", "330", "France West"),
            ("Lyon", "Auvergne-Rhône-Alpes", "690", "France South"),
            ("Marseille", "Provence-Alpes-Côte d'Azur", "130", "France South"),
            ("Toulouse", "Occitanie", "310", "France South"),
        ),
    ),
    _Country(
        code="BR",
        locale="pt_BR",
        currency="BRL",
        weight=10,
        phone="+55 11 9####-####",
        postal="{p}###-###",
        street="{s}, {n}",
        streets=(
            "Rua Augusta",
            "Avenida Paulista",
            "Rua das Flores",
            "Avenida Atlântica",
            "Rua XV de Novembro",
            "Avenida Brasil",
            "Rua da Consolação",
        ),
        legal_forms=("Ltda.", "S.A."),
        public_names=("Prefeitura de {c}", "Universidade de {c}", "Biblioteca Pública de {c}"),
        first_names=_words(
            "João|Maria|Ana|Pedro|Lucas|Gabriel|Juliana|Fernanda|Rafael|Mariana|"
            "Bruno|Camila|Thiago|Beatriz|Gustavo|Letícia"
        ),
        last_names=_words(
            "Silva|Santos|Oliveira|Souza|Rodrigues|Ferreira|Alves|Pereira|Lima|"
            "Gomes|Costa|Ribeiro|Martins|Carvalho|Almeida|Garcia|Rocha|Nascimento"
        ),
        cities=(
            ("São Paulo", "SP", "01|04", "Brazil South-East"),
            ("Rio de Janeiro", "RJ", "20|22", "Brazil South-East"),
            ("Belo Horizonte", "MG", "30", "Brazil South-East"),
            ("Curitiba", "PR", "80", "Brazil South"),
            ("Porto Alegre", "RS", "90", "Brazil South"),
            ("Recife", "PE", "50", "Brazil North-East"),
            ("Salvador", "BA", "40", "Brazil North-East"),
        ),
    ),
    _Country(
        code="ES",
        locale="es_ES",
        currency="EUR",
        weight=12,
        phone="+34 91 ### ## ##",
        postal="{p}###",
        street="{s}, {n}",
        streets=(
            "Calle Mayor",
            "Gran Vía",
            "Paseo de Gracia",
            "Calle de Alcalá",
            "Avenida de la Constitución",
            "Calle Serrano",
            "Rambla de Catalunya",
        ),
        legal_forms=("S.L.", "S.A."),
        public_names=("Ayuntamiento de {c}", "Universidad de {c}", "Biblioteca Municipal de {c}"),
        first_names=_words(
            "Antonio|María|Manuel|Carmen|José|Laura|David|Lucía|Javier|Marta|"
            "Carlos|Paula|Alejandro|Sara|Pablo|Elena"
        ),
        last_names=_words(
            "García|Rodríguez|González|Fernández|López|Martínez|Sánchez|Pérez|Gómez|"
            "Martín|Jiménez|Ruiz|Hernández|Díaz|Moreno|Muñoz|Álvarez|Romero|Navarro|"
            "Torres"
        ),
        cities=(
            ("Madrid", "Comunidad de Madrid", "28", "Iberia Centre"),
            ("Zaragoza", "Aragón", "50", "Iberia Centre"),
            ("Barcelona", "Cataluña", "08", "Iberia East"),
            ("Valencia", "Comunitat Valenciana", "46", "Iberia East"),
            ("Sevilla", "Andalucía", "41", "Iberia South"),
            ("Málaga", "Andalucía", "29", "Iberia South"),
            ("Bilbao", "País Vasco", "48", "Iberia North"),
        ),
    ),
)
COUNTRY_CUM = tuple(accumulate(country.weight for country in COUNTRIES))
SEGMENT_CODES = tuple(SEGMENT_WEIGHTS)
SEGMENT_CUM = tuple(accumulate(SEGMENT_WEIGHTS.values()))
CURRENCIES = ("USD", "GBP", "EUR", "BRL")
# List prices are set in US dollars and converted (and rounded to tens) for each price book.
CURRENCY_RATES: dict[str, float] = {"USD": 1.0, "GBP": 0.79, "EUR": 0.92, "BRL": 5.0}

BRAND_WORDS = _words(
    "North|Northwind|Blue Harbor|Summit|Granite|Silver Lake|Cedar|Atlas|Pioneer|"
    "Evergreen|Redwood|Beacon|Meridian|Horizon|Lakeside|Riverside|Sterling|"
    "Keystone|Brightwater|Crown|Falcon|Golden Gate|Ironwood|Juniper|Kestrel|"
    "Lumen|Maple Leaf|Nova|Oakridge|Orion|Pinnacle|Quantum|Sapphire|Trident|"
    "Vertex|Willow|Zenith|Alpine|Coastal|Delta|Fairview|Greenfield|Highland|"
    "Westbrook|Southport|Copper|Aurora|Polaris|Sunrise|Tidewater|Vantage|"
    "Crescent"
)
INDUSTRIES = _words(
    "Systems|Logistics|Foods|Dental|Clinics|Engineering|Media|Software|Motors|"
    "Hotels|Retail|Pharma|Textiles|Builders|Analytics|Energy|Travel|Insurance|"
    "Outdoor|Fashion|Furniture|Electronics|Telecom|Publishing|Brewing|"
    "Pet Supplies|Cosmetics|Sports|Books|Optics|Labs|Consulting|Marketplace|"
    "Auto Parts"
)
TITLES = _words(
    "Head of Digital|E-commerce Manager|Chief Financial Officer|Procurement Manager|"
    "Marketing Director|Chief Technology Officer|Web Analyst|Accounts Payable Lead|"
    "Chief Digital Officer|UX Lead|Office Manager|Finance Director"
)


@dataclass(frozen=True)
class _SkuSpec:
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
    # (description, contents, usd) of a second catalogue version, when the SKU has one.
    v2: tuple[str, str, int] | None = None


CATALOGUE: tuple[_SkuSpec, ...] = (
    _SkuSpec(
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
    _SkuSpec(
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
    _SkuSpec(
        "EXA-ENT",
        "Experience Analytics Enterprise",
        SkuKind.SUBSCRIPTION,
        60_000,
        "Unlimited sites and users, single sign-on and a dedicated success manager.",
        "Unlimited sites; unlimited users; 25 months of data retention; SSO",
        billing_period_months=12,
    ),
    _SkuSpec(
        "ADD-REPLAY",
        "Session Replay add-on",
        SkuKind.SUBSCRIPTION,
        4_800,
        "Replay visitor sessions to see what went wrong.",
        "Session replay on all sites of the plan",
        billing_period_months=12,
    ),
    _SkuSpec(
        "ADD-VOC",
        "Voice of Customer add-on",
        SkuKind.SUBSCRIPTION,
        3_600,
        "On-site surveys and feedback tied to sessions.",
        "Unlimited surveys; 10,000 responses a month",
        billing_period_months=12,
    ),
    _SkuSpec(
        "ADD-API",
        "Data Export API",
        SkuKind.SUBSCRIPTION,
        2_400,
        "Daily export of metrics to the customer's data warehouse.",
        "REST API; daily batch export",
        billing_period_months=12,
    ),
    _SkuSpec(
        "SUP-PREM",
        "Premium Support",
        SkuKind.SUBSCRIPTION,
        6_000,
        "Four-hour response, named support engineer.",
        "24/5 support; 4-hour response; named engineer",
        billing_period_months=12,
    ),
    _SkuSpec(
        "SUP-STD",
        "Standard Support",
        SkuKind.INCLUDED,
        0,
        "Business-hours support by e-mail and chat, included with every plan.",
        "Business hours; next-day response",
        billing_period_months=12,
    ),
    _SkuSpec(
        "PV-500K",
        "Page Views, 500,000 a month",
        SkuKind.USAGE,
        6_000,
        "Collected page views included each month; overage billed per page view.",
        "500,000 page views a month",
        billing_period_months=12,
        included_volume=500_000,
    ),
    _SkuSpec(
        "SRV-WS",
        "Analytics Workshop (half day)",
        SkuKind.SERVICE,
        1_500,
        "A remote half-day workshop on one business question.",
        "1 workshop",
        consumption_months=12,
    ),
    _SkuSpec(
        "SRV-WS4",
        "Workshop Pack (four half days)",
        SkuKind.SERVICE,
        5_400,
        "Four remote half-day workshops.",
        "4 workshops",
        consumption_months=12,
        units=4,
    ),
    _SkuSpec(
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
    _SkuSpec(
        "SRV-TRAIN",
        "Admin Training (two remote sessions)",
        SkuKind.SERVICE,
        2_000,
        "Training for the customer's administrators.",
        "2 sessions of 2 hours; up to 8 attendees",
        consumption_months=12,
        units=2,
    ),
    _SkuSpec(
        "SRV-ONSITE",
        "On-site Support Day",
        SkuKind.SERVICE,
        2_200,
        "A consultant on the customer's premises for one day.",
        "1 day on site; travel included within the territory",
        consumption_months=12,
        onsite_support=True,
    ),
    _SkuSpec(
        "ONE-IMPL",
        "Implementation and Tagging Setup",
        SkuKind.ONE_OFF,
        3_000,
        "Tag deployment and configuration of the first site.",
        "Tag deployment; goal configuration; one validation call",
    ),
    _SkuSpec(
        "ONE-SSO",
        "Single Sign-On Setup",
        SkuKind.ONE_OFF,
        900,
        "SAML single sign-on configured with the customer's identity provider.",
        "SAML 2.0 configuration; one test session",
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
DISCOUNTS = (0, 0, 0, 5, 10, 10, 15, 20)
SIGNATURE_METHODS = (
    SignatureMethod.ELECTRONIC,
    SignatureMethod.ELECTRONIC,
    SignatureMethod.WET_INK,
    SignatureMethod.EMAIL_CONFIRMATION,
)

HISTORY: dict[ActivityKind, tuple[str, ...]] = {
    ActivityKind.CALL: (
        "Quarterly check-in call",
        "Call about the renewal",
        "Usage review call",
        "Call about the latest invoice",
        "Call to plan the next workshop",
    ),
    ActivityKind.EMAIL: (
        "Sent the monthly usage report",
        "Sent the renewal reminder",
        "Answered a question about page-view limits",
        "Sent workshop dates",
        "Confirmed the invoice address",
    ),
    ActivityKind.MEETING: (
        "Quarterly business review",
        "On-site visit",
        "Workshop debrief",
        "Roadmap presentation",
    ),
    ActivityKind.NOTE: (
        "Reviewing their budget for next year",
        "New head of digital started this month",
        "Interested in session replay",
        "Asked about volume discounts",
        "Happy with the support team",
        "Looking at a competitor",
    ),
}
HISTORY_KINDS = (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING, ActivityKind.NOTE)
HISTORY_CUM = (35, 70, 85, 100)
OUTCOMES = ("Positive", "Follow-up needed", "Left a voicemail", "Will confirm by e-mail", "")
CASE_REASONS = (
    "Budget cut for next year; asks for a lower rate to stay.",
    "Traffic fell after the site relaunch; wants fewer page views.",
    "A competitor offered a lower price.",
    "Closing two of their sites; needs a smaller plan.",
    "New procurement policy caps software spend.",
)
UPSELL_NAMES = (
    "Session replay for all sites",
    "More page views",
    "Voice of Customer surveys",
    "Workshop pack",
    "Upgrade to Enterprise",
)
LOST_REASONS = ("Price", "No budget this year", "Chose a competitor", "Project postponed")
WON_REASONS = ("Value proven in the workshop", "Bundle discount", "Executive sponsor")

# Each persona's open work: two overdue, three due today, three later this week. "{account}"
# and "{contact}" name a customer the persona would really work on.
PERSONA_TASKS: dict[str, tuple[str, ...]] = {
    "ae": (
        "Call {contact} at {account} about the renewal",
        "Send the usage summary to {account}",
        "Prepare the quarterly review for {account}",
        "Remind {contact} of the 60-day notice",
        "Log the outcome of the {account} call",
        "Check in with {account} after the workshop",
        "Ask {contact} who owns the new budget",
        "Update the account plan for {account}",
    ),
    "cms": (
        "Review usage and services of {account}",
        "Confirm goals with {contact} at {account}",
        "Chase the signature on the {account} contract",
        "Build the reduction quote for {account}",
        "Call {contact} about the placeholder request",
        "Check the notice deadline for {account}",
        "Send the revised offer to {account}",
        "Close the opportunity for {account}",
    ),
    "leader": (
        "Review the rate reduction for {account}",
        "Sign off the Mid-market forecast",
        "Decide on the discount for {account}",
        "One-to-one with Erin about {account}",
        "Review renewals in the notice window",
        "Coach Casey on the {account} negotiation",
        "Prepare the segment review",
        "Check the approval turnaround report",
    ),
    "kam": (
        "Follow up the offer sent to {contact}",
        "Check the order situation of {account}",
        "Present the upsell package to {account}",
        "Design the renewal package for {account}",
        "Send the offer e-mail to {contact}",
        "Review upsell potential of {account}",
        "Plan the executive visit to {account}",
        "Ask {contact} for feedback on the offer",
    ),
    "custsvc": (
        "Collect signatures for the {account} contract",
        "Check the invoice contact of {account}",
        "Finalise the contract of {account}",
        "Start the test subscription for {account}",
        "Check the billing address of {account}",
        "Split the {account} order by location",
        "Review the draft invoices of {account}",
        "Confirm the territory of use for {account}",
    ),
    "success": (
        "Answer the off-catalogue request from {account}",
        "Plan the workshop with {contact}",
        "Check unused audits at {account}",
        "Review the on-site support request of {account}",
        "Schedule the training for {account}",
        "Publish the updated service catalogue",
        "Call {contact} about the workshop deadline",
        "Review the statement of work for {account}",
    ),
    "presales": (
        "Write the statement of work for {account}",
        "Scope the on-site support for {account}",
        "Demo session replay to {contact}",
        "Estimate the audit effort for {account}",
        "Review the SOW with {contact}",
        "Prepare the technical answers for {account}",
        "Check the tagging plan of {account}",
        "Update the SOW templates",
    ),
    "finance": (
        "Chase the overdue invoice of {account}",
        "Review the draft invoices for this week",
        "Answer the payment question from {contact}",
        "Check the page-view overage of {account}",
        "Export the orders to the ERP",
        "Approve the credit note for {account}",
        "Reconcile payments received",
        "Check the invoice address of {account}",
    ),
    "im": (
        "Import the iSeries export for {account}",
        "Resolve the billing discrepancy at {account}",
        "Tell the SSM the data of {account} is ready",
        "Announce inventory loading for {account}",
        "Apply the account changes for {account}",
        "Check the dry-run diff for {account}",
        "Daily handoff call with the SSM",
        "Close the onboarding request for {account}",
    ),
    "ssm": (
        "Generate the first report for {account}",
        "Go through the transition checklist for {account}",
        "Daily handoff call with the IM",
        "Review open billing discrepancies at {account}",
        "Meet the NAM about {account}",
        "Check inventory loading for {account} bids",
        "Take over reporting for {account}",
        "Update the transition SOP",
    ),
    "nam": (
        "Send the new locations of {account} to the IM",
        "Review the performance of {account}",
        "Confirm the account list with {contact}",
        "Ask the IM for the status of {account}",
        "Plan the annual review of {account}",
        "Remove the closed location from {account}",
        "Call {contact} about the new sites",
        "Prepare the national agreement renewal for {account}",
    ),
    "admin": (
        "Review the access requests",
        "Check the outbox for failed e-mails",
        "Rotate the SSH key of the SSH gateway",
        "Add the new starter in Customer Services",
        "Replace the approver on leave",
        "Review the approval rules",
        "Update the invoice template",
        "Archive retired SKUs",
    ),
    "trainer": (
        "Prepare the Monday demo class",
        "Reset the training database",
        "Update the retention scenario checklist",
        "Run the approvals walkthrough",
        "Collect feedback from the new starters",
        "Rehearse the onboarding handoff tour",
        "Write the KAM scenario",
        "Book the room for Friday's session",
    ),
}
# When each persona task is due, in PERSONA_TASKS order: (days from today, hour, minute).
TASK_SLOTS: tuple[tuple[int, int, int], ...] = (
    (-3, 10, 0),
    (-1, 15, 0),
    (0, 9, 0),
    (0, 13, 30),
    (0, 16, 0),
    (1, 11, 0),
    (3, 10, 0),
    (5, 14, 0),
)
HANDOVER_CHECKLIST = (
    "Confirm every account is updated in iSeries and visible in acctmgr",
    "Generate the first National/Regional Account report",
    "Review open billing discrepancies with the IM",
    "Review inventory loading for upcoming bids",
    "Meet the NAM/RAM and the customer's contacts",
    "Take over daily reporting and support requests",
)

# Written in this order, which every foreign key agrees with (the three circular ones are
# filled in afterwards by UPDATE or left empty).
WRITE_ORDER = (
    "segments",
    "users",
    "user_roles",
    "skus",
    "sku_versions",
    "sku_prices",
    "usage_tiers",
    "packages",
    "package_items",
    "approval_rules",
    "accounts",
    "contacts",
    "contracts",
    "subscriptions",
    "entitlements",
    "usage_records",
    "invoices",
    "invoice_lines",
    "retention_cases",
    "opportunities",
    "placeholder_requests",
    "quotes",
    "quote_lines",
    "approval_requests",
    "approvals",
    "onboarding_requests",
    "onboarding_accounts",
    "billing_discrepancies",
    "handover_items",
    "import_runs",
    "activities",
    "audit_events",
)


class SeedSummary(BaseModel):
    """What a demo load wrote: rows per table, in the order the tables were written."""

    model_config = ConfigDict(frozen=True)

    accounts: int
    seed: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        """One line per table ("accounts  100,000"), for the CLI."""
        width = max(len(name) for name in self.counts)
        return [f"{name.ljust(width)}  {count:>10,}" for name, count in self.counts.items()]


def seed_demo(
    database: Database, *, accounts: int = 2000, seed: int = 7, now: datetime
) -> SeedSummary:
    """Fill an empty database with deterministic demo data; returns the rows per table.

    ``accounts`` counts every account (about 2% are National/Regional parents); ``now`` is the
    instant every date is relative to. Raises InvalidInput when the database already has users,
    segments or accounts, or when fewer than ``MIN_ACCOUNTS`` accounts are asked for.
    """
    if accounts < MIN_ACCOUNTS:
        raise InvalidInput(
            f"Demo data needs at least {MIN_ACCOUNTS} accounts to hold its stories.",
            field="accounts",
        )
    if now.tzinfo is None:
        raise ValueError("seed_demo takes a timezone-aware now.")
    now = now.astimezone(UTC)
    # The load allocates millions of dicts and tuples, none in a reference cycle; the cyclic
    # collector would scan them over and over for nothing (a fifth of the time at 100,000
    # accounts). Reference counting still frees every row once written.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _seed(database, accounts, seed, now)
    finally:
        if collecting:
            gc.enable()


def _seed(database: Database, accounts: int, seed: int, now: datetime) -> SeedSummary:
    with database.write_session() as session:
        for model in (User, Segment, Account):
            if session.scalar(select(func.count()).select_from(model)):
                raise InvalidInput(ALREADY_HAS_DATA)
        seeder = _Seeder(session, random.Random(seed), now, accounts)
        if database.is_sqlite:
            # A bigger page cache for this one connection: the load touches every index page.
            session.execute(text("PRAGMA cache_size = -262144"))
        seeder.run()
        counts = seeder.finish()
        if not database.is_sqlite:
            _reset_sequences(session)
        session.commit()
    return SeedSummary(accounts=accounts, seed=seed, counts=counts)


def _reset_sequences(session: Session) -> None:
    """Move each PostgreSQL id sequence past the ids assigned here, so later inserts fit."""
    for table in Base.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.primary_key:
            continue
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
            ),
            {"table": table.name},
        )


DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = 29 if month == 2 and calendar.isleap(year) else DAYS_IN_MONTH[month]
    return date(year, month, min(day.day, last))


@cache
def _slug(value: str, separator: str = "-") -> str:
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    words = "".join(char if char.isalnum() else " " for char in folded.replace("'", "")).split()
    return separator.join(words)


POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@cache
def _compile_pattern(pattern: str) -> tuple[str, str]:
    """A format string with a slot per "#" or "@" of the pattern, and the kinds of the slots."""
    escaped = pattern.replace("{", "{{").replace("}", "}}")
    return escaped.replace("#", "{}").replace("@", "{}"), "".join(
        char for char in pattern if char in "#@"
    )


class _SqliteInstants:
    """Instants as UTCDateTime and SQLAlchemy's SQLite DATETIME store them, memoised.

    The text is naive UTC with six decimals ("2026-11-23 09:30:00.000000"). Most of the load's
    instants repeat (an account and its contacts share one, every invoice is sent at 09:15), and
    looking one up costs a twentieth of formatting it.
    """

    def __init__(self) -> None:
        self.known: dict[datetime, str] = {}

    def __call__(self, values: Sequence[datetime | None]) -> list[str | None]:
        known = self.known
        return [
            None if value is None else (known.get(value) or self.format(value)) for value in values
        ]

    def format(self, value: datetime) -> str:
        text = value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
        self.known[value] = text
        return text


def _sqlite_dates(values: Sequence[date | None]) -> list[str | None]:
    # SQLAlchemy's SQLite DATE storage format is ISO 8601.
    return [None if value is None else value.isoformat() for value in values]


def _each(process: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    return [process(value) for value in values]


@dataclass(frozen=True, slots=True)
class _Searchable:
    """The fields ``search_text_of`` reads, without building an ORM object for each account."""

    name: str
    iseries_number: str | None
    billing_city: str


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


@dataclass(slots=True)
class _Parent:
    """A National or Regional Account, as its locations need it."""

    id: int
    name: str
    brand: str
    segment: str
    country: _Country
    cities: tuple[tuple[str, str, str, str], ...]
    domain: str
    iseries: str
    contact_id: int | None
    contact_name: str
    locations: int = 0


@dataclass(slots=True)
class _Customer:
    """What the later stories need to know about a seeded account."""

    id: int
    name: str
    segment: str
    owner_id: int
    kam_id: int | None
    currency: str
    territory: str
    iseries: str | None
    contact_id: int | None
    contact_name: str
    contract_id: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    annual_minor: int = 0
    # (SKU code, quantity) of what the contract sells, plan first.
    items: list[tuple[str, int]] = field(default_factory=list)


class _Seeder:
    """Builds the rows in a fixed order from one random generator, and writes them in batches."""

    def __init__(self, session: Session, rng: random.Random, now: datetime, accounts: int):
        self.session = session
        self.rng = rng
        self.now = now
        self.today = now.date()
        self.accounts = accounts
        self.rows: dict[str, list[Row]] = defaultdict(list)
        self.last_id: dict[str, int] = defaultdict(int)
        self.counts: dict[str, int] = {}
        self.invoice_contacts: list[dict[str, int]] = []
        self.tables = Base.metadata.tables
        self.is_sqlite = session.get_bind().dialect.name == "sqlite"
        self.statements: dict[
            tuple[str, tuple[str, ...]], tuple[str, list[tuple[int, ColumnConverter]]]
        ] = {}
        self.random = rng.random
        self.instants = _SqliteInstants()
        self.segment_ids: dict[str, int] = {}
        self.user_ids: dict[str, int] = {}
        self.aes: dict[str, list[int]] = defaultdict(list)
        self.cmss: dict[str, list[int]] = defaultdict(list)
        self.kams: dict[str, list[int]] = defaultdict(list)
        self.leaders: dict[str, int] = {}
        self.version_ids: dict[str, tuple[int, int | None]] = {}  # code -> (v1, v2)
        self.prices: dict[tuple[int, str], int] = {}  # (sku version id, currency) -> minor
        self.v2_since = self.today - timedelta(days=V2_AGE_DAYS)
        self.parents: list[_Parent] = []
        self.parents_by_segment: dict[str, list[_Parent]] = defaultdict(list)
        self.featured: list[_Customer] = []
        self.pool: list[_Customer] = []  # active customers anyone may have a task on
        self.first_by_owner: dict[int, _Customer] = {}
        self.case_accounts: list[_Customer] = []
        self.approval_candidates: dict[str, _Customer] = {}
        self.rule_id = 0
        self.iseries: list[str] = []
        self.customer_services: list[int] = []
        self.finance: list[int] = []

    # -- writing --------------------------------------------------------------------------

    def new_id(self, table: str) -> int:
        self.last_id[table] += 1
        return self.last_id[table]

    def add(self, table: str, row: Row) -> None:
        self.rows[table].append(row)

    def flush(self) -> None:
        """Write every buffered row, table by table in foreign-key order."""
        for table in WRITE_ORDER:
            rows = self.rows.pop(table, None)
            if rows:
                self.write(table, rows)
                self.counts[table] = self.counts.get(table, 0) + len(rows)
            if table == "contacts" and self.invoice_contacts:
                self._set_invoice_contacts()
        assert not self.rows, f"rows for tables outside WRITE_ORDER: {sorted(self.rows)}"

    def write(self, table: str, rows: list[Row]) -> None:
        if not self.is_sqlite:
            statement = insert(self.tables[table])
            for start in range(0, len(rows), BATCH):
                self.session.execute(statement, rows[start : start + BATCH])
            return
        keys = tuple(rows[0])
        sql, converters = self.sqlite_insert(table, keys)
        values_of = itemgetter(*keys)
        connection = self.session.connection()
        for start in range(0, len(rows), BATCH):
            # Rows become tuples, and only the columns that need it are converted, a whole
            # column at a time: itemgetter and zip work at C speed, a loop over values would not.
            params = [values_of(row) for row in rows[start : start + BATCH]]
            if converters:
                columns: list[Sequence[Any]] = list(zip(*params, strict=True))
                for index, convert in converters:
                    columns[index] = convert(columns[index])
                params = list(zip(*columns, strict=True))
            connection.exec_driver_sql(sql, params)

    def sqlite_insert(
        self, name: str, keys: tuple[str, ...]
    ) -> tuple[str, list[tuple[int, ColumnConverter]]]:
        """The INSERT for these columns, and the converters of the columns that need one."""
        cached = self.statements.get((name, keys))
        if cached is not None:
            return cached
        table = self.tables[name]
        dialect = self.session.get_bind().dialect
        quote = dialect.identifier_preparer.quote
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(key) for key in keys)}) "
            f"VALUES ({', '.join('?' for _ in keys)})"
        )
        converters: list[tuple[int, ColumnConverter]] = []
        for index, key in enumerate(keys):
            column_type = table.c[key].type
            if isinstance(column_type, UTCDateTime):
                converters.append((index, self.instants))
            elif isinstance(column_type, Date):
                converters.append((index, _sqlite_dates))
            elif not isinstance(column_type, Enum | Boolean):
                # Enums and booleans are bound as they are: every model enum is a StrEnum, whose
                # members are their values, and a bool is the integer SQLite stores.
                process = column_type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    converters.append((index, partial(_each, process)))
        self.statements[(name, keys)] = sql, converters
        return sql, converters

    def _set_invoice_contacts(self) -> None:
        # An account's invoice contact is a contact of that account, which can only be
        # inserted after the account: the reference is filled in once both rows exist.
        accounts: Table = self.tables["accounts"]
        statement = (
            update(accounts)
            .where(accounts.c.id == bindparam("account"))
            .values(invoice_contact_id=bindparam("contact"))
        )
        for start in range(0, len(self.invoice_contacts), BATCH):
            self.session.execute(statement, self.invoice_contacts[start : start + BATCH])
        self.invoice_contacts.clear()

    def finish(self) -> dict[str, int]:
        """Write the audit event of the whole load; returns the rows written per table."""
        counts = {table: self.counts[table] for table in WRITE_ORDER if table in self.counts}
        counts["audit_events"] = 1
        self.add(
            "audit_events",
            {
                "id": self.new_id("audit_events"),
                "at": self.now,
                "actor_id": None,
                "action": "demo.seed",
                "change": "insert",
                "entity_type": "database",
                "entity_id": None,
                "before": None,
                "after": dict(counts),
            },
        )
        self.flush()
        return counts

    # -- chance -----------------------------------------------------------------------------
    # random() is several times cheaper than choice() and randint(), which matters a million
    # times over; the results are just as deterministic.

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def weighted(self, items: Sequence[T], cumulative: Sequence[int]) -> T:
        return items[bisect(cumulative, self.random() * cumulative[-1])]

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def fill(self, pattern: str) -> str:
        """A pattern with each "#" replaced by a random digit and each "@" by a letter."""
        template, slots = _compile_pattern(pattern)
        draw = self.random
        return template.format(
            *[
                "0123456789"[int(draw() * 10)]
                if slot == "#"
                else POSTCODE_LETTERS[int(draw() * 20)]
                for slot in slots
            ]
        )

    # -- the whole load -------------------------------------------------------------------

    def run(self) -> None:
        self.people()
        self.catalogue()
        self.approval_rule()
        self.flush()
        parents = max(2, round(self.accounts * PARENT_SHARE))
        # Every account's iSeries number, plus two for accounts an onboarding request will add.
        self.iseries = [
            f"I{n:07d}" for n in self.rng.sample(range(1, 10_000_000), self.accounts + 2)
        ]
        for index in range(parents):
            self.parent(index)
        self.flush()
        for index in range(self.accounts - parents):
            self.customer(index, parents + index)
            if (index + 1) % BATCH == 0:
                self.flush()
        self.flush()
        self.retention_stories()
        self.onboarding()
        self.tasks()
        self.flush()

    # -- staff ----------------------------------------------------------------------------

    def people(self) -> None:
        created = self.now - timedelta(days=900)
        for code, name in DEMO_SEGMENTS.items():
            segment_id = self.new_id("segments")
            self.segment_ids[code] = segment_id
            self.add("segments", {"id": segment_id, "code": code, "name": name, "version": 1})
        everyone = [(login, *persona) for login, persona in PERSONAS.items()]
        for login, name, roles, segment in [*everyone, *STAFF]:
            user_id = self.new_id("users")
            self.user_ids[login] = user_id
            self.add(
                "users",
                {
                    "id": user_id,
                    "login": login,
                    "name": name,
                    "email": f"{login}@{DEMO_EMAIL_DOMAIN}",
                    "segment_id": self.segment_ids[segment] if segment else None,
                    "active": True,
                    "created_at": created,
                    "updated_at": None,
                    "version": 1,
                },
            )
            for role in sorted(roles):
                self.add("user_roles", {"user_id": user_id, "role": role})
            if segment is None:
                continue
            if Role.ACCOUNT_EXECUTIVE in roles:
                self.aes[segment].append(user_id)
            if Role.CONTRACT_MANAGER in roles:
                self.cmss[segment].append(user_id)
            if Role.KEY_ACCOUNT_MANAGER in roles:
                self.kams[segment].append(user_id)
            if Role.SEGMENT_LEADER in roles:
                self.leaders[segment] = user_id
        self.customer_services = [self.user_ids["custsvc"], self.user_ids["blima"]]
        self.finance = [self.user_ids["finance"], self.user_ids["ghughes"]]

    # -- catalogue ------------------------------------------------------------------------

    def catalogue(self) -> None:
        admin = self.user_ids["admin"]
        first_release = self.now - timedelta(days=1100)
        second_release = _at(self.v2_since, 8)
        current: list[dict[str, int]] = []
        for spec in CATALOGUE:
            sku_id = self.new_id("skus")
            self.add(
                "skus",
                {
                    "id": sku_id,
                    "code": spec.code,
                    "retired_at": None,
                    "current_version_id": None,
                    "created_at": first_release,
                    "updated_at": None,
                    "version": 1,
                },
            )
            versions = [(spec.description, spec.contents, spec.usd, first_release)]
            if spec.v2:
                versions.append((*spec.v2, second_release))
            ids: list[int] = []
            for number, (description, contents, usd, created) in enumerate(versions, 1):
                version_id = self.new_id("sku_versions")
                ids.append(version_id)
                self.add(
                    "sku_versions",
                    {
                        "id": version_id,
                        "sku_id": sku_id,
                        "number": number,
                        "name": spec.name,
                        "description": description,
                        "contents": contents,
                        "kind": spec.kind,
                        "billing_period_months": spec.billing_period_months,
                        "consumption_months": spec.consumption_months,
                        "units": spec.units,
                        "included_volume": spec.included_volume,
                        "onsite_support": spec.onsite_support,
                        "created_by_id": admin,
                        "created_at": created,
                        "updated_at": None,
                    },
                )
                for currency in CURRENCIES:
                    price = round(usd * CURRENCY_RATES[currency], -1) * 100
                    self.prices[(version_id, currency)] = int(price)
                    self.add(
                        "sku_prices",
                        {
                            "id": self.new_id("sku_prices"),
                            "sku_version_id": version_id,
                            "currency": currency,
                            "list_price_minor": int(price),
                        },
                    )
                    if spec.included_volume:
                        # Page views past the included volume cost one minor unit each (five
                        # centavos in reais), a deterrent that makes the next pack cheaper.
                        self.add(
                            "usage_tiers",
                            {
                                "id": self.new_id("usage_tiers"),
                                "sku_version_id": version_id,
                                "currency": currency,
                                "from_volume": spec.included_volume,
                                "unit_price_minor": 5 if currency == "BRL" else 1,
                            },
                        )
            self.version_ids[spec.code] = (ids[0], ids[1] if len(ids) > 1 else None)
            current.append({"sku": sku_id, "latest": ids[-1]})
        sku_ids = {spec.code: index + 1 for index, spec in enumerate(CATALOGUE)}
        packages = (
            (
                "STARTER",
                "Starter pack",
                "Applied to every new customer's first quote.",
                True,
                (("ONE-IMPL", 1), ("SRV-WS", 1), ("SUP-STD", 1)),
            ),
            (
                "GROWTH",
                "Growth bundle",
                "Professional plan with replay, page views and workshops.",
                False,
                (("EXA-PRO", 1), ("ADD-REPLAY", 1), ("PV-500K", 2), ("SRV-WS4", 1)),
            ),
        )
        for code, name, description, starter, items in packages:
            package_id = self.new_id("packages")
            self.add(
                "packages",
                {
                    "id": package_id,
                    "code": code,
                    "name": name,
                    "description": description,
                    "is_starter_pack": starter,
                    "retired_at": None,
                    "created_at": first_release,
                    "updated_at": None,
                    "version": 1,
                },
            )
            for sku_code, quantity in items:
                self.add(
                    "package_items",
                    {
                        "id": self.new_id("package_items"),
                        "package_id": package_id,
                        "sku_id": sku_ids[sku_code],
                        "quantity": quantity,
                    },
                )
        self.flush()
        # A SKU points at its newest version, which can only exist after the SKU.
        skus: Table = self.tables["skus"]
        self.session.execute(
            update(skus)
            .where(skus.c.id == bindparam("sku"))
            .values(current_version_id=bindparam("latest")),
            current,
        )

    def version_for(self, code: str, starts_on: date) -> int:
        """The catalogue version a contract starting on that day was sold with."""
        first, second = self.version_ids[code]
        return second if second is not None and starts_on >= self.v2_since else first

    def approval_rule(self) -> None:
        self.rule_id = self.new_id("approval_rules")
        self.add(
            "approval_rules",
            {
                "id": self.rule_id,
                "name": "Rate reductions need the account's Segment Leader",
                "record_type": "quote",
                "condition": {"field": "opportunity_kind", "op": "==", "value": "rate_reduction"},
                "tier": 1,
                "approver_kind": ApproverKind.ROLE_IN_SEGMENT,
                "approver_user_id": None,
                "approver_role": Role.SEGMENT_LEADER,
                "approver_group_id": None,
                "group_mode": GroupMode.ANY,
                "sla_hours": 48,
                "reminder_hours": 24,
                "active": True,
                "created_at": self.now - timedelta(days=200),
                "updated_at": None,
                "version": 1,
            },
        )

    # -- accounts -------------------------------------------------------------------------

    def parent(self, index: int) -> None:
        # The first two are the ones the onboarding stories use.
        if index == 0:
            kind, segment = AccountKind.NATIONAL, "MID"
        elif index == 1:
            kind, segment = AccountKind.REGIONAL, "ENT"
        else:
            kind = AccountKind.NATIONAL if self.random() < 0.4 else AccountKind.REGIONAL
            segment = self.pick_segment()
        country = self.pick_country()
        city = self.pick(country.cities)
        brand = f"{self.pick(BRAND_WORDS)} {self.pick(INDUSTRIES)}"
        if kind == AccountKind.NATIONAL:
            name, cities = f"{brand} Group", country.cities
        else:
            name = f"{brand} {city[1] if len(city[1]) > 2 else city[0]}"
            cities = tuple(c for c in country.cities if c[1] == city[1])
        account_id = self.new_id("accounts")
        iseries = self.iseries[account_id - 1]
        owner = self.pick(self.aes[segment])
        kams = self.kams.get(segment)
        domain = f"{_slug(brand)}.example"
        contact_id, contact_name = self.account_rows(
            account_id=account_id,
            name=name,
            kind=kind,
            status=AccountStatus.ACTIVE,
            iseries=iseries,
            parent_id=None,
            segment=segment,
            owner=owner,
            kam=self.pick(kams) if kams else None,
            country=country,
            city=city,
            domain=domain,
            complete=True,
        )
        parent = _Parent(
            id=account_id,
            name=name,
            brand=brand,
            segment=segment,
            country=country,
            cities=cities,
            domain=domain,
            iseries=iseries,
            contact_id=contact_id,
            contact_name=contact_name,
        )
        self.parents.append(parent)
        self.parents_by_segment[segment].append(parent)

    def pick_segment(self) -> str:
        return self.weighted(SEGMENT_CODES, SEGMENT_CUM)

    def pick_country(self) -> _Country:
        return self.weighted(COUNTRIES, COUNTRY_CUM)

    def customer(self, index: int, position: int) -> None:
        """One customer account with everything it has: contacts, contract, bills, history."""
        featured = index < FEATURED
        segment = "MID" if featured else self.pick_segment()
        roll = self.random()
        if featured or roll < 0.96:
            status = AccountStatus.ACTIVE
        else:
            status = AccountStatus.PROSPECT if roll < 0.98 else AccountStatus.CHURNED
        parent: _Parent | None = None
        if index in ONBOARDING_FEATURED:
            parent = self.parents[0]
        elif not featured and self.random() < CHILD_SHARE:
            candidates = self.parents_by_segment.get(segment)
            parent = self.pick(candidates) if candidates else None
        if parent is not None:
            country = parent.country
            city = self.pick(parent.cities)
            parent.locations += 1
            name = f"{parent.brand} {city[0]} #{parent.locations}"
            domain = parent.domain
        else:
            country = self.pick_country()
            city = self.pick(country.cities)
            if segment == "PUB" and self.random() < 0.6:
                name = self.pick(country.public_names).format(c=city[0])
                brand = name
            else:
                word = (
                    self.pick(country.last_names)
                    if self.random() < 0.15
                    else self.pick(BRAND_WORDS)
                )
                brand = f"{word} {self.pick(INDUSTRIES)}"
                name = f"{brand} {self.pick(country.legal_forms)}"
            domain = f"{_slug(brand)}.example"
        owner = self.user_ids["ae"] if featured else self.pick(self.aes[segment])
        kam: int | None = None
        if index == UPSELL_FEATURED or index in ONBOARDING_FEATURED:
            kam = self.user_ids["kam"]
        elif segment == "ENT" or (segment == "MID" and not featured and self.random() < 0.15):
            kam = self.pick(self.kams[segment])
        account_id = self.new_id("accounts")
        iseries = None if status == AccountStatus.PROSPECT else self.iseries[position]
        contact_id, contact_name = self.account_rows(
            account_id=account_id,
            name=name,
            kind=AccountKind.CUSTOMER,
            status=status,
            iseries=iseries,
            parent_id=parent.id if parent else None,
            segment=segment,
            owner=owner,
            kam=kam,
            country=country,
            city=city,
            domain=domain,
            complete=featured,
        )
        info = _Customer(
            id=account_id,
            name=name,
            segment=segment,
            owner_id=owner,
            kam_id=kam,
            currency=country.currency,
            territory=city[3],
            iseries=iseries,
            contact_id=contact_id,
            contact_name=contact_name,
        )
        if featured:
            self.featured.append(info)
        if status == AccountStatus.PROSPECT:
            self.opportunity(info, OpportunityKind.NEW_BUSINESS)
        else:
            self.contract(info, index, status)
            if status == AccountStatus.ACTIVE:
                self.remember(info, index)
        self.history(info)

    def remember(self, info: _Customer, index: int) -> None:
        """Keep the few accounts later stories (cases, approvals, tasks) are told about."""
        if index < FEATURED:
            if index == UPSELL_FEATURED:
                self.opportunity(info, OpportunityKind.UPSELL, owner=self.user_ids["kam"])
            return
        if len(self.pool) < 200:
            self.pool.append(info)
        self.first_by_owner.setdefault(info.owner_id, info)
        if info.segment != "MID" and info.segment not in self.approval_candidates:
            # Its rate reduction waits for approval; it gets no second case.
            self.approval_candidates[info.segment] = info
        elif self.random() < CASE_SHARE:
            self.case_accounts.append(info)
        roll = self.random()
        if roll < 0.03:
            ending = info.ends_on is not None and info.ends_on <= self.today + timedelta(days=150)
            kind = OpportunityKind.RENEWAL if ending else OpportunityKind.UPSELL
            self.opportunity(info, kind)
        elif roll < 0.05:
            kind = self.pick((OpportunityKind.UPSELL, OpportunityKind.RENEWAL))
            self.opportunity(info, kind, closed=True)

    def account_rows(
        self,
        *,
        account_id: int,
        name: str,
        kind: AccountKind,
        status: AccountStatus,
        iseries: str | None,
        parent_id: int | None,
        segment: str,
        owner: int,
        kam: int | None,
        country: _Country,
        city: tuple[str, str, str, str],
        domain: str,
        complete: bool,
    ) -> tuple[int | None, str]:
        """The account and its 1-3 contacts; returns the main contact's id and name."""
        created = _at(self.today - timedelta(days=self.between(400, 3000)), 9, self.between(0, 59))
        first_names, last_names = country.first_names, country.last_names
        contacts: list[tuple[int, str, str]] = []
        for position in range(self.pick((1, 2, 2, 3))):
            first, last = self.pick(first_names), self.pick(last_names)
            contact_name = f"{first} {last}"
            has_email = (complete and position == 0) or self.random() >= 0.03
            email = f"{_slug(first, '.')}.{_slug(last, '')}@{domain}" if has_email else ""
            contact_id = self.new_id("contacts")
            contacts.append((contact_id, contact_name, email))
            self.add(
                "contacts",
                {
                    "id": contact_id,
                    "account_id": account_id,
                    "name": contact_name,
                    "title": self.pick(TITLES),
                    "email": email,
                    "phone": self.fill(country.phone),
                    "is_primary": position == 0,
                    "created_at": created,
                    "updated_at": None,
                    "version": 1,
                },
            )
        invoice_contact = next((c for c in contacts if c[2]), None)
        # A few accounts lack an invoice contact or a postal code, for the checks to catch.
        if not complete and self.random() < 0.02:
            invoice_contact = None
        if invoice_contact is not None:
            self.invoice_contacts.append({"account": account_id, "contact": invoice_contact[0]})
        prefix = self.pick(city[2].split("|"))
        postal = self.fill(country.postal.format(p=prefix))
        if not complete and self.random() < 0.015:
            postal = ""
        street = country.street.format(n=self.between(1, 250), s=self.pick(country.streets))
        searchable = cast(Account, _Searchable(name, iseries, city[0]))
        self.add(
            "accounts",
            {
                "id": account_id,
                "name": name,
                "kind": kind,
                "status": status,
                "iseries_number": iseries,
                "parent_id": parent_id,
                "segment_id": self.segment_ids[segment],
                "owner_id": owner,
                "key_account_manager_id": kam,
                "territory": city[3],
                "locale": country.locale,
                "currency": country.currency,
                "invoice_contact_id": None,
                "billing_street": street,
                "billing_city": city[0],
                "billing_postal_code": postal,
                "billing_region": city[1],
                "billing_country": country.code,
                "search_text": search_text_of(searchable, [c[1] for c in contacts]),
                "created_at": created,
                "updated_at": None,
                "version": 1,
            },
        )
        main = invoice_contact or contacts[0]
        return main[0], main[1]

    # -- contracts and what hangs off them -----------------------------------------------

    def contract(self, info: _Customer, index: int, status: AccountStatus) -> None:
        """A 12-month contract with its subscriptions, entitlements, usage and invoices."""
        today = self.today
        if status == AccountStatus.CHURNED:
            ends_on = today - timedelta(days=self.between(10, 300))
        elif index in APPROVAL_FEATURED or (
            index >= FEATURED and self.random() < NOTICE_WINDOW_SHARE
        ):
            ends_on = today + timedelta(days=self.between(60, 90))
        else:
            ends_on = today + timedelta(days=self.between(91, 364))
        starts_on = add_months(ends_on + timedelta(days=1), -12)
        active = status == AccountStatus.ACTIVE
        currency = info.currency
        contract_id = self.new_id("contracts")
        signed_on = starts_on - timedelta(days=self.between(3, 25))
        finalised_at = _at(signed_on + timedelta(days=1), 10, self.between(0, 59))
        sub_status = SubscriptionStatus.ACTIVE if active else SubscriptionStatus.ENDED

        plans, weights = PLANS[info.segment]
        plan = self.weighted(plans, weights)
        items = [(plan, 1)]
        extras = self.pick((0, 1, 1, 2))
        while len(items) < extras + 1:
            code = self.weighted(ADD_ONS, ADD_ON_CUM)
            if all(code != item[0] for item in items):
                items.append((code, self.between(1, 3) if code == "PV-500K" else 1))
        services: list[tuple[str, int]] = []
        if self.random() < SERVICE_SHARE[info.segment]:
            services.append((self.pick(SERVICES), 1))
            if info.segment == "ENT" and self.random() < 0.3:
                services.append(("SRV-ONSITE", self.between(1, 3)))

        annual = 0
        threshold: int | None = None
        billed: list[tuple[_SkuSpec, int, int]] = []  # spec, quantity, net unit price a year
        for code, quantity in items:
            spec = SKU_BY_CODE[code]
            version_id = self.version_for(code, starts_on)
            list_price = self.prices[(version_id, currency)]
            discount = self.pick(DISCOUNTS)
            net = list_price * (100 - discount) // 10_000 * 100
            annual += net * quantity
            billed.append((spec, quantity, net))
            if spec.included_volume:
                threshold = spec.included_volume * quantity
            self.add(
                "subscriptions",
                {
                    "id": self.new_id("subscriptions"),
                    "account_id": info.id,
                    "contract_id": contract_id,
                    "order_id": None,
                    "sku_version_id": version_id,
                    "kind": SubscriptionKind.PAID,
                    "status": sub_status,
                    "quantity": quantity,
                    "list_price_minor": list_price,
                    "net_price_minor": net,
                    "currency": currency,
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "created_at": finalised_at,
                    "updated_at": None,
                    "version": 1,
                },
            )
        if active and (today - starts_on).days < 45 and self.random() < 0.25:
            # New customers often trial an add-on for a month before buying it.
            trial_ends = starts_on + timedelta(days=30)
            self.add(
                "subscriptions",
                {
                    "id": self.new_id("subscriptions"),
                    "account_id": info.id,
                    "contract_id": contract_id,
                    "order_id": None,
                    "sku_version_id": self.version_for("ADD-REPLAY", starts_on),
                    "kind": SubscriptionKind.TEST,
                    "status": (
                        SubscriptionStatus.ACTIVE
                        if trial_ends >= today
                        else SubscriptionStatus.ENDED
                    ),
                    "quantity": 1,
                    "list_price_minor": 0,
                    "net_price_minor": 0,
                    "currency": currency,
                    "starts_on": starts_on,
                    "ends_on": trial_ends,
                    "created_at": finalised_at,
                    "updated_at": None,
                    "version": 1,
                },
            )
        for code, quantity in services:
            spec = SKU_BY_CODE[code]
            version_id = self.version_for(code, starts_on)
            net = self.prices[(version_id, currency)]
            annual += net * quantity
            billed.append((spec, quantity, net))
            units = spec.units * quantity
            used = 0
            if active and spec.consumption_months:
                # Usage of workshops lags: many are still unused near their deadline.
                elapsed = (today - starts_on).days / 365
                used = min(units, int(units * elapsed * self.random() * 1.5))
            self.add(
                "entitlements",
                {
                    "id": self.new_id("entitlements"),
                    "account_id": info.id,
                    "contract_id": contract_id,
                    "sku_version_id": version_id,
                    "quantity": units,
                    "consumed": used if active else units,
                    "starts_on": starts_on,
                    "consume_by": add_months(starts_on, spec.consumption_months or 12),
                    "created_at": finalised_at,
                    "updated_at": None,
                    "version": 1,
                },
            )
        self.add(
            "contracts",
            {
                "id": contract_id,
                "number": f"CT-{contract_id:07d}",
                "account_id": info.id,
                "quote_id": None,
                "supersedes_id": None,
                "status": ContractStatus.ACTIVE if active else ContractStatus.ENDED,
                "renewal_type": (
                    RenewalType.STANDING_ORDER if self.random() < 0.6 else RenewalType.FIXED_TERM
                ),
                "starts_on": starts_on,
                "ends_on": ends_on,
                "term_months": 12,
                "notice_days": NOTICE_DAYS,
                "currency": currency,
                "annual_value_minor": annual,
                "territory": info.territory,
                "page_view_threshold": threshold,
                "signer_name": info.contact_name,
                "signer_title": self.pick(TITLES),
                "signed_on": signed_on,
                "signature_method": self.pick(SIGNATURE_METHODS),
                "finalised_by_id": self.pick(self.customer_services),
                "finalised_at": finalised_at,
                "created_at": _at(signed_on - timedelta(days=10), 14),
                "updated_at": None,
                "version": 1,
            },
        )
        info.contract_id, info.starts_on, info.ends_on = contract_id, starts_on, ends_on
        info.annual_minor, info.items = annual, items + services
        if threshold is not None and active:
            self.usage(info.id, starts_on, threshold)
        self.invoices(info, contract_id, starts_on, ends_on, billed)

    def usage(self, account_id: int, starts_on: date, threshold: int) -> None:
        """Monthly page views for the last six complete months of the contract."""
        this_month = self.today.replace(day=1)
        month = max(starts_on.replace(day=1), add_months(this_month, -6))
        while month < this_month:
            self.add(
                "usage_records",
                {
                    "id": self.new_id("usage_records"),
                    "account_id": account_id,
                    "metric": "page_views",
                    "month": month,
                    "quantity": int(threshold * (0.55 + 0.75 * self.random())) // 100 * 100,
                },
            )
            month = add_months(month, 1)

    def invoices(
        self,
        info: _Customer,
        contract_id: int,
        starts_on: date,
        ends_on: date,
        billed: list[tuple[_SkuSpec, int, int]],
    ) -> None:
        """The contract's bills of the last year: the plan every period, the rest up front."""
        today = self.today
        plan = billed[0][0]
        period = plan.billing_period_months or 12
        horizon = min(ends_on, today + timedelta(days=DRAFT_LOOKAHEAD_DAYS))
        year_ago = today - timedelta(days=365)
        reviewer = self.pick(self.finance)
        number = 0
        issued = starts_on
        while issued <= horizon:
            first = number == 0
            number += 1
            current, issued = issued, add_months(starts_on, number * period)
            if current < year_ago:
                continue
            if current > today:
                if self.random() < 0.5:
                    continue
                status = InvoiceStatus.DRAFT
            elif (today - current).days <= 30:
                status = InvoiceStatus.SENT if self.random() < 0.8 else InvoiceStatus.PAID
            else:
                status = InvoiceStatus.PAID if self.random() < 0.97 else InvoiceStatus.SENT
            invoice_id = self.new_id("invoices")
            total = 0
            for spec, quantity, net in billed:
                if spec is plan:
                    unit = net * period // 12
                elif first:
                    unit = net
                else:
                    continue
                total += unit * quantity
                self.add(
                    "invoice_lines",
                    {
                        "id": self.new_id("invoice_lines"),
                        "invoice_id": invoice_id,
                        "description": f"{spec.name}, {current:%b %Y}",
                        "quantity": quantity,
                        "unit_price_minor": unit,
                        "net_minor": unit * quantity,
                    },
                )
            sent = status != InvoiceStatus.DRAFT
            self.add(
                "invoices",
                {
                    "id": invoice_id,
                    "number": f"INV-{invoice_id:08d}",
                    "account_id": info.id,
                    "contract_id": contract_id,
                    "order_id": None,
                    "status": status,
                    "issued_on": current,
                    "due_on": current + timedelta(days=30),
                    "currency": info.currency,
                    "total_minor": total,
                    "reviewed_by_id": reviewer if sent else None,
                    "sent_at": _at(current, 9, 15) if sent else None,
                    "created_at": min(_at(current - timedelta(days=2), 16), self.now),
                    "updated_at": None,
                    "version": 1,
                },
            )

    # -- selling --------------------------------------------------------------------------

    def opportunity(
        self,
        info: _Customer,
        kind: OpportunityKind,
        *,
        owner: int | None = None,
        closed: bool = False,
        case_id: int | None = None,
        amount: int | None = None,
    ) -> int:
        opportunity_id = self.new_id("opportunities")
        if kind == OpportunityKind.RENEWAL:
            name = f"Renewal {info.ends_on.year if info.ends_on else self.today.year}"
        elif kind == OpportunityKind.UPSELL:
            name = self.pick(UPSELL_NAMES)
        elif kind == OpportunityKind.NEW_BUSINESS:
            name = "First contract"
        else:
            name = "Rate reduction"
        if amount is None:
            amount = self.pick((2_400, 4_800, 9_600, 12_000, 24_000)) * 100
        created = self.now - timedelta(days=self.between(5, 60), hours=self.between(0, 8))
        outcome: CloseOutcome | None = None
        reason = ""
        closed_at: datetime | None = None
        if closed:
            outcome = CloseOutcome.WON if self.random() < 0.6 else CloseOutcome.LOST
            reason = self.pick(WON_REASONS if outcome == CloseOutcome.WON else LOST_REASONS)
            created = self.now - timedelta(days=self.between(60, 300))
            closed_at = created + timedelta(days=self.between(10, 50))
            stage = OpportunityStage.CLOSED
            expected: date | None = closed_at.date()
        elif kind == OpportunityKind.RATE_REDUCTION:
            stage = OpportunityStage.NEGOTIATION
            expected = self.today + timedelta(days=14)
        else:
            stage = self.pick(
                (
                    OpportunityStage.QUALIFYING,
                    OpportunityStage.PROPOSAL,
                    OpportunityStage.NEGOTIATION,
                )
            )
            expected = self.today + timedelta(days=self.between(10, 120))
        self.add(
            "opportunities",
            {
                "id": opportunity_id,
                "account_id": info.id,
                "retention_case_id": case_id,
                "owner_id": owner or info.kam_id or info.owner_id,
                "name": name,
                "kind": kind,
                "stage": stage,
                "amount_minor": amount,
                "currency": info.currency,
                "expected_close_on": expected,
                "outcome": outcome,
                "close_reason": reason,
                "closed_at": closed_at,
                "created_at": created,
                "updated_at": None,
                "version": 1,
            },
        )
        return opportunity_id

    def retention_case(
        self, info: _Customer, assigned_to: int | None, step: RetentionStep, created: datetime
    ) -> tuple[int, int, Decimal]:
        """A rate-reduction case; returns its id, the reduction asked for and its percentage."""
        assert info.ends_on is not None
        case_id = self.new_id("retention_cases")
        pct = Decimal(self.pick((5, 10, 15, 20, 25)))
        reduction = info.annual_minor * int(pct) // 10_000 * 100
        deadline = info.ends_on - timedelta(days=NOTICE_DAYS)
        effective = info.ends_on + timedelta(days=1)
        if self.today > deadline:
            effective = add_months(effective, 12)
        self.add(
            "retention_cases",
            {
                "id": case_id,
                "number": f"RC-{case_id:06d}",
                "account_id": info.id,
                "contract_id": info.contract_id,
                "contact_id": info.contact_id,
                "opened_by_id": info.owner_id,
                "assigned_to_id": assigned_to,
                "step": step,
                "reason": self.pick(CASE_REASONS),
                "requested_reduction_minor": reduction,
                "requested_reduction_pct": pct,
                "customer_informed_of_terms": True,
                "notice_deadline": deadline,
                "earliest_effective_date": effective,
                "outcome": None,
                "close_reason": "",
                "closed_at": None,
                "draft": {},
                "created_at": created,
                "updated_at": None,
                "version": 1,
            },
        )
        return case_id, reduction, pct

    def retention_stories(self) -> None:
        """Open cases (~1% of accounts) and the rate reductions waiting for approval."""
        cms = self.user_ids["cms"]

        def case(info: _Customer, assigned_to: int | None) -> None:
            # A CMS who takes a case starts on its usage review; unassigned ones wait in queue.
            step = RetentionStep.USAGE_REVIEW if assigned_to else RetentionStep.IN_QUEUE
            created = self.now - timedelta(hours=self.between(2, 240))
            self.retention_case(info, assigned_to, step, created)

        for index in CMS_CASE_FEATURED:
            case(self.featured[index], cms)
        for index in QUEUE_CASE_FEATURED:
            case(self.featured[index], None)
        for info in self.case_accounts:
            case(info, self.pick(self.cmss[info.segment]) if self.random() < 0.5 else None)
        for index, hours_ago in zip(APPROVAL_FEATURED, (2, 6, 20), strict=True):
            self.approval_story(self.featured[index], cms, self.leaders["MID"], hours_ago)
        for segment in ("SMB", "ENT", "PUB"):
            candidate = self.approval_candidates.get(segment)
            if candidate is not None:
                submitter = self.cmss[segment][0]
                self.approval_story(candidate, submitter, self.leaders[segment], 30)

    def approval_story(self, info: _Customer, cms: int, leader: int, hours_ago: int) -> None:
        """A rate reduction at its approval step: case, opportunity, placeholder, quote."""
        assert info.ends_on is not None
        submitted = self.now - timedelta(hours=hours_ago)
        case_id, requested, pct = self.retention_case(
            info, cms, RetentionStep.APPROVAL, submitted - timedelta(days=9)
        )
        quote_id = self.new_id("quotes")
        starts_on = info.ends_on + timedelta(days=1)
        lines: list[Row] = []
        list_total = net_total = 0
        for position, (code, quantity) in enumerate(info.items, 1):
            spec = SKU_BY_CODE[code]
            version_id = self.version_for(code, self.today)
            list_price = self.prices[(version_id, info.currency)]
            discount = pct if position == 1 else Decimal(10)
            net = int(list_price * quantity * (100 - discount) / 100)
            list_total += list_price * quantity
            net_total += net
            lines.append(
                {
                    "id": self.new_id("quote_lines"),
                    "quote_id": quote_id,
                    "position": position,
                    "sku_version_id": version_id,
                    "description": spec.name,
                    "quantity": quantity,
                    "list_price_minor": list_price,
                    "discount_pct": discount,
                    "net_minor": net,
                    "statement_of_work": "",
                    "location": "",
                    "starts_on": starts_on,
                    "consume_by": (
                        add_months(starts_on, spec.consumption_months)
                        if spec.consumption_months
                        else None
                    ),
                }
            )
        confirmed = max(0, info.annual_minor - net_total)
        opportunity_id = self.opportunity(
            info,
            OpportunityKind.RATE_REDUCTION,
            owner=cms,
            case_id=case_id,
            amount=net_total,
        )
        self.add(
            "placeholder_requests",
            {
                "id": self.new_id("placeholder_requests"),
                "opportunity_id": opportunity_id,
                "submitted_by_id": cms,
                "status": PlaceholderStatus.CONFIRMED,
                "estimated_reduction_minor": requested,
                "confirmed_reduction_minor": confirmed,
                "notes": "Customer confirmed the reduced scope on the call.",
                "created_at": submitted - timedelta(days=6),
                "updated_at": None,
                "version": 1,
            },
        )
        self.add(
            "quotes",
            {
                "id": quote_id,
                "number": f"Q-{quote_id:06d}",
                "account_id": info.id,
                "opportunity_id": opportunity_id,
                "offer_id": None,
                "owner_id": cms,
                "status": QuoteStatus.PENDING_APPROVAL,
                "currency": info.currency,
                "territory": info.territory,
                "valid_until": self.today + timedelta(days=30),
                "starts_on": starts_on,
                "term_months": 12,
                "list_total_minor": list_total,
                "net_total_minor": net_total,
                "approver_comment": "",
                "created_at": submitted - timedelta(days=2),
                "updated_at": None,
                "version": 1,
            },
        )
        for line in lines:
            self.add("quote_lines", line)
        request_id = self.new_id("approval_requests")
        self.add(
            "approval_requests",
            {
                "id": request_id,
                "record_type": "quote",
                "record_id": quote_id,
                "record_version": 1,
                "segment_id": self.segment_ids[info.segment],
                "submitted_by_id": cms,
                "status": ApprovalRequestStatus.PENDING,
                "current_tier": 1,
                "submitted_at": submitted,
                "decided_at": None,
                "snapshot": {
                    "opportunity_kind": OpportunityKind.RATE_REDUCTION.value,
                    "discount_pct": str(pct),
                    "reduction_minor": confirmed,
                    "net_total_minor": net_total,
                },
                "created_at": submitted,
                "updated_at": None,
                "version": 1,
            },
        )
        self.add(
            "approvals",
            {
                "id": self.new_id("approvals"),
                "request_id": request_id,
                "rule_id": self.rule_id,
                "tier": 1,
                "approver_id": leader,
                "approver_group_id": None,
                "group_mode": GroupMode.ANY,
                "status": ApprovalStatus.PENDING,
                "due_at": submitted + timedelta(hours=48),
                "remind_at": submitted + timedelta(hours=24),
                "escalated_at": None,
                "decided_by_id": None,
                "decided_at": None,
                "comment": "",
                "created_at": submitted,
                "updated_at": None,
                "version": 1,
            },
        )
        self.activity(
            ActivityKind.EMAIL,
            f"Sent the proposed reduction to {info.contact_name}",
            info,
            created_by=cms,
            at=submitted - timedelta(days=1),
            record=("retention_case", case_id),
        )

    # -- onboarding -----------------------------------------------------------------------

    def onboarding(self) -> None:
        """Two National/Regional Account handoffs between the NAM, the IM and the SSM."""
        national, regional = self.parents[0], self.parents[1]
        added = [self.featured[index] for index in ONBOARDING_FEATURED]
        applying = self.onboarding_request(
            national,
            OnboardingStep.BILLING,
            "Add the three locations opened this quarter under the national agreement.",
            created=self.now - timedelta(days=9),
            data_ready_at=self.now - timedelta(days=2),
        )
        for info in added:
            self.add(
                "onboarding_accounts",
                {
                    "id": self.new_id("onboarding_accounts"),
                    "request_id": applying,
                    "iseries_number": info.iseries,
                    "account_id": info.id,
                    "applied_at": self.now - timedelta(days=4),
                },
            )
        self.discrepancy(
            applying,
            added[0],
            "Billed at the standard rate instead of the national agreement rate; "
            "credit the difference.",
            amount=48_000,
        )
        self.discrepancy(
            applying,
            added[1],
            "Invoice sent to the old head-office address.",
            resolution="Address corrected in iSeries and the invoice sent again.",
        )
        for position, item in enumerate(HANDOVER_CHECKLIST, 1):
            self.add(
                "handover_items",
                {
                    "id": self.new_id("handover_items"),
                    "request_id": applying,
                    "position": position,
                    "text": item,
                    "done_by_id": None,
                    "done_at": None,
                },
            )
        # The IM's dry run, then the real import, of the same export file.
        export = "\n".join(info.iseries or "" for info in added).encode()
        for dry_run, days_ago in ((True, 5), (False, 4)):
            self.add(
                "import_runs",
                {
                    "id": self.new_id("import_runs"),
                    "source_name": f"iseries-export-{self.today - timedelta(days=5)}.csv",
                    "source_sha256": hashlib.sha256(export).hexdigest(),
                    "dry_run": dry_run,
                    "run_by_id": self.user_ids["im"],
                    "request_id": applying,
                    "summary": {"added": 0, "updated": len(added), "unchanged": 0},
                    "created_at": self.now - timedelta(days=days_ago),
                    "updated_at": None,
                },
            )
        requested = self.onboarding_request(
            regional,
            OnboardingStep.REQUESTED,
            "Please add these two new locations from next week's iSeries export.",
            created=self.now - timedelta(days=1),
            data_ready_at=None,
        )
        for iseries in self.iseries[self.accounts :]:
            self.add(
                "onboarding_accounts",
                {
                    "id": self.new_id("onboarding_accounts"),
                    "request_id": requested,
                    "iseries_number": iseries,
                    "account_id": None,
                    "applied_at": None,
                },
            )

    def onboarding_request(
        self,
        parent: _Parent,
        step: OnboardingStep,
        notes: str,
        *,
        created: datetime,
        data_ready_at: datetime | None,
    ) -> int:
        """A request by the nam persona to add accounts, handled by the im and ssm personas."""
        request_id = self.new_id("onboarding_requests")
        self.add(
            "onboarding_requests",
            {
                "id": request_id,
                "number": f"ONB-{request_id:05d}",
                "parent_account_id": parent.id,
                "action": OnboardingAction.ADD,
                "step": step,
                "requested_by_id": self.user_ids["nam"],
                "implementation_manager_id": self.user_ids["im"],
                "sales_support_manager_id": self.user_ids["ssm"],
                "notes": notes,
                "data_ready_at": data_ready_at,
                "inventory_loading_at": None,
                "inventory_notes": "",
                "handed_over_at": None,
                "created_at": created,
                "updated_at": None,
                "version": 1,
            },
        )
        return request_id

    def discrepancy(
        self,
        request_id: int,
        info: _Customer,
        description: str,
        *,
        amount: int = 0,
        resolution: str | None = None,
    ) -> None:
        """A billing discrepancy the IM found while onboarding; resolved if it has a resolution."""
        self.add(
            "billing_discrepancies",
            {
                "id": self.new_id("billing_discrepancies"),
                "request_id": request_id,
                "account_id": info.id,
                "description": description,
                "amount_minor": amount,
                "currency": info.currency,
                "status": DiscrepancyStatus.RESOLVED if resolution else DiscrepancyStatus.OPEN,
                "resolution": resolution or "",
                "resolved_by_id": self.user_ids["im"] if resolution else None,
                "resolved_at": self.now - timedelta(days=1) if resolution else None,
                "created_at": self.now - timedelta(days=3),
                "updated_at": None,
                "version": 1,
            },
        )

    # -- activities -----------------------------------------------------------------------

    def activity(
        self,
        kind: ActivityKind,
        subject: str,
        info: _Customer | _Parent | None,
        *,
        created_by: int,
        at: datetime,
        assigned_to: int | None = None,
        due_at: datetime | None = None,
        record: tuple[str, int] | None = None,
        notes: str = "",
        outcome: str = "",
    ) -> None:
        done = due_at is None
        self.add(
            "activities",
            {
                "id": self.new_id("activities"),
                "kind": kind,
                "subject": subject,
                "notes": notes,
                "outcome": outcome,
                "account_id": info.id if info else None,
                "contact_id": info.contact_id if info else None,
                "record_type": record[0] if record else None,
                "record_id": record[1] if record else None,
                "created_by_id": created_by,
                "assigned_to_id": assigned_to if assigned_to is not None else created_by,
                "due_at": due_at,
                "done_at": at if done else None,
                "created_at": at,
                "updated_at": None,
                "version": 1,
            },
        )

    def history(self, info: _Customer) -> None:
        """About two logged calls, e-mails, meetings or notes from the last four months."""
        for _ in range(self.pick((1, 2, 2, 3))):
            kind = self.weighted(HISTORY_KINDS, HISTORY_CUM)
            day = self.today - timedelta(days=self.between(1, 120))
            by = info.kam_id if info.kam_id and self.random() < 0.4 else info.owner_id
            talk = kind in (ActivityKind.CALL, ActivityKind.MEETING)
            self.activity(
                kind,
                self.pick(HISTORY[kind]),
                info,
                created_by=by,
                at=_at(day, self.between(8, 17), self.between(0, 59)),
                notes=f"With {info.contact_name}." if talk and info.contact_name else "",
                outcome=self.pick(OUTCOMES) if talk else "",
            )
        if self.random() < 0.03:
            due = _at(self.today + timedelta(days=self.between(8, 45)), 10)
            self.activity(
                ActivityKind.REMINDER,
                f"Follow up with {info.contact_name or info.name}",
                info,
                created_by=info.owner_id,
                at=self.now - timedelta(days=self.between(1, 20)),
                due_at=due,
            )

    def tasks(self) -> None:
        """Every persona's open tasks and reminders, and a couple for each colleague."""
        segment_accounts = self.featured
        onboarding: list[_Customer | _Parent] = [self.parents[0], self.parents[1]]
        onboarding += [self.featured[index] for index in ONBOARDING_FEATURED]
        for login, (_name, _roles, segment) in PERSONAS.items():
            user_id = self.user_ids[login]
            if segment is not None:
                accounts: list[_Customer | _Parent] = list(segment_accounts)
            elif login in ("im", "ssm", "nam"):
                accounts = list(onboarding)
            else:
                accounts = list(self.pool or segment_accounts)
            for position, template in enumerate(PERSONA_TASKS[login]):
                days, hour, minute = TASK_SLOTS[position]
                named = "{account}" in template or "{contact}" in template
                info = self.pick(accounts) if named else None
                subject = template.format(
                    account=info.name if info else "",
                    contact=info.contact_name if info and info.contact_name else "the customer",
                )
                self.activity(
                    ActivityKind.TASK if position % 2 == 0 else ActivityKind.REMINDER,
                    subject,
                    info,
                    created_by=user_id,
                    at=self.now - timedelta(days=7 - position % 3),
                    due_at=_at(self.today + timedelta(days=days), hour, minute),
                )
        for login, _name, _roles, _segment in STAFF:
            user_id = self.user_ids[login]
            info = self.first_by_owner.get(user_id)
            for days, subject in (
                (0, "Plan this week's customer calls"),
                (2, "Update the forecast"),
            ):
                self.activity(
                    ActivityKind.TASK,
                    f"Call {info.contact_name} at {info.name}" if info and days == 0 else subject,
                    info if days == 0 else None,
                    created_by=user_id,
                    at=self.now - timedelta(days=3),
                    due_at=_at(self.today + timedelta(days=days), 11),
                )
