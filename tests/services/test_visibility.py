"""Segment visibility: every read use case, called by a user of another segment or of none,
is refused or finds nothing of a Small business customer's records."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

import acctmgr.services
from acctmgr.domain.records import RecordType
from acctmgr.errors import AlreadyOpen, PermissionDenied
from acctmgr.models import Activity, ApproverKind, Document, Role
from acctmgr.services.accounts import account_file, activities, billing_details, search
from acctmgr.services.accounts import records as account_records
from acctmgr.services.approvals import inbox
from acctmgr.services.approvals import preview as approval_preview
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rules import RuleIn
from acctmgr.services.documents import copies, stored_documents
from acctmgr.services.fulfilment import (
    consumption,
    entitled,
    erp_export,
    order_views,
    split,
    trials,
    usage_views,
)
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.day_sections import MyDayItem
from acctmgr.services.kernel.unit_of_work import UseCaseInfo
from acctmgr.services.key_accounts import (
    cadence,
    finalising,
    offer_views,
    offers,
    situation,
    starting_points,
    upsell,
)
from acctmgr.services.mail import outbox
from acctmgr.services.my_day.day import my_day
from acctmgr.services.people import users as user_service
from acctmgr.services.retention import history, opening, usage, views
from acctmgr.services.sales import account_packages, agreed_prices, quotes
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn
from tests import key_account_support
from tests.retention_support import contract_sent, customer, reduce_addon, submit, to_quote

# Read use cases whose records belong to no segment: the catalogue, document templates, the
# people directory and the rules are the same for everyone; the outbox worker acts for nobody.
UNSEGMENTED = frozenset(
    {
        "approvals.preview_replacement",  # an admin's, who reads every segment
        "approvals.rules",
        "catalogue.find",
        "catalogue.get",
        "catalogue.list_packages",
        "catalogue.publish",
        "catalogue.search",
        "catalogue.sku_relations",
        "company.identity",
        "delegations.check",  # who stands in for whom: people, not a segment's records
        "delegations.list",
        "erp.due",  # the worker's, acting for nobody
        "erp.waiting",  # the worker's count, acting for nobody
        # An importer's dry run: the file's accounts, of any segment, as the import writes them.
        "fulfilment.check_usage",
        "outbox.due",
        "segments.list",
        "templates.get",
        "templates.list",
        "templates.preview",
        "users.count",
        "users.get",
        "users.list",
        "users.search",
    }
)


@dataclass(frozen=True)
class Records:
    """A Small business customer's records, one of each kind a read use case returns."""

    account_id: int
    contract_id: int
    case_id: int
    quote_id: int
    quote_line: QuoteLineIn
    request_id: int
    activity_id: int
    document_id: int
    email_id: int
    offer_id: int


@pytest.fixture
def smb(admin: Context) -> Records:
    """Acme (Small business) with a case taken to a signed-for contract: a quote, its approved
    request, a logged contact, the contract's documents and the e-mail that sends them."""
    acme = customer(admin)
    case = contract_sent(admin, acme)
    cms = admin.as_user("cms")
    request = inbox.latest_for(cms, RecordType.QUOTE, case.quote_id or 0)
    assert request is not None
    with admin.database.read_session() as session:
        activity_id = session.scalars(
            select(Activity.id).where(Activity.account_id == acme.account_id)
        ).first()
        document_id = session.scalars(
            select(Document.id).where(Document.record_type == RecordType.CONTRACT)
        ).first()
    assert activity_id
    assert document_id
    email_id = outbox.outbox(admin)[0].id
    line = quotes.get_quote(cms, case.quote_id or 0).lines[0]
    key_account_support.hire(admin)
    kam = admin.as_user("kam")
    opportunity = offers.open_opportunity(
        kam, offers.OpportunityIn(account_id=acme.account_id, name="More analytics")
    )
    offer = offers.new_offer(
        kam,
        opportunity,
        offers.NewOfferIn(
            title="Analytics plus", valid_until=date(2026, 12, 31), starts_on=date(2027, 1, 1)
        ),
    ).offer
    return Records(
        account_id=acme.account_id,
        contract_id=acme.contract_id,
        case_id=case.id,
        quote_id=case.quote_id or 0,
        quote_line=QuoteLineIn(
            line_id=line.id, quantity=line.quantity, discount_pct=line.discount_pct
        ),
        request_id=request.id,
        activity_id=activity_id,
        document_id=document_id,
        email_id=email_id,
        offer_id=offer.id,
    )


Read = Callable[[Context, Records], Any]

# Each read use case of a segment's records, called on Acme's. Every reader sees them or is
# refused; ``inbox`` is a list each reader only sees their own part of.
READS: dict[str, Read] = {
    "accounts.get": lambda c, r: account_records.get_account(c, r.account_id),
    "accounts.contracts": lambda c, r: account_file.contracts(c, r.account_id),
    "accounts.subscriptions": lambda c, r: account_file.subscriptions(c, r.account_id),
    "accounts.invoices": lambda c, r: account_file.invoices(c, r.account_id),
    "accounts.cases": lambda c, r: account_file.cases_and_opportunities(c, r.account_id),
    "accounts.timeline": lambda c, r: account_file.timeline(c, r.account_id),
    "accounts.sending_problems": lambda c, r: billing_details.sending_problems(
        c, r.account_id, "US"
    ),
    "account_packages.list": lambda c, r: account_packages.list_account_packages(c, r.account_id),
    "activities.get": lambda c, r: activities.activity(c, r.activity_id),
    "agreed_prices.list": lambda c, r: agreed_prices.list_agreed_prices(c, r.account_id),
    "activities.assignees": lambda c, r: activities.assignees(c, RecordType.QUOTE, r.quote_id),
    "approvals.request": lambda c, r: inbox.request_view(c, r.request_id),
    "approvals.latest_for": lambda c, r: inbox.latest_for(c, RecordType.QUOTE, r.quote_id),
    "approvals.preview": lambda c, r: approval_preview.preview(c, RecordType.QUOTE, r.quote_id),
    "audit.trail": lambda c, r: audit.trail(c, RecordType.ACCOUNT, r.account_id),
    "key_accounts.order_situation": lambda c, r: situation.order_situation(c, r.account_id),
    "key_accounts.upsell": lambda c, r: upsell.upsell(c, r.account_id),
    "fulfilment.account_usage": lambda c, r: usage_views.account_usage(c, r.account_id),
    "fulfilment.entitled_on": lambda c, r: entitled.entitled_on(c, r.account_id, date(2026, 12, 1)),
    "documents.of_record": lambda c, r: stored_documents.record_documents(
        c, RecordType.CONTRACT, r.contract_id
    ),
    "documents.of_account": lambda c, r: stored_documents.account_documents(c, r.account_id),
    "documents.text": lambda c, r: stored_documents.document_text(c, r.document_id),
    "documents.file": lambda c, r: copies.document_file(c, r.document_id),
    "key_accounts.offer": lambda c, r: offer_views.get_offer(c, r.offer_id),
    "key_accounts.offer_starts": lambda c, r: starting_points.offer_starts(c, r.account_id),
    "key_accounts.contract_checklist": lambda c, r: finalising.checklist(c, r.contract_id),
    "erp.list": lambda c, _: erp_export.exports(c),
    "erp.orders_since": lambda c, _: erp_export.order_payloads(c, date(2026, 1, 1)),
    "fulfilment.contract_orders": lambda c, r: order_views.contract_orders(c, r.contract_id),
    "fulfilment.split_preview": lambda c, r: split.split_preview(c, r.contract_id),
    "outbox.list": lambda c, _: outbox.outbox(c),
    "outbox.email": lambda c, r: outbox.email(c, r.email_id),
    "quotes.get": lambda c, r: quotes.get_quote(c, r.quote_id),
    "quotes.preview": lambda c, r: quotes.preview_quote(
        c, r.quote_id, QuoteEdit(lines=[r.quote_line], starts_on=date(2027, 4, 1))
    ),
    "retention.get": lambda c, r: views.get_case(c, r.case_id),
    "retention.terms": lambda c, r: opening.case_terms(c, r.account_id, r.contract_id),
    "retention.timeline": lambda c, r: history.case_timeline(c, r.case_id),
    "retention.usage": lambda c, r: usage.usage_review(c, r.case_id),
}
ADMIN_ONLY = frozenset(
    {"audit.trail", "erp.list", "erp.orders_since", "outbox.list", "outbox.email"}
)
LISTS: dict[str, Read] = {
    "approvals.inbox": lambda c, _: [item.request_id for item in inbox.inbox(c)],
    # Listed as the request of Acme's, should one of Acme's contracts ever show.
    "key_accounts.contracts_to_finalise": lambda c, r: [
        r.request_id
        for item in finalising.contracts_to_finalise(c)
        if item.account_id == r.account_id
    ],
}
# Lists of accounts each reader sees only their own part of: Acme's id is never in them.
ACCOUNT_LISTS: dict[str, Read] = {
    "key_accounts.due_a_contact": lambda c, _: [due.account_id for due in cadence.due_a_contact(c)],
    # Only reviewers read the queue: anyone else is refused, which shows them nothing either.
    "fulfilment.overage_to_review": lambda c, _: _refused_or(
        lambda: [row.account_id for row in usage_views.overage_to_review(c)]
    ),
    "fulfilment.orders_to_activate": lambda c, _: [
        order.account_id for order in order_views.orders_to_activate(c)
    ],
    "fulfilment.trials_ending": lambda c, _: [row.account_id for row in trials.trials_ending(c)],
    "fulfilment.entitlements_to_use": lambda c, _: [
        row.account_id for row in consumption.entitlements_to_use(c)
    ],
}


def _refused_or(read: Callable[[], list[int]]) -> list[int]:
    try:
        return read()
    except PermissionDenied:
        return []


def read_use_cases() -> set[str]:
    """The name of every read-only use case under acctmgr.services."""
    found = set()
    for module in pkgutil.walk_packages(acctmgr.services.__path__, "acctmgr.services."):
        for value in vars(importlib.import_module(module.name)).values():
            info = getattr(value, "__use_case__", None)
            if isinstance(info, UseCaseInfo) and not info.write:
                found.add(info.action)
    return found


def outsiders(admin: Context) -> list[Context]:
    """An Account Executive of another segment, and one of no segment at all."""
    user_service.create_user(
        admin,
        user_service.UserIn(
            login="nowhere",
            name="Noa Where",
            email="nowhere@example.com",
            roles=frozenset({Role.ACCOUNT_EXECUTIVE}),
        ),
    )
    return [admin.as_user("ae2"), admin.as_user("nowhere")]


def test_every_read_use_case_is_classified() -> None:
    """A new read use case must say here how its records are kept from other segments."""
    classified = set(READS) | set(LISTS) | set(ACCOUNT_LISTS) | UNSEGMENTED
    assert read_use_cases() == classified


def test_other_segments_are_refused_every_read(admin: Context, smb: Records) -> None:
    """Another segment's user, and a user of none, are refused every read of Acme's records
    (the request's facts, approvers and comments among them) that its own segment may make."""
    cms = admin.as_user("cms")
    for name, read in READS.items():
        insider = admin if name in ADMIN_ONLY else cms
        if name == "retention.terms":  # read before a new case, by its AE: the case is open
            with pytest.raises(AlreadyOpen):
                read(admin.as_user("ae"), smb)
            continue
        read(insider, smb)  # the record is there, and its own segment reads it
    for outsider in outsiders(admin):
        refused = set()
        for name, read in READS.items():
            try:
                read(outsider, smb)
            except PermissionDenied:
                refused.add(name)
        assert refused == set(READS), outsider.login
        for name, listed in LISTS.items():
            assert smb.request_id not in listed(outsider, smb), name
        for name, listed in ACCOUNT_LISTS.items():
            assert smb.account_id not in listed(outsider, smb), name


def test_the_inbox_lists_the_request_for_its_approver(admin: Context) -> None:
    """The inbox check above is not empty by accident: Acme's pending request is listed for the
    leader who decides it."""
    acme = customer(admin)
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "20")
    submit(admin, case.id)
    assert len(inbox.inbox(admin.as_user("leader"))) == 1


def test_plain_reads_show_nothing_of_other_segments(admin: Context, smb: Records) -> None:
    """Account search and My day, read in plain SQL, find none of Acme's records for another
    segment's user."""
    query = search.AccountQuery(text="Acme")
    assert [row.id for row in search.search_accounts(admin.as_user("cms"), query).items] == [
        smb.account_id
    ]
    assert any(item.account_id == smb.account_id for item in _day_items(admin.as_user("cms")))
    for outsider in outsiders(admin):
        assert search.search_accounts(outsider, query).items == []
        assert all(item.account_id != smb.account_id for item in _day_items(outsider))


def _day_items(context: Context) -> list[MyDayItem]:
    return [item for section in my_day(context).sections for item in section.items]


def test_an_approver_named_from_another_segment_reads_what_they_decide(admin: Context) -> None:
    """A rule may name an approver of another segment: they read the request they decide, and
    still nothing else of the record's segment."""
    approval_rules.add_rule(
        admin,
        RuleIn(
            name="Any reduction needs the Enterprise executive too",
            record_type=RecordType.QUOTE,
            condition={"field": "discount_pct", "op": ">", "value": "0"},
            approver_kind=ApproverKind.USER,
            approver_login="ae2",
        ),
    )
    acme = customer(admin)
    case = to_quote(admin, acme)
    reduce_addon(admin, case, "20")
    case = submit(admin, case.id)
    ae2 = admin.as_user("ae2")
    (item,) = inbox.inbox(ae2)
    assert inbox.request_view(ae2, item.request_id).mine == item.approval_id
    with pytest.raises(PermissionDenied):
        views.get_case(ae2, case.id)
