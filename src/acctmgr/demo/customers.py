"""Customers and their National and Regional Accounts: accounts, contacts, and who owns them.

``add_accounts`` writes the parents first, then every customer with all it has (contacts,
contract, bills, history), a chunk of customers at a time; along the way it remembers the few
accounts the later stories are told about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from typing import cast

from acctmgr.demo.activity import log_history
from acctmgr.demo.chance import Chance
from acctmgr.demo.contracts import sign_contract
from acctmgr.demo.dates import instant
from acctmgr.demo.featured import FEATURED, ONBOARDING_FEATURED, UPSELL_FEATURED
from acctmgr.demo.load import Customer, DemoLoad, ParentAccount
from acctmgr.demo.opportunities import open_opportunity
from acctmgr.demo.places import (
    BRAND_WORDS,
    COUNTRIES,
    COUNTRY_CUM,
    INDUSTRIES,
    TITLES,
    Country,
    slug,
)
from acctmgr.demo.writer import BATCH
from acctmgr.models import Account, AccountKind, AccountStatus, OpportunityKind
from acctmgr.services.accounts.records import search_text_of
from acctmgr.services.kernel.text import natural_name

# Customers per segment, in percent.
SEGMENT_WEIGHTS: dict[str, int] = {"SMB": 45, "MID": 30, "ENT": 12, "PUB": 13}
SEGMENT_CODES = tuple(SEGMENT_WEIGHTS)
SEGMENT_CUM = tuple(accumulate(SEGMENT_WEIGHTS.values()))
PARENT_SHARE = 0.02  # of all accounts: National and Regional Accounts
CHILD_SHARE = 0.30  # of customers: sitting under one of them
CASE_SHARE = 0.01  # of active customers: an open retention case


@dataclass(frozen=True, slots=True)
class _Searchable:
    """The fields ``search_text_of`` reads, without building an ORM object for each account."""

    name: str
    iseries_number: str | None
    billing_city: str


def add_accounts(load: DemoLoad) -> None:
    """Write the National and Regional Accounts, then every customer, a chunk at a time."""
    parents = max(2, round(load.accounts * PARENT_SHARE))
    for index in range(parents):
        _add_parent(load, index)
    load.writer.flush()
    for index in range(load.accounts - parents):
        _add_customer(load, index, parents + index)
        if (index + 1) % BATCH == 0:
            load.writer.flush()
    load.writer.flush()


def _add_parent(load: DemoLoad, index: int) -> None:
    """A National or Regional Account with its contacts, in one country."""
    writer, chance = load.writer, load.chance
    # The first two are the ones the onboarding stories use.
    if index == 0:
        kind, segment = AccountKind.NATIONAL, "MID"
    elif index == 1:
        kind, segment = AccountKind.REGIONAL, "ENT"
    else:
        kind = AccountKind.NATIONAL if chance.random() < 0.4 else AccountKind.REGIONAL
        segment = _pick_segment(chance)
    country = _pick_country(chance)
    city = chance.pick(country.cities)
    brand = f"{chance.pick(BRAND_WORDS)} {chance.pick(INDUSTRIES)}"
    if kind == AccountKind.NATIONAL:
        name, cities = f"{brand} Group", country.cities
    else:
        name = f"{brand} {city[1] if len(city[1]) > 2 else city[0]}"
        cities = tuple(c for c in country.cities if c[1] == city[1])
    account_id = writer.new_id("accounts")
    iseries = load.iseries[account_id - 1]
    owner = chance.pick(load.staff.aes[segment])
    kams = load.staff.kams.get(segment)
    domain = f"{slug(brand)}.example"
    contact_id, contact_name = _account_rows(
        load,
        account_id=account_id,
        name=name,
        kind=kind,
        status=AccountStatus.ACTIVE,
        iseries=iseries,
        parent_id=None,
        segment=segment,
        owner=owner,
        kam=chance.pick(kams) if kams else None,
        country=country,
        city=city,
        domain=domain,
        complete=True,
    )
    parent = ParentAccount(
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
    load.parents.append(parent)
    load.parents_by_segment[segment].append(parent)


def _pick_segment(chance: Chance) -> str:
    return chance.weighted(SEGMENT_CODES, SEGMENT_CUM)


def _pick_country(chance: Chance) -> Country:
    return chance.weighted(COUNTRIES, COUNTRY_CUM)


def _add_customer(load: DemoLoad, index: int, position: int) -> None:
    """One customer account with everything it has: contacts, contract, bills, history."""
    chance = load.chance
    featured = index < FEATURED
    segment = "MID" if featured else _pick_segment(chance)
    status = _customer_status(chance, featured)
    parent = _parent_of(load, index, segment, featured)
    country, city, name, domain = _place(load, parent, segment)
    owner = load.staff.user_ids["ae"] if featured else chance.pick(load.staff.aes[segment])
    kam = _key_account_manager(load, index, segment, featured)
    account_id = load.writer.new_id("accounts")
    iseries = None if status == AccountStatus.PROSPECT else load.iseries[position]
    contact_id, contact_name = _account_rows(
        load,
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
    info = Customer(
        id=account_id,
        name=name,
        segment=segment,
        owner_id=owner,
        kam_id=kam,
        currency=country.currency,
        territory=city[3],
        territory_of_use=country.code,
        locale=country.locale,
        iseries=iseries,
        contact_id=contact_id,
        contact_name=contact_name,
    )
    if featured:
        load.featured.append(info)
    if status == AccountStatus.PROSPECT:
        open_opportunity(load, info, OpportunityKind.NEW_BUSINESS)
    else:
        sign_contract(load, info, index, status)
        if status == AccountStatus.ACTIVE:
            _remember(load, info, index)
    log_history(load, info)


def _customer_status(chance: Chance, featured: bool) -> AccountStatus:
    """Nearly every customer is active; a few are prospects or have churned (never featured)."""
    roll = chance.random()
    if featured or roll < 0.96:
        return AccountStatus.ACTIVE
    return AccountStatus.PROSPECT if roll < 0.98 else AccountStatus.CHURNED


def _parent_of(load: DemoLoad, index: int, segment: str, featured: bool) -> ParentAccount | None:
    """The National or Regional Account a customer is a location of, if any."""
    chance = load.chance
    if index in ONBOARDING_FEATURED:
        return load.parents[0]
    if not featured and chance.random() < CHILD_SHARE:
        candidates = load.parents_by_segment.get(segment)
        return chance.pick(candidates) if candidates else None
    return None


def _place(
    load: DemoLoad, parent: ParentAccount | None, segment: str
) -> tuple[Country, tuple[str, str, str, str], str, str]:
    """Where a customer is and what it is called: (country, city, name, e-mail domain).

    A location takes its parent's country, brand and domain; a public body is named after its
    city; other customers after a word or a family name, their industry and legal form.
    """
    chance = load.chance
    if parent is not None:
        city = chance.pick(parent.cities)
        parent.locations += 1
        return parent.country, city, f"{parent.brand} {city[0]} #{parent.locations}", parent.domain
    country = _pick_country(chance)
    city = chance.pick(country.cities)
    if segment == "PUB" and chance.random() < 0.6:
        name = chance.pick(country.public_names).format(c=city[0])
        brand = name
    else:
        word = (
            chance.pick(country.last_names) if chance.random() < 0.15 else chance.pick(BRAND_WORDS)
        )
        brand = f"{word} {chance.pick(INDUSTRIES)}"
        name = f"{brand} {chance.pick(country.legal_forms)}"
    return country, city, name, f"{slug(brand)}.example"


def _key_account_manager(load: DemoLoad, index: int, segment: str, featured: bool) -> int | None:
    """Enterprise customers have a KAM, some mid-market ones too, and the featured upsell."""
    chance = load.chance
    if index == UPSELL_FEATURED or index in ONBOARDING_FEATURED:
        return load.staff.user_ids["kam"]
    if segment == "ENT" or (segment == "MID" and not featured and chance.random() < 0.15):
        return chance.pick(load.staff.kams[segment])
    return None


def _remember(load: DemoLoad, info: Customer, index: int) -> None:
    """Keep the few accounts later stories (cases, approvals, tasks) are told about."""
    chance = load.chance
    if index < FEATURED:
        if index == UPSELL_FEATURED:
            open_opportunity(load, info, OpportunityKind.UPSELL, owner=load.staff.user_ids["kam"])
        return
    if len(load.pool) < 200:
        load.pool.append(info)
    load.first_by_owner.setdefault(info.owner_id, info)
    if info.segment != "MID" and info.segment not in load.approval_candidates:
        # Its rate reduction waits for approval; it gets no second case.
        load.approval_candidates[info.segment] = info
    elif chance.random() < CASE_SHARE:
        load.case_accounts.append(info)
    roll = chance.random()
    if roll < 0.03:
        ending = info.ends_on is not None and info.ends_on <= load.today + timedelta(days=150)
        kind = OpportunityKind.RENEWAL if ending else OpportunityKind.UPSELL
        open_opportunity(load, info, kind)
    elif roll < 0.05:
        kind = chance.pick((OpportunityKind.UPSELL, OpportunityKind.RENEWAL))
        open_opportunity(load, info, kind, closed=True)


def _account_rows(
    load: DemoLoad,
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
    country: Country,
    city: tuple[str, str, str, str],
    domain: str,
    complete: bool,
) -> tuple[int | None, str]:
    """The account and its 1-3 contacts; returns the main contact's id and name."""
    writer, chance = load.writer, load.chance
    created = instant(
        load.today - timedelta(days=chance.between(400, 3000)), 9, chance.between(0, 59)
    )
    contacts = _add_contacts(load, account_id, country, domain, created, complete=complete)
    invoice_contact = next((c for c in contacts if c[2]), None)
    # A few accounts lack an invoice contact (or a postal code), for the checks to catch.
    if not complete and chance.random() < 0.02:
        invoice_contact = None
    if invoice_contact is not None:
        writer.set_invoice_contact(account_id, invoice_contact[0])
    street, postal = _billing_address(load, country, city, complete=complete)
    searchable = cast(Account, _Searchable(name, iseries, city[0]))
    writer.add(
        "accounts",
        {
            "id": account_id,
            "name": name,
            "kind": kind,
            "status": status,
            "iseries_number": iseries,
            "parent_id": parent_id,
            "segment_id": load.staff.segment_ids[segment],
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
            "search_text": search_text_of(searchable, [p for c in contacts for p in c[1:] if p]),
            "sort_name": natural_name(name),
            "created_at": created,
            "updated_at": None,
            "version": 1,
        },
    )
    main = invoice_contact or contacts[0]
    return main[0], main[1]


def _billing_address(
    load: DemoLoad, country: Country, city: tuple[str, str, str, str], *, complete: bool
) -> tuple[str, str]:
    """(street, postal code) in the city; a few incomplete accounts lack the postal code."""
    chance = load.chance
    prefix = chance.pick(city[2].split("|"))
    postal = chance.fill(country.postal.format(p=prefix))
    if not complete and chance.random() < 0.015:
        postal = ""
    street = country.street.format(n=chance.between(1, 250), s=chance.pick(country.streets))
    return street, postal


def _add_contacts(
    load: DemoLoad,
    account_id: int,
    country: Country,
    domain: str,
    created: datetime,
    *,
    complete: bool,
) -> list[tuple[int, str, str]]:
    """1-3 people at the account, the first its primary contact; (id, name, e-mail) of each.

    A few have no e-mail address, never the first of a ``complete`` account.
    """
    writer, chance = load.writer, load.chance
    contacts: list[tuple[int, str, str]] = []
    for position in range(chance.pick((1, 2, 2, 3))):
        first, last = chance.pick(country.first_names), chance.pick(country.last_names)
        contact_name = f"{first} {last}"
        has_email = (complete and position == 0) or chance.random() >= 0.03
        email = f"{slug(first, '.')}.{slug(last, '')}@{domain}" if has_email else ""
        contact_id = writer.new_id("contacts")
        contacts.append((contact_id, contact_name, email))
        writer.add(
            "contacts",
            {
                "id": contact_id,
                "account_id": account_id,
                "name": contact_name,
                "title": chance.pick(TITLES),
                "email": email,
                "phone": chance.fill(country.phone),
                "is_primary": position == 0,
                "created_at": created,
                "updated_at": None,
                "version": 1,
            },
        )
    return contacts
