"""Overage: usage above the included volume priced by graduated tiers, priced again when a
month changes, and reviewed (approved, waived with a note) by Finance and Customer Services."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from acctmgr.domain.fulfilment import OverageStatus, SubscriptionEnd
from acctmgr.domain.records import RecordType
from acctmgr.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from acctmgr.models import OverageLine, Subscription, SubscriptionStatus, UsageRecord, User
from acctmgr.services.fulfilment import usage_views
from acctmgr.services.fulfilment.overage import overage_amount
from acctmgr.services.fulfilment.overage_review import (
    approve_overage,
    approve_overages,
    waive_overage,
)
from acctmgr.services.fulfilment.usage_import import import_usage
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.context import Context
from acctmgr.services.my_day import day as my_day_service
from tests import factories
from tests.usage_support import MONTH, UsageCustomers, usage_customers

DEMO_TIERS = ((500_000, 1), (1_000_000, 2))


@pytest.mark.parametrize(
    ("used", "included", "tiers", "amount"),
    [
        (400_000, 500_000, DEMO_TIERS, 0),  # within what is included
        (500_000, 500_000, DEMO_TIERS, 0),  # exactly what is included
        (500_001, 500_000, DEMO_TIERS, 1),
        (1_000_000, 500_000, DEMO_TIERS, 500_000),  # the first tier to its top
        (1_200_000, 500_000, DEMO_TIERS, 500_000 + 2 * 200_000),  # into the second
        (1_200_000, 1_100_000, DEMO_TIERS, 2 * 100_000),  # included past the first tier
        (700_000, 500_000, ((600_000, 3),), 3 * 200_000),  # below the first tier: its price
        (700_000, 500_000, ((600_000, 3), (500_000, 1)), 100_000 + 3 * 100_000),  # any order
        (900_000, 500_000, (), 0),  # no tiers: nothing to price
        # Two units: the included volume and the tiers are doubled.
        (2_100_000, 1_000_000, ((1_000_000, 1), (2_000_000, 2)), 1_000_000 + 2 * 100_000),
    ],
)
def test_overage_is_priced_by_graduated_tiers(
    used: int, included: int, tiers: tuple[tuple[int, int], ...], amount: int
) -> None:
    """Each unit above the included volume is priced at the tier it falls in."""
    assert overage_amount(used, included, tiers) == amount


def _import(admin: Context, *lines: str) -> None:
    rows = [
        dict(zip(("account", "month", "quantity"), line.split(","), strict=True)) for line in lines
    ]
    done = import_usage(admin.as_user("finance"), rows)
    assert done.rejected == []


def _lines(admin: Context) -> dict[int, OverageLine]:
    with admin.database.read_session() as session:
        return {line.account_id: line for line in session.scalars(select(OverageLine))}


def test_usage_above_what_is_included_goes_to_review(admin: Context) -> None:
    """Only months above the included volume of a running usage subscription get a line,
    priced by its tiers scaled by its quantity."""
    who = usage_customers(admin)
    _import(admin, "100001,2026-10,1200000", "100002,2026-10,2100000", "100003,2026-10,9000000")
    lines = _lines(admin)
    assert set(lines) == {who.one_unit, who.two_units}
    one, two = lines[who.one_unit], lines[who.two_units]
    assert (one.included, one.used, one.amount_minor, one.status) == (
        500_000,
        1_200_000,
        900_000,
        OverageStatus.TO_REVIEW,
    )
    assert (one.month, one.metric, one.currency, one.sku_version_id) == (
        MONTH,
        "page_views",
        "USD",
        who.version_id,
    )
    assert (two.included, two.amount_minor) == (1_000_000, 1_000_000 + 2 * 100_000)
    assert usage_views.overage_to_review(admin.as_user("cs"))[0].account_name == "Acme Pages"


def test_a_changed_month_is_priced_again_and_an_unchanged_one_is_left(admin: Context) -> None:
    """A line to review takes the new figures; an approved or waived one goes back to review
    with them, its review cleared; one back within what is included goes; the same figures
    again change nothing."""
    who = usage_customers(admin)
    sep, octo = date(2026, 9, 1), MONTH
    _import(admin, "100001,2026-09,700000", "100001,2026-10,1200000", "100002,2026-10,2100000")
    lines = _by_month(admin)
    approve_overage(admin.as_user("finance"), lines[(who.one_unit, octo)].id, 1)
    waive_overage(admin.as_user("cs"), lines[(who.two_units, octo)].id, 1, "Launch week.")
    _import(admin, "100001,2026-09,700000", "100001,2026-10,1200000", "100002,2026-10,2100000")
    assert {key: (line.version, line.status) for key, line in _by_month(admin).items()} == {
        (who.one_unit, sep): (1, OverageStatus.TO_REVIEW),
        (who.one_unit, octo): (2, OverageStatus.APPROVED),
        (who.two_units, octo): (2, OverageStatus.WAIVED),
    }
    _import(admin, "100001,2026-09,800000", "100001,2026-10,600000", "100002,2026-10,2200000")
    lines = _by_month(admin)
    figures = {
        key: (line.status, line.used, line.amount_minor, line.version, line.reviewed_by_id)
        for key, line in lines.items()
    }
    assert figures == {
        (who.one_unit, sep): (OverageStatus.TO_REVIEW, 800_000, 300_000, 2, None),
        (who.one_unit, octo): (OverageStatus.TO_REVIEW, 600_000, 100_000, 3, None),
        (who.two_units, octo): (
            OverageStatus.TO_REVIEW,
            2_200_000,
            1_000_000 + 2 * 200_000,
            3,
            None,
        ),
    }
    assert lines[(who.two_units, octo)].review_note == ""
    approve_overage(admin.as_user("finance"), lines[(who.two_units, octo)].id, 3)
    _import(admin, "100001,2026-09,400000", "100002,2026-10,900000")
    # Still to review and now within what is included: gone. Reviewed before: back to review.
    assert {key: (line.status, line.amount_minor) for key, line in _by_month(admin).items()} == {
        (who.one_unit, octo): (OverageStatus.TO_REVIEW, 100_000),
        (who.two_units, octo): (OverageStatus.TO_REVIEW, 0),
    }


def _by_month(admin: Context) -> dict[tuple[int, date], OverageLine]:
    with admin.database.read_session() as session:
        return {
            (line.account_id, line.month): line for line in session.scalars(select(OverageLine))
        }


def _two_lines(admin: Context) -> tuple[UsageCustomers, dict[int, OverageLine]]:
    who = usage_customers(admin)
    _import(admin, "100001,2026-10,1200000", "100002,2026-10,2100000")
    return who, _lines(admin)


def test_finance_and_customer_services_approve_and_waive(admin: Context) -> None:
    """Approved lines are marked by whom and when; a waived one keeps its note."""
    who, lines = _two_lines(admin)
    approved = approve_overage(admin.as_user("cs"), lines[who.one_unit].id, 1)
    assert (approved.status, approved.reviewed_by) == (OverageStatus.APPROVED, "Cy Services")
    assert approved.reviewed_at is not None
    waived = waive_overage(
        admin.as_user("finance"), lines[who.two_units].id, 1, "  Launch week traffic.  "
    )
    assert (waived.status, waived.review_note) == (OverageStatus.WAIVED, "Launch week traffic.")
    assert usage_views.overage_to_review(admin.as_user("finance")) == []


def test_several_lines_are_approved_together_or_not_at_all(admin: Context) -> None:
    """Bulk approval approves every line given, or none when one of them cannot be."""
    who, lines = _two_lines(admin)
    finance = admin.as_user("finance")
    one, two = lines[who.one_unit].id, lines[who.two_units].id
    with pytest.raises(Conflict, match="Someone else changed this overage line"):
        approve_overages(finance, [(one, 1), (two, 7)])
    assert {line.status for line in _lines(admin).values()} == {OverageStatus.TO_REVIEW}
    with pytest.raises(InvalidInput, match="Select the overage lines"):
        approve_overages(finance, [])
    done = approve_overages(finance, [(one, 1), (two, 1)])
    assert [row.status for row in done] == [OverageStatus.APPROVED, OverageStatus.APPROVED]


def test_review_refusals_save_nothing(admin: Context) -> None:
    """Nobody but Finance and Customer Services reviews (not even an admin), a waiver needs
    a note, and a line is reviewed once."""
    who, lines = _two_lines(admin)
    line_id = lines[who.one_unit].id
    for login in ("admin", "ae", "csu", "leader"):
        with pytest.raises(PermissionDenied, match="Only a Finance or Customer Services"):
            approve_overage(admin.as_user(login), line_id, 1)
        with pytest.raises(PermissionDenied):
            usage_views.overage_to_review(admin.as_user(login))
    with pytest.raises(InvalidInput, match="Say why the overage is waived"):
        waive_overage(admin.as_user("finance"), line_id, 1, "  ")
    with pytest.raises(InvalidInput, match="The note is at most 2,000 characters"):
        waive_overage(admin.as_user("finance"), line_id, 1, "x" * 2001)
    with pytest.raises(NotFound, match="There is no overage line with number 999"):
        approve_overage(admin.as_user("finance"), 999, 1)
    assert _lines(admin)[who.one_unit].version == 1
    approve_overage(admin.as_user("finance"), line_id, 1)
    with pytest.raises(InvalidInput, match="October 2026 was approved already"):
        waive_overage(admin.as_user("finance"), line_id, 2, "Changed my mind.")
    assert _lines(admin)[who.one_unit].status is OverageStatus.APPROVED


def test_the_account_shows_its_months_against_what_is_included(admin: Context) -> None:
    """The account's usage, newest month first, with what is included and its overage line."""
    who = usage_customers(admin)
    _import(admin, "100001,2026-09,400000", "100001,2026-10,1200000", "100003,2026-10,5")
    usage = usage_views.account_usage(admin.as_user("ae"), who.one_unit)
    assert [(m.month, m.used, m.included) for m in usage.months] == [
        (MONTH, 1_200_000, 500_000),
        (date(2026, 9, 1), 400_000, 500_000),
    ]
    overage = usage.months[0].overage
    assert overage is not None
    assert overage.amount_minor == 900_000
    assert usage.months[1].overage is None
    assert [m.not_priced for m in usage.months] == [False, False]  # priced, and within the plan
    quiet = usage_views.account_usage(admin, who.no_plan)
    assert [(m.used, m.included, m.overage) for m in quiet.months] == [(5, None, None)]
    assert not quiet.months[0].not_priced  # no plan: nothing to price it by
    with admin.database.write_session() as session:
        # History brought in before acctmgr priced overage: above the plan, with no line.
        session.add(
            UsageRecord(
                account_id=who.one_unit,
                metric="page_views",
                month=date(2026, 8, 1),
                quantity=600_000,
            )
        )
        session.commit()
    history = usage_views.account_usage(admin, who.one_unit).months[-1]
    assert (history.month, history.overage, history.not_priced) == (date(2026, 8, 1), None, True)


def test_my_days_overage_to_review_is_its_orm_twin(admin: Context) -> None:
    """For every user, My day's overage to review lists what the ORM's queue lists, in its
    order, for the reviewers (Finance and Customer Services) only; reviewed lines leave it."""
    who, lines = _two_lines(admin)
    _import(admin, "100001,2026-09,800000")
    approve_overage(admin.as_user("finance"), lines[who.two_units].id, 1)
    for login in ("admin", "ae", "cms", "leader", "finance", "cs", "csu"):
        user = admin.as_user(login)
        plain = my_day_service.my_day(user).items("overage")
        if login not in ("finance", "cs"):
            assert plain == [], login
            with pytest.raises(PermissionDenied):
                usage_views.overage_to_review(user)
            continue
        orm = usage_views.overage_to_review(user)
        assert [(i.record_id, i.version, i.account_id, i.when) for i in plain] == [
            (row.id, row.version, row.account_id, row.month) for row in orm
        ]
        assert [item.title for item in plain] == [
            "3,000.00 USD, Sep 2026: Acme Pages",
            "9,000.00 USD, Oct 2026: Acme Pages",
        ]
        assert plain[0].detail == "800,000 page views used of 500,000 included"


def _subscription(admin: Context, account_id: int, **changes: object) -> int:
    """The account's first subscription, changed as given."""
    with admin.database.write_session() as session:
        sub = session.scalars(
            select(Subscription)
            .where(Subscription.account_id == account_id)
            .order_by(Subscription.id)
        ).first()
        assert sub is not None
        for name, value in changes.items():
            setattr(sub, name, value)
        session.commit()
        return sub.id


def _another(
    admin: Context, account_id: int, version_id: int, number: str, **changes: object
) -> int:
    """One more subscription of the plan for the account, on a contract of its own."""
    contract_id = factories.contract(admin, account_id, number, date(2027, 3, 1))
    sub_id = factories.subscription(
        admin,
        account_id,
        contract_id,
        "PV-500K",
        quantity=1,
        list_price=100_00,
        net_price=100_00,
        version_id=version_id,
    )
    with admin.database.write_session() as session:
        sub = session.get_one(Subscription, sub_id)
        for name, value in changes.items():
            setattr(sub, name, value)
        session.commit()
    return sub_id


def test_the_last_month_of_an_ended_subscription_is_priced(admin: Context) -> None:
    """A subscription ended on 31 October still includes, and prices, October: a new line,
    and a line reviewed before is priced again at its figures rather than at nothing."""
    who = usage_customers(admin)
    _import(admin, "100001,2026-10,1200000")
    approve_overage(admin.as_user("finance"), _lines(admin)[who.one_unit].id, 1)
    _subscription(admin, who.one_unit, status=SubscriptionStatus.ENDED, ends_on=date(2026, 10, 31))
    _subscription(admin, who.two_units, status=SubscriptionStatus.ENDED, ends_on=date(2026, 10, 31))
    _import(admin, "100001,2026-10,900000", "100002,2026-10,2100000", "100002,2026-11,2100000")
    lines = _by_month(admin)
    assert {key: (line.included, line.amount_minor) for key, line in lines.items()} == {
        (who.one_unit, MONTH): (500_000, 400_000),
        (who.two_units, MONTH): (1_000_000, 1_000_000 + 2 * 100_000),
    }  # November: ended before it, nothing included
    assert lines[(who.one_unit, MONTH)].status is OverageStatus.TO_REVIEW


def test_only_subscriptions_that_ran_in_the_month_include(admin: Context) -> None:
    """Pending and cancelled subscriptions include nothing; one replaced within the month by
    another counts once, as its replacement."""
    who = usage_customers(admin)
    old = _subscription(
        admin,
        who.one_unit,
        status=SubscriptionStatus.ENDED,
        ends_on=date(2026, 10, 15),
        ended_reason=SubscriptionEnd.REPLACED,
    )
    _another(
        admin, who.one_unit, who.version_id, "CT-R1", starts_on=date(2026, 10, 16), replaces_id=old
    )
    for status, number in (
        (SubscriptionStatus.PENDING, "CT-P"),
        (SubscriptionStatus.CANCELLED, "CT-C"),
    ):
        _another(
            admin, who.two_units, who.version_id, number, status=status, starts_on=date(2026, 10, 1)
        )
    _import(admin, "100001,2026-10,900000", "100002,2026-10,1200000")
    assert {key: line.included for key, line in _by_month(admin).items()} == {
        (who.one_unit, MONTH): 500_000,
        (who.two_units, MONTH): 1_000_000,
    }


def test_one_subscription_replacing_two_counts_once(admin: Context) -> None:
    """Two subscriptions of one unit (a split order), replaced on 16 October by one of two
    units that names only the first: October includes the two units once, not three."""
    who = usage_customers(admin)
    replaced = {"status": SubscriptionStatus.ENDED, "ended_reason": SubscriptionEnd.REPLACED}
    first = _subscription(admin, who.one_unit, ends_on=date(2026, 10, 15), **replaced)
    _another(admin, who.one_unit, who.version_id, "CT-A2", ends_on=date(2026, 10, 15), **replaced)
    _another(
        admin,
        who.one_unit,
        who.version_id,
        "CT-B",
        quantity=2,
        starts_on=date(2026, 10, 16),
        replaces_id=first,
    )
    _import(admin, "100001,2026-10,1200000")
    assert _lines(admin)[who.one_unit].included == 1_000_000


def test_an_order_split_in_two_is_priced_as_one(admin: Context) -> None:
    """Two subscriptions of one unit each are priced as one of two units: the tiers scale by
    every unit of the SKU, not by the largest subscription's."""
    who = usage_customers(admin)
    _another(admin, who.one_unit, who.version_id, "CT-S1")
    _import(admin, "100001,2026-10,1500000", "100002,2026-10,1500000")
    lines = _lines(admin)
    assert [(lines[a].included, lines[a].amount_minor) for a in (who.one_unit, who.two_units)] == [
        (1_000_000, 500_000),
        (1_000_000, 500_000),
    ]


def test_a_reopened_line_says_so_in_its_own_trail(admin: Context) -> None:
    """An import that sends an approved line back to review writes an event on the line: the
    review and figures it had, and the ones it has now."""
    who, lines = _two_lines(admin)
    line_id = lines[who.one_unit].id
    approve_overage(admin.as_user("cs"), line_id, 1)
    _import(admin, "100001,2026-10,1300000")
    trail = audit.trail(admin, RecordType.OVERAGE_LINE, line_id)
    reopened = trail[0]
    assert (reopened.action, reopened.change) == ("fulfilment.import_usage:reopened", "update")
    assert reopened.before is not None
    assert reopened.before | {"reviewed_at": None} == {
        "status": "approved",
        "used": 1_200_000,
        "amount_minor": 900_000,
        "reviewed_by_id": _user_id(admin, "cs"),
        "reviewed_at": None,
        "version": 2,
    }
    assert reopened.after == {
        "status": "to_review",
        "used": 1_300_000,
        "amount_minor": 1_100_000,
        "reviewed_by_id": None,
        "reviewed_at": None,
        "version": 3,
    }


def _user_id(admin: Context, login: str) -> int:
    with admin.database.read_session() as session:
        return session.scalars(select(User.id).where(User.login == login)).one()
