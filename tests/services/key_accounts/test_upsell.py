"""Upsell suggestions, ranked, each with its reason; the peer figures the worker counts."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from acctmgr.clock import AdjustableClock
from acctmgr.domain.catalogue import SkuKind
from acctmgr.domain.contracts import RenewalType, SubscriptionKind
from acctmgr.errors import PermissionDenied
from acctmgr.models import Contract, ContractStatus, PeerHolding, Sku, Subscription
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import UnitOfWork, run_use_case
from acctmgr.services.key_accounts import peers
from acctmgr.services.key_accounts.upsell import SuggestionKind, upsell
from tests.services.key_accounts.situation_support import (
    TODAY,
    acme,
    contract,
    key_account,
    sku,
    subscription,
)


def peers_holding_analytics(admin: Context, holders: int = 4, others: int = 1) -> int:
    """Small business accounts of medium size (20,000 a year), ``holders`` of them with the
    Analytics Pro plan and ``others`` without; the plan's SKU id."""
    sku_id, pro = sku(admin, "ANA-PRO", SkuKind.SUBSCRIPTION, 9_600_00)
    for number in range(holders + others):
        account_id = key_account(admin, f"Peer {number}", kam=None)
        contract(admin, account_id, f"CT-1000{number}", TODAY + timedelta(days=300))
        if number < holders:
            subscription(admin, account_id, pro)
    return sku_id


def rows(admin: Context) -> list[tuple[int, str, int, int, int]]:
    with admin.database.read_session() as session:
        found = session.execute(
            select(
                PeerHolding.segment_id,
                PeerHolding.size_band,
                PeerHolding.sku_id,
                PeerHolding.holders,
                PeerHolding.peers,
            ).order_by(PeerHolding.sku_id)
        )
        return [tuple(row) for row in found]  # type: ignore[misc]


def test_suggestions_are_ranked_each_with_its_reason(admin: Context) -> None:
    """The trial ending soonest, the notice deadline, the page views above the included volume,
    what most peers hold and the workshop at risk: in that order, each reason one sentence."""
    records = acme(admin)
    peers_holding_analytics(admin)
    assert peers.refresh_peer_holdings(admin) is not None
    found = upsell(admin.as_user("kam"), records.account_id)
    assert [(s.kind, s.score, s.sku_code, s.quantity) for s in found] == [
        (SuggestionKind.TRIAL_ENDING, 78, "SUP-PREM", 1),
        (SuggestionKind.NOTICE_WINDOW, 71, None, None),
        (SuggestionKind.USAGE_ABOVE_INCLUDED, 65, "PV-500K", 2),
        (SuggestionKind.PEERS_HOLD, 47, "ANA-PRO", 1),
        (SuggestionKind.ENTITLEMENT_AT_RISK, 46, None, None),
    ]
    assert [s.reason for s in found] == [
        "The trial of SUP-PREM plan ends on 10 Dec 2026 (in 17 days); offer SUP-PREM paid "
        "before it lapses.",
        "Contract CT-000001 reaches its notice deadline on 22 Dec 2026 (in 29 days) and ends on "
        "20 Feb 2027; agree its renewal before then.",
        "Page views averaged 600,000 a month over the last 6 months, 20% above the 500,000 "
        "included; 2 units of PV-500K cost about 500.00 USD a month more, less than the "
        "1,000.00 USD overage.",
        "57% of the 7 medium Small business accounts hold ANA-PRO plan (ANA-PRO); this one "
        "does not.",
        "1 of 2 SRV-WS4 plan (SRV-WS4) must be used by 10 Jan 2027 (in 48 days) or are lost; "
        "book them now.",
    ]
    assert len({s.key for s in found}) == len(found)


def test_no_peer_suggestion_for_what_it_holds_or_few_hold(admin: Context) -> None:
    """Peers' SKUs the account holds, held by half or fewer, or in a group under five accounts,
    are not suggested."""
    records = acme(admin)
    peers_holding_analytics(admin, holders=3, others=1)  # 3 of 6 with Acme and Beta: half
    peers.refresh_peer_holdings(admin)
    kinds = {s.kind for s in upsell(admin.as_user("kam"), records.account_id)}
    assert SuggestionKind.PEERS_HOLD not in kinds


def test_an_account_without_a_contract_in_effect_is_no_peer(admin: Context) -> None:
    """Peers are buying accounts: one whose contracts have all ended is offered no SKU on their
    strength."""
    acme(admin)
    peers_holding_analytics(admin)
    peers.refresh_peer_holdings(admin)
    lapsed = key_account(admin, "Lapsed Ltd")
    contract(admin, lapsed, "CT-LAPSED", TODAY - timedelta(days=5), status=ContractStatus.ENDED)
    assert upsell(admin.as_user("kam"), lapsed) == []


def test_a_paid_trial_sku_and_a_standing_order(admin: Context) -> None:
    """A trial whose SKU is already paid for is no suggestion; a standing order's notice
    reason says it renews itself."""
    hire = acme(admin)
    with admin.database.write_session() as session:
        trial = session.get(Subscription, hire.trial_id)
        assert trial is not None
        session.add(
            Subscription(
                account_id=hire.account_id,
                sku_version_id=trial.sku_version_id,
                kind=SubscriptionKind.PAID,
                status=trial.status,
                quantity=1,
                currency="USD",
                starts_on=TODAY,
                created_at=admin.clock.now(),
            )
        )
        found = session.get(Contract, hire.contract_id)
        assert found is not None
        found.renewal_type = RenewalType.STANDING_ORDER
        session.commit()
    found_kinds = {s.kind: s for s in upsell(admin.as_user("kam"), hire.account_id)}
    assert SuggestionKind.TRIAL_ENDING not in found_kinds
    assert "renews itself unless notice is given" in (
        found_kinds[SuggestionKind.NOTICE_WINDOW].reason
    )


def test_another_segment_is_refused(admin: Context) -> None:
    """An Enterprise KAM may not read a Small business account's upsell."""
    records = acme(admin)
    with pytest.raises(PermissionDenied):
        upsell(admin.as_user("kam3"), records.account_id)


def test_size_bands_by_active_annual_value(admin: Context) -> None:
    """Under 10,000 a year is small, under 50,000 medium, then large; no contract is small."""
    accounts = {}
    for name, value in (("none", None), ("small", 9_999_99), ("medium", 10_000_00)):
        account_id = key_account(admin, name, kam=None)
        if value is not None:
            contract(
                admin, account_id, f"CT-{name}", TODAY + timedelta(days=100), annual_value=value
            )
        accounts[name] = account_id
    large = key_account(admin, "large", kam=None)
    contract(admin, large, "CT-L1", TODAY + timedelta(days=100), annual_value=30_000_00)
    contract(admin, large, "CT-L2", TODAY + timedelta(days=200), annual_value=20_000_00)
    accounts["large"] = large

    def band(uow: UnitOfWork, account_id: int) -> str:
        return peers.account_band(uow, account_id)

    found = {
        name: run_use_case(admin, "test.band", False, False, band, account_id)
        for name, account_id in accounts.items()
    }
    assert found == {"none": "small", "small": "small", "medium": "medium", "large": "large"}


def test_refreshing_peers_is_idempotent_and_waits_a_day(
    admin: Context, clock: AdjustableClock
) -> None:
    """Counted twice, the figures are the same rows; unforced within a day it does nothing;
    a day later it counts again, with the changes since."""
    records = acme(admin)
    sku_id = peers_holding_analytics(admin)
    first = peers.refresh_peer_holdings(admin)
    counted = rows(admin)
    assert first == len(counted)
    assert (sku_id, 4, 7) in [(r[2], r[3], r[4]) for r in counted]
    assert peers.refresh_peer_holdings(admin, force=True) == first
    assert rows(admin) == counted
    assert peers.refresh_peer_holdings(admin) is None
    with admin.database.read_session() as session:
        pro = session.scalar(select(Sku.current_version_id).where(Sku.id == sku_id))
    assert pro is not None
    subscription(admin, records.account_id, pro)
    clock.advance(timedelta(days=1, seconds=1))
    assert peers.refresh_peer_holdings(admin) == first
    assert (sku_id, 5, 7) in [(r[2], r[3], r[4]) for r in rows(admin)]


def test_two_workers_refreshing_at_once_leave_one_set(admin: Context) -> None:
    """Two workers counting at the same moment both finish, and one set of figures remains."""
    acme(admin)
    peers_holding_analytics(admin)
    errors: list[BaseException] = []

    def refresh() -> None:
        try:
            peers.refresh_peer_holdings(admin.as_user(None), force=True)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(rows(admin)) == len({(r[0], r[1], r[2]) for r in rows(admin)}) > 0
