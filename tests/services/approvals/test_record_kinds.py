"""A new kind of record plugs into the approvals engine through the registry alone: the
preview, submission, the inbox, the request screen's summary and a smart carry-over work for
it with no change to the engine (an offer stands in for the next issues' offers)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from acctmgr.domain.records import RecordType
from acctmgr.models import (
    Account,
    ApprovalRequestStatus,
    ApprovalStatus,
    ApproverKind,
    Decision,
    Offer,
    OfferStatus,
    Role,
)
from acctmgr.services.approvals import decisions as approval_decisions
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.approvals import preview as approval_preview
from acctmgr.services.approvals import record_kinds
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.record_kinds import Approvable, RecordSummary
from acctmgr.services.approvals.rules import RuleIn
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import UnitOfWork, run_use_case
from tests import factories
from tests.retention_support import Customer, customer


class OfferKind:
    """Offers as a test declares them: their facts are how long they stay valid."""

    record_type = RecordType.OFFER
    facts: tuple[str, ...] = ("valid_days",)

    def load(self, uow: UnitOfWork, record_id: int) -> Approvable:
        offer = uow.get(Offer, record_id, "offer")
        account = uow.session.get(Account, offer.account_id)
        assert account is not None
        days = (offer.valid_until - date(2026, 11, 23)).days if offer.valid_until else None
        return Approvable(
            record_type=self.record_type,
            record_id=offer.id,
            version=offer.version,
            label=f"offer {offer.title} for {account.name}",
            owner_id=offer.owner_id,
            segment_id=account.segment_id,
            account_id=account.id,
            facts={"valid_days": days},
        )

    def summary(self, uow: UnitOfWork, record_id: int) -> RecordSummary:
        offer = uow.get(Offer, record_id, "offer")
        return RecordSummary(facts=[("Valid until", str(offer.valid_until))], details=[])

    def lock(self, uow: UnitOfWork, record_id: int) -> None:
        uow.get(Offer, record_id, "offer").status = OfferStatus.PRESENTED

    def decided(
        self, uow: UnitOfWork, record_id: int, status: ApprovalRequestStatus, comment: str
    ) -> None:
        offer = uow.get(Offer, record_id, "offer")
        offer.status = (
            OfferStatus.SENT if status is ApprovalRequestStatus.APPROVED else OfferStatus.DRAFT
        )


@pytest.fixture
def offer(admin: Context) -> Iterator[int]:
    """An offer of Acme's, valid 60 days, its kind registered and a smart rule on it."""
    record_kinds.register(OfferKind())
    acme: Customer = customer(admin)
    approval_rules.add_rule(
        admin,
        RuleIn(
            name="Long offers need the Segment Leader",
            record_type=RecordType.OFFER,
            condition={"field": "valid_days", "op": ">", "value": "30"},
            approver_kind=ApproverKind.ROLE_IN_SEGMENT,
            approver_role=Role.SEGMENT_LEADER,
            smart=True,
        ),
    )
    yield factories.insert(
        admin,
        Offer(
            account_id=acme.account_id,
            owner_id=factories.user_id(admin, "cms"),
            title="Platform 2027",
            status=OfferStatus.DRAFT,
            valid_until=date(2027, 1, 22),
            created_at=datetime(2026, 11, 23, tzinfo=UTC),
        ),
    )
    record_kinds.KINDS.pop(RecordType.OFFER)


def submit(context: Context, offer_id: int) -> approval_requests.SubmitResult:
    return run_use_case(
        context,
        "test.submit_offer",
        True,
        True,
        approval_requests.submit,
        RecordType.OFFER,
        offer_id,
    )


def test_an_offer_is_previewed_submitted_decided_and_carried_over(
    admin: Context, offer: int
) -> None:
    cms = admin.as_user("cms")
    (need,) = approval_preview.preview(cms, RecordType.OFFER, offer)
    assert (need.rule, need.names, need.carried) == (
        "Long offers need the Segment Leader",
        ["Lee Leader"],
        False,
    )
    first = submit(cms, offer)
    leader = admin.as_user("leader")
    (item,) = approval_inbox.inbox(leader)
    assert item.record_label == "offer Platform 2027 for Acme Corp"
    view = approval_inbox.request_view(leader, first.request_id)
    assert view.summary == [("Valid until", "2027-01-22")]
    approval_decisions.decide(leader, item.approval_id, Decision.APPROVE)
    assert approval_inbox.request_view(cms, first.request_id).status is (
        ApprovalRequestStatus.APPROVED
    )
    # Edited in a way the rule does not read, then submitted again: Lee's approval holds.
    with admin.database.write_session() as session:
        row = session.get(Offer, offer)
        assert row is not None
        row.title = "Platform 2027, revised"
        session.commit()
    run_use_case(
        admin, "test.invalidate", True, True, approval_requests.invalidate, RecordType.OFFER, offer
    )
    (need,) = approval_preview.preview(cms, RecordType.OFFER, offer)
    assert need.carried
    assert need.carry_over.startswith("carried over: Lee Leader approved this valid days of 60 on")
    again = submit(cms, offer)
    assert again.status is ApprovalRequestStatus.APPROVED
    view = approval_inbox.request_view(cms, again.request_id)
    assert [a.status for a in view.approvals] == [ApprovalStatus.CARRIED_OVER]
