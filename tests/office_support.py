"""A small, fixed office for the UI tests: one person per role, a catalogue, twenty customers.

It is written through the use cases a person would use (users, segments, the catalogue,
accounts and contacts, rate-reduction cases taken to their approval), and where no use case
writes a record yet (contracts, subscriptions, tasks) through tests/factories.py. Every name and
number is fixed here, so a test names what it expects instead of reading it from random data.

What the office holds:
- Mid-market staff: ``ae``, ``cms`` and ``cms2`` (the segment's two CMSs, assigned in turn),
  ``leader``, ``kam``, ``presales``; Small business has ``smb``; ``admin``, ``custsvc``,
  ``success``, ``finance``, ``im``, ``ssm``, ``nam`` and ``trainer`` serve every segment.
- The catalogue: two plans and an add-on, services (``SRV-AUDIT`` in its second version),
  included seats, extra page views; the packages STARTER (the starter pack) and GROWTH.
- Customers (``CUSTOMERS``), each with an invoice contact who has an e-mail and a colleague who
  has a phone only. The first ``CONTRACTED`` have a contract of EXA-ESS and ADD-REPLAY ending
  on ``CONTRACT_ENDS``; the first ``CASES`` of them have a rate-reduction case, routed to cms
  and cms2 in turn, and cms's cases wait for the leader's approval (at 10% off the add-on).
- Everyone's open work: a task overdue on a Mid-market customer, one due today, one later.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.models import Role
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn, ContactIn
from acctmgr.services.catalogue import browsing, packages
from acctmgr.services.catalogue import inputs as catalogue_inputs
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.company import identity as company
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import users as user_service
from tests import factories, retention_support
from tests.conftest import COMPANY, NOW, sealed, sqlite_copy

# (login, name, segment, roles); admin comes first, as the database's first user.
STAFF: tuple[tuple[str, str, str | None, frozenset[Role]], ...] = (
    ("admin", "Ada Admin", None, frozenset({Role.ADMIN})),
    ("ae", "Erin Executive", "MID", frozenset({Role.ACCOUNT_EXECUTIVE})),
    ("cms", "Casey Contracts", "MID", frozenset({Role.CONTRACT_MANAGER})),
    ("cms2", "Drew Contracts", "MID", frozenset({Role.CONTRACT_MANAGER})),
    ("leader", "Lee Leader", "MID", frozenset({Role.SEGMENT_LEADER})),
    ("kam", "Kim Keyaccount", "MID", frozenset({Role.KEY_ACCOUNT_MANAGER})),
    ("presales", "Pia Presales", "MID", frozenset({Role.PRESALES})),
    ("smb", "Sol Small", "SMB", frozenset({Role.ACCOUNT_EXECUTIVE})),
    ("custsvc", "Sam Service", None, frozenset({Role.CUSTOMER_SERVICES})),
    ("success", "Sue Success", None, frozenset({Role.CUSTOMER_SUCCESS})),
    ("finance", "Fin Ance", None, frozenset({Role.FINANCE})),
    ("im", "Ivy Implementation", None, frozenset({Role.IMPLEMENTATION_MANAGER})),
    ("ssm", "Stan Support", None, frozenset({Role.SALES_SUPPORT_MANAGER})),
    (
        "nam",
        "Nat National",
        None,
        frozenset({Role.NATIONAL_ACCOUNT_MANAGER, Role.REGIONAL_ACCOUNT_MANAGER}),
    ),
    ("trainer", "Tess Trainer", None, frozenset({Role.TRAINER})),
)
SEGMENTS = (("MID", "Mid-market"), ("SMB", "Small business"))

# Form values, as an admin types them in the catalogue's forms.
SKUS: tuple[dict[str, str], ...] = (
    {
        "code": "EXA-ESS",
        "name": "Experience Analytics Essentials",
        "kind": "subscription",
        "description": "Journey analysis, zoning and heatmaps for one website.",
        "contents": "1 site; 10 users; 12 months of data retention",
        "billing_period_months": "3",
        "prices": "USD 9,600; EUR 8,830; GBP 7,580",
    },
    {
        "code": "EXA-PRO",
        "name": "Experience Analytics Professional",
        "kind": "subscription",
        "description": "Everything in Essentials for up to five websites.",
        "contents": "5 sites; 50 users; 25 months of data retention",
        "billing_period_months": "12",
        "prices": "USD 24,000; EUR 22,080; GBP 18,960",
    },
    {
        "code": "ADD-REPLAY",
        "name": "Session Replay add-on",
        "kind": "subscription",
        "description": "Watch visits as they happened.",
        "contents": "Replays of every session for 3 months",
        "prices": "USD 3,600; EUR 3,310; GBP 2,840",
    },
    {
        "code": "SRV-WS",
        "name": "Onboarding workshop",
        "kind": "service",
        "description": "A day with the customer's team to set up their first analyses.",
        "contents": "1 day remote; agenda; written summary",
        "consumption_months": "12",
        "prices": "USD 2,500; EUR 2,300; GBP 1,980",
    },
    {
        "code": "SRV-AUDIT",
        "name": "UX Audit",
        "kind": "service",
        "description": "An expert review of one customer journey.",
        "contents": "1 journey; written report; readout meeting",
        "consumption_months": "6",
        "prices": "USD 6,000; EUR 5,520; GBP 4,740",
    },
    {
        "code": "SRV-ONSITE",
        "name": "On-site support day",
        "kind": "service",
        "description": "A consultant at the customer's office for a day.",
        "contents": "1 day on site; travel included",
        "consumption_months": "3",
        "onsite_support": "yes",
        "prices": "USD 1,800; EUR 1,660; GBP 1,420",
    },
    {
        "code": "INC-SEATS",
        "name": "Training seats",
        "kind": "included",
        "description": "Seats in the monthly online training.",
        "contents": "1 seat per unit",
        "prices": "USD 0; EUR 0; GBP 0",
    },
    {
        "code": "PV-EXTRA",
        "name": "Extra page views",
        "kind": "usage",
        "description": "Page views above the plan's monthly volume.",
        "contents": "500,000 page views a month included",
        "included_volume": "500000",
        "prices": "USD 1,200; EUR 1,100; GBP 950",
        "tiers": "USD 500000 0.01; EUR 500000 0.01; GBP 500000 0.01",
    },
)
# The audit's second version, published after the first was sold for a while.
AUDIT_V2 = {
    **SKUS[4],
    "contents": "1 journey; written report; impact estimate; readout meeting",
    "prices": "USD 6,500; EUR 5,980; GBP 5,140",
}
PACKAGES: tuple[dict[str, str], ...] = (
    {
        "code": "STARTER",
        "name": "Starter pack",
        "description": "What every new customer starts with.",
        "items": "SRV-WS, INC-SEATS x5",
        "is_starter_pack": "yes",
    },
    {
        "code": "GROWTH",
        "name": "Growth pack",
        "description": "For customers ready for more sites.",
        "items": "EXA-PRO, SRV-AUDIT",
    },
)


@dataclass(frozen=True)
class CustomerSpec:
    name: str
    segment: str
    city: str
    contact: str  # the invoice contact; the e-mail is made from the name and the domain
    domain: str


# In the order they are created (account ids 1, 2, ...): alphabetical order differs.
CUSTOMERS: tuple[CustomerSpec, ...] = (
    CustomerSpec("Northwind Traders Ltd", "MID", "Boston", "Nora Buyer", "northwind.example"),
    CustomerSpec("Bluebird Logistics Inc", "MID", "Denver", "Ben Byrd", "bluebird.example"),
    CustomerSpec("Contoso Pharma Corp", "MID", "Chicago", "Cleo Stone", "contoso.example"),
    CustomerSpec("Globex Industries Inc", "MID", "Austin", "Gus Globe", "globex.example"),
    CustomerSpec("Initech Software LLC", "MID", "Dallas", "Ina Tech", "initech.example"),
    CustomerSpec("Umbrella Health Corp", "MID", "Seattle", "Uma Rella", "umbrella.example"),
    CustomerSpec("Stark Mobility Inc", "MID", "New York", "Stan Stark", "stark.example"),
    CustomerSpec("Novara Foods LLC", "MID", "Portland", "Nina Vara", "novara.example"),
    CustomerSpec("Wayne Media Group", "MID", "Newark", "Walt Wayne", "wayne.example"),
    CustomerSpec("Hooli Search Inc", "MID", "Palo Alto", "Hal Hoolihan", "hooli.example"),
    CustomerSpec("Vandelay Imports LLC", "MID", "Queens", "Art Vandelay", "vandelay.example"),
    CustomerSpec("Tyrell Robotics Corp", "MID", "Los Angeles", "Tia Tyrell", "tyrell.example"),
    CustomerSpec("Cyberdyne Systems Corp", "MID", "Sunnyvale", "Cy Dyne", "cyberdyne.example"),
    CustomerSpec("Oscorp Labs Inc", "MID", "Hoboken", "Otto Scorp", "oscorp.example"),
    CustomerSpec("Wonka Sweets Ltd", "SMB", "Albany", "Willa Wonka", "wonka.example"),
    CustomerSpec("Dunder Paper Co", "SMB", "Scranton", "Dee Dunder", "dunder.example"),
    CustomerSpec("Sterling Advertising", "SMB", "Manhattan", "Sal Sterling", "sterling.example"),
    CustomerSpec("Pied Piper Compression", "SMB", "San Jose", "Pat Piper", "piedpiper.example"),
    CustomerSpec("Massive Dynamic Inc", "SMB", "Miami", "Max Massive", "massive.example"),
    CustomerSpec("Gringotts Lending LLC", "SMB", "Phoenix", "Gil Gringo", "gringotts.example"),
)
CONTRACTED = 10  # the first ten customers (all Mid-market) have a contract in force
CASES = 6  # the first six of them have a rate-reduction case
CONTRACT_ENDS = date(2027, 3, 31)  # notice by 30 Jan 2027: still open on 23 Nov 2026
ESSENTIALS_MINOR = 9_600_00
REPLAY_MINOR = 3_600_00


def office_template(directory: Path, empty_template: Path) -> Path:
    """The office written into a copy of the migrated ``empty_template``, sealed for copying."""
    path = directory / "office.db"
    database = Database(sqlite_copy(empty_template, path))
    build_office(Context(database, AdjustableClock(NOW)))
    database.dispose()
    return sealed(path)


def build_office(anonymous: Context) -> None:
    """Write the whole office into an empty, migrated database."""
    admin = hire(anonymous)
    versions = publish_catalogue(admin)
    customers = [
        add_customer(admin, spec, iseries=f"I{number:07d}")
        for number, spec in enumerate(CUSTOMERS, start=100_001)
    ]
    contracted = [
        sign_contract(admin, customer, f"CT-{number:07d}", versions)
        for number, customer in enumerate(customers[:CONTRACTED], start=1)
    ]
    for spec, customer in zip(CUSTOMERS[:CASES], contracted[:CASES], strict=True):
        ask_for_a_lower_rate(admin, customer, spec)
    first_of: dict[str, retention_support.Customer] = {}
    for spec, customer in zip(CUSTOMERS, customers, strict=True):
        first_of.setdefault(spec.segment, customer)
    assign_tasks(admin, first_of)


def hire(anonymous: Context) -> Context:
    """The first admin, the segments, the staff and the company's identity; returns the admin's
    Context."""
    (login, name, _segment, _roles), *others = STAFF
    user_service.create_first_admin(
        anonymous, user_service.UserIn(login=login, name=name, email=f"{login}@office.example")
    )
    admin = anonymous.as_user(login)
    for code, segment_name in SEGMENTS:
        user_service.create_segment(admin, code, segment_name)
    for login, name, segment, roles in others:
        user_service.create_user(
            admin,
            user_service.UserIn(
                login=login,
                name=name,
                email=f"{login}@office.example",
                segment_code=segment,
                roles=roles,
            ),
        )
    company.update_identity(admin, COMPANY, 0)
    return admin


def publish_catalogue(admin: Context) -> dict[str, int]:
    """The SKUs (the audit revised once) and the packages; returns each SKU's first version id."""
    versions = {}
    for values in SKUS:
        sku = catalogue.create_sku(admin, catalogue_inputs.sku_input(values))
        versions[sku.code] = sku.current.id
    audit = browsing.find_sku(admin, "SRV-AUDIT")
    catalogue.revise_sku(admin, audit.id, audit.version, catalogue_inputs.sku_input(AUDIT_V2))
    for package in PACKAGES:
        packages.save_package(admin, catalogue_inputs.package_input(package))
    return versions


def add_customer(admin: Context, spec: CustomerSpec, *, iseries: str) -> retention_support.Customer:
    """An account with its invoice contact and a colleague who can only be phoned."""
    owner = "ae" if spec.segment == "MID" else "smb"
    account = account_service.create_account(
        admin,
        AccountIn(
            name=spec.name,
            segment_code=spec.segment,
            iseries_number=iseries,
            owner_login=owner,
            territory="US",
            billing_street="1 Main Street",
            billing_city=spec.city,
            billing_postal_code="10001",
            billing_country="US",
        ),
    )
    first = spec.contact.split()[0].lower()
    contact = account_service.add_contact(
        admin,
        account.id,
        ContactIn(name=spec.contact, email=f"{first}@{spec.domain}", is_primary=True),
    )
    phone_only = account_service.add_contact(
        admin, account.id, ContactIn(name=f"{spec.contact.split()[0]} Colleague", phone="+1 555")
    )
    version = account_service.get_account(admin, account.id).version
    account_service.set_invoice_contact(admin, account.id, contact.id, version)
    return retention_support.Customer(account.id, 0, contact.id, phone_only.id)


def sign_contract(
    admin: Context,
    customer: retention_support.Customer,
    number: str,
    versions: dict[str, int],
) -> retention_support.Customer:
    """Essentials at 10% off and the replay add-on at list price, for a year."""
    essentials_net = ESSENTIALS_MINOR * 9 // 10
    contract_id = factories.contract(
        admin,
        customer.account_id,
        number,
        CONTRACT_ENDS,
        annual_value=essentials_net + REPLAY_MINOR,
    )
    for code, list_price, net_price in (
        ("EXA-ESS", ESSENTIALS_MINOR, essentials_net),
        ("ADD-REPLAY", REPLAY_MINOR, REPLAY_MINOR),
    ):
        factories.subscription(
            admin,
            customer.account_id,
            contract_id,
            code,
            quantity=1,
            list_price=list_price,
            net_price=net_price,
            version_id=versions[code],
        )
    return replace(customer, contract_id=contract_id)


def ask_for_a_lower_rate(
    admin: Context, customer: retention_support.Customer, spec: CustomerSpec
) -> None:
    """ae opens a rate-reduction case; cms takes the ones routed to them to the approval."""
    case = retention_support.open_case(admin, customer)
    if case.assigned_to != name_of("cms"):
        return  # cms2 has it at its first step
    case = retention_support.work_to_quote(
        admin, case, customer, title=f"{spec.name} rate reduction"
    )
    retention_support.reduce_addon(admin, case, "10")
    retention_support.submit(admin, case.id)


def assign_tasks(admin: Context, first_of: dict[str, retention_support.Customer]) -> None:
    """Everyone's open work: overdue on their segment's first customer, today, and later."""
    for login, _name, segment, _roles in STAFF:
        customer = first_of[segment or "MID"]
        factories.task(
            admin,
            login,
            "Call the customer about the renewal",
            NOW - timedelta(days=2),
            account_id=customer.account_id,
        )
        factories.task(admin, login, "Prepare the weekly review", NOW + timedelta(hours=3))
        factories.task(admin, login, "Update the forecast", NOW + timedelta(days=3))


def name_of(login: str) -> str:
    """The name of one of the office's staff."""
    return next(name for known, name, _segment, _roles in STAFF if known == login)
