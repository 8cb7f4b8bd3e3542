"""One demo load in progress, and what it remembers of the accounts it has written.

Every step of the load takes the ``DemoLoad``: where rows go, the random draws, who works where,
what the catalogue sells, and the accounts that later stories (cases, approvals, onboarding,
tasks) are told about.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from acctmgr.demo.catalogue import PublishedCatalogue
from acctmgr.demo.chance import Chance
from acctmgr.demo.places import Country
from acctmgr.demo.staff import StaffDirectory
from acctmgr.demo.writer import BulkWriter


@dataclass(slots=True)
class ParentAccount:
    """A National or Regional Account, as its locations need it."""

    id: int
    name: str
    brand: str
    segment: str
    country: Country
    cities: tuple[tuple[str, str, str, str], ...]
    domain: str
    iseries: str
    contact_id: int | None
    contact_name: str
    locations: int = 0


@dataclass(frozen=True)
class Subscribed:
    """A paid subscription of a contract: what it sells, how many, at what prices a unit."""

    code: str
    sku_version_id: int
    quantity: int
    list_price_minor: int
    net_price_minor: int


@dataclass(slots=True)
class Customer:
    """What the later stories need to know about a seeded account."""

    id: int
    name: str
    segment: str
    owner_id: int
    kam_id: int | None
    currency: str
    territory: str  # the account's sales territory ("US East")
    territory_of_use: str  # its quotes' and contracts': the ISO code of its country
    locale: str
    iseries: str | None
    contact_id: int | None
    contact_name: str
    contract_id: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    annual_minor: int = 0
    # (SKU code, quantity) of what the contract sells, plan first.
    items: list[tuple[str, int]] = field(default_factory=list)
    # Its paid subscriptions, plan first: what a rate reduction's quote repeats and reduces.
    subscribed: list[Subscribed] = field(default_factory=list)


class DemoLoad:
    """The state every step of one demo load shares; every date is relative to ``now``."""

    def __init__(
        self,
        *,
        writer: BulkWriter,
        chance: Chance,
        now: datetime,
        accounts: int,
        staff: StaffDirectory,
        catalogue: PublishedCatalogue,
        approval_rule_id: int,
        iseries: list[str],
    ) -> None:
        self.writer = writer
        self.chance = chance
        self.now = now
        self.today = now.date()
        self.accounts = accounts
        self.staff = staff
        self.catalogue = catalogue
        self.approval_rule_id = approval_rule_id
        self.iseries = iseries  # by account id less one; the last two are not accounts yet
        self.parents: list[ParentAccount] = []
        self.parents_by_segment: defaultdict[str, list[ParentAccount]] = defaultdict(list)
        self.featured: list[Customer] = []
        self.pool: list[Customer] = []  # active customers anyone may have a task on
        self.first_by_owner: dict[int, Customer] = {}
        self.case_accounts: list[Customer] = []
        self.approval_candidates: dict[str, Customer] = {}
        # The last invoice number given in each year, as approval gives them: gap-free.
        self.invoice_numbers: dict[int, int] = defaultdict(int)

    def invoice_number(self, issued_on: date) -> str:
        """The next invoice number of the year (``INV-2026-000042``), as approval gives it."""
        self.invoice_numbers[issued_on.year] += 1
        return f"INV-{issued_on.year}-{self.invoice_numbers[issued_on.year]:06d}"

    def write_number_sequences(self) -> None:
        """Where approval goes on numbering: after the last number the history gave."""
        for year, last in sorted(self.invoice_numbers.items()):
            self.writer.add("number_sequences", {"name": f"invoice:{year}", "last_value": last})
