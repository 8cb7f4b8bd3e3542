"""Onboarding: National and Regional Accounts adding locations, handed from the IM to the SSM.

The first National Account's request is at billing: its three new locations are imported (a dry
run, then the real one), two billing discrepancies were found, and the handover checklist waits.
The first Regional Account's request has just come in, for two accounts not in acctmgr yet.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from acctmgr.demo.featured import ONBOARDING_FEATURED
from acctmgr.demo.load import Customer, DemoLoad, ParentAccount
from acctmgr.models import DiscrepancyStatus, OnboardingAction, OnboardingStep

HANDOVER_CHECKLIST = (
    "Confirm every account is updated in iSeries and visible in acctmgr",
    "Generate the first National/Regional Account report",
    "Review open billing discrepancies with the IM",
    "Review inventory loading for upcoming bids",
    "Meet the NAM/RAM and the customer's contacts",
    "Take over daily reporting and support requests",
)


def add_onboarding_handoffs(load: DemoLoad) -> None:
    """Two National/Regional Account handoffs between the NAM, the IM and the SSM."""
    national, regional = load.parents[0], load.parents[1]
    added = [load.featured[index] for index in ONBOARDING_FEATURED]
    applying = _onboarding_request(
        load,
        national,
        OnboardingStep.BILLING,
        "Add the three locations opened this quarter under the national agreement.",
        created=load.now - timedelta(days=9),
        data_ready_at=load.now - timedelta(days=2),
    )
    for info in added:
        _onboarding_account(
            load, applying, info.iseries, info.id, applied_at=load.now - timedelta(days=4)
        )
    _discrepancy(
        load,
        applying,
        added[0],
        "Billed at the standard rate instead of the national agreement rate; "
        "credit the difference.",
        amount=48_000,
    )
    _discrepancy(
        load,
        applying,
        added[1],
        "Invoice sent to the old head-office address.",
        resolution="Address corrected in iSeries and the invoice sent again.",
    )
    _handover_checklist(load, applying)
    _import_runs(load, applying, added)
    requested = _onboarding_request(
        load,
        regional,
        OnboardingStep.REQUESTED,
        "Please add these two new locations from next week's iSeries export.",
        created=load.now - timedelta(days=1),
        data_ready_at=None,
    )
    for iseries in load.iseries[load.accounts :]:
        _onboarding_account(load, requested, iseries, None, applied_at=None)


def _onboarding_account(
    load: DemoLoad,
    request_id: int,
    iseries: str | None,
    account_id: int | None,
    *,
    applied_at: datetime | None,
) -> None:
    """An account the request adds: in acctmgr once applied, else only its iSeries number."""
    writer = load.writer
    writer.add(
        "onboarding_accounts",
        {
            "id": writer.new_id("onboarding_accounts"),
            "request_id": request_id,
            "iseries_number": iseries,
            "account_id": account_id,
            "applied_at": applied_at,
        },
    )


def _handover_checklist(load: DemoLoad, request_id: int) -> None:
    writer = load.writer
    for position, item in enumerate(HANDOVER_CHECKLIST, 1):
        writer.add(
            "handover_items",
            {
                "id": writer.new_id("handover_items"),
                "request_id": request_id,
                "position": position,
                "text": item,
                "done_by_id": None,
                "done_at": None,
            },
        )


def _import_runs(load: DemoLoad, request_id: int, added: list[Customer]) -> None:
    """The IM's dry run, then the real import, of the same export file."""
    writer = load.writer
    export = "\n".join(info.iseries or "" for info in added).encode()
    for dry_run, days_ago in ((True, 5), (False, 4)):
        writer.add(
            "import_runs",
            {
                "id": writer.new_id("import_runs"),
                "source_name": f"iseries-export-{load.today - timedelta(days=5)}.csv",
                "source_sha256": hashlib.sha256(export).hexdigest(),
                "dry_run": dry_run,
                "run_by_id": load.staff.user_ids["im"],
                "request_id": request_id,
                "summary": {"added": 0, "updated": len(added), "unchanged": 0},
                "created_at": load.now - timedelta(days=days_ago),
                "updated_at": None,
            },
        )


def _onboarding_request(
    load: DemoLoad,
    parent: ParentAccount,
    step: OnboardingStep,
    notes: str,
    *,
    created: datetime,
    data_ready_at: datetime | None,
) -> int:
    """A request by the nam persona to add accounts, handled by the im and ssm personas."""
    writer = load.writer
    request_id = writer.new_id("onboarding_requests")
    writer.add(
        "onboarding_requests",
        {
            "id": request_id,
            "number": f"ONB-{request_id:05d}",
            "parent_account_id": parent.id,
            "action": OnboardingAction.ADD,
            "step": step,
            "requested_by_id": load.staff.user_ids["nam"],
            "implementation_manager_id": load.staff.user_ids["im"],
            "sales_support_manager_id": load.staff.user_ids["ssm"],
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


def _discrepancy(
    load: DemoLoad,
    request_id: int,
    info: Customer,
    description: str,
    *,
    amount: int = 0,
    resolution: str | None = None,
) -> None:
    """A billing discrepancy the IM found while onboarding; resolved if it has a resolution."""
    writer = load.writer
    writer.add(
        "billing_discrepancies",
        {
            "id": writer.new_id("billing_discrepancies"),
            "request_id": request_id,
            "account_id": info.id,
            "description": description,
            "amount_minor": amount,
            "currency": info.currency,
            "status": DiscrepancyStatus.RESOLVED if resolution else DiscrepancyStatus.OPEN,
            "resolution": resolution or "",
            "resolved_by_id": load.staff.user_ids["im"] if resolution else None,
            "resolved_at": load.now - timedelta(days=1) if resolution else None,
            "created_at": load.now - timedelta(days=3),
            "updated_at": None,
            "version": 1,
        },
    )
