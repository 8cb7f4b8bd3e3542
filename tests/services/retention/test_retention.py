"""The rate-reduction process through the services, as the people who hold each step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from acctmgr.models import (
    ApprovalRequest,
    ApprovalRequestStatus,
    CloseOutcome,
    Contract,
    ContractStatus,
    Decision,
    Document,
    EmailStatus,
    Opportunity,
    OutboxEmail,
    PlaceholderRequest,
    PlaceholderStatus,
    RetentionStep,
    SignatureMethod,
)
from acctmgr.services.approvals import decisions as approval_decisions
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.contracts import lifecycle as contracts
from acctmgr.services.kernel.context import Context
from acctmgr.services.retention import closing, history, signing, stages, views
from acctmgr.services.retention.inputs import CloseIn, SendContractIn, SignatureIn
from acctmgr.services.sales import quotes
from tests.retention_support import (
    CURRENT_RATE,
    Customer,
    customer,
    open_case,
    reduce_addon,
    submit,
    work_to_quote,
)


@pytest.fixture
def acme(admin: Context) -> Customer:
    return customer(admin)


def test_the_whole_process_with_a_rejection_and_a_resubmission(
    admin: Context, acme: Customer
) -> None:
    """AE opens, CMS works the case, the leader rejects then approves, the contract is signed."""
    ae, cms, leader = admin.as_user("ae"), admin.as_user("cms"), admin.as_user("leader")
    opened = open_case(admin, acme)
    assert opened.step is RetentionStep.USAGE_REVIEW
    assert opened.assigned_to == "Casey Contracts"
    assert opened.requested_reduction_minor == 120_00
    assert opened.earliest_effective == date(2027, 4, 1)
    assert opened.notice_deadline == date(2027, 1, 30)

    case = work_to_quote(admin, opened, acme)
    assert case.step is RetentionStep.QUOTE
    quote = quotes.get_quote(cms, case.quote_id or 0)
    assert [line.net_minor for line in quote.lines] == [900_00, 300_00]
    assert quote.current_rate_minor == CURRENT_RATE
    assert [need.names for need in quote.approvals_needed] == [["Lee Leader"]]

    quote = reduce_addon(admin, case, "30")
    assert quote.reduction_minor == 90_00
    case = submit(admin, case.id)
    assert case.step is RetentionStep.APPROVAL
    assert case.holder == "Lee Leader"
    assert case.can_recall  # the CMS submitted it; neither the AE nor the leader may recall
    assert not views.get_case(ae, case.id).can_recall
    assert not views.get_case(leader, case.id).can_recall
    assert quotes.get_quote(cms, quote.id).locked

    inbox = approval_inbox.inbox(leader)
    assert [item.record_label for item in inbox] == [f"quote {quote.number} for Acme Corp"]
    approval_decisions.decide(
        leader, inbox[0].approval_id, Decision.REJECT, "Ask for 10% only on the add-on."
    )
    case = views.get_case(cms, case.id)
    assert case.step is RetentionStep.QUOTE
    assert case.rejection_comment == "Ask for 10% only on the add-on."

    reduce_addon(admin, case, "40")
    case = submit(admin, case.id)
    approval_decisions.decide(leader, approval_inbox.inbox(leader)[0].approval_id, Decision.APPROVE)
    case = views.get_case(cms, case.id)
    assert case.step is RetentionStep.SIGNATURE

    case = signing.send_contract(
        cms, case.id, case.version, SendContractIn(contact_id=acme.contact_id)
    )
    with admin.database.read_session() as session:
        sent = session.scalars(
            select(Contract).where(Contract.status == ContractStatus.SENT_FOR_SIGNATURE)
        ).one()
        documents = session.scalars(select(Document).where(Document.record_id == sent.id)).all()
        # The PDF and its HTML twin name the version of the contract that went out.
        assert [(d.media_type, d.record_version) for d in documents] == [
            ("application/pdf", sent.version),
            ("text/html", sent.version),
        ]
    case = signing.record_signature(
        cms,
        case.id,
        case.version,
        SignatureIn(
            signer_name="Carla Buyer",
            signer_title="CFO",
            signed_on=date(2026, 11, 23),
            method=SignatureMethod.ELECTRONIC,
        ),
    )
    assert case.stage is stages.Stage.CLOSE
    case = closing.close_case(
        cms, case.id, case.version, CloseIn(outcome=CloseOutcome.WON, reason="")
    )
    assert case.step is RetentionStep.CLOSED
    assert views.get_case(ae, case.id).outcome is CloseOutcome.WON

    with admin.database.read_session() as session:
        opportunity = session.scalars(select(Opportunity)).one()
        assert opportunity.outcome is CloseOutcome.WON
        placeholder = session.scalars(select(PlaceholderRequest)).one()
        assert placeholder.status is PlaceholderStatus.CONFIRMED
        assert placeholder.confirmed_reduction_minor == 120_00
        statuses = session.scalars(select(ApprovalRequest.status).order_by(ApprovalRequest.id))
        assert list(statuses) == [ApprovalRequestStatus.REJECTED, ApprovalRequestStatus.APPROVED]
        new = session.scalars(select(Contract).where(Contract.quote_id.is_not(None))).one()
        assert (new.status, new.starts_on, new.ends_on) == (
            ContractStatus.SIGNED,
            date(2027, 4, 1),
            date(2028, 3, 31),
        )
        assert new.annual_value_minor == CURRENT_RATE - 120_00
        emails = session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
        # The leader was asked twice, and the CMS told of each decision, through the outbox too.
        assert [(e.to_addresses, e.subject) for e in emails[:4]] == [
            ("leader@example.com", "Approval needed: quote Q-000001 for Acme Corp"),
            ("cms@example.com", "Quote Q-000001 for Acme Corp was rejected"),
            ("leader@example.com", "Approval needed: quote Q-000001 for Acme Corp"),
            ("cms@example.com", "Quote Q-000001 for Acme Corp was approved"),
        ]
        (email,) = emails[4:]
        assert email.to_addresses == "carla@acme.example"
        assert email.status is EmailStatus.QUEUED
        assert email.to_addresses == "carla@acme.example"
        assert len(email.attachments) == 1

    admin.clock.set(admin.clock.now() + timedelta(days=130))  # type: ignore[attr-defined]
    assert contracts.take_effect(admin) == 1
    with admin.database.read_session() as session:
        by_number = dict(session.execute(select(Contract.number, Contract.status)).all())
        assert by_number["CT-0000001"] is ContractStatus.SUPERSEDED
        assert sorted(by_number.values()) == sorted(
            [ContractStatus.SUPERSEDED, ContractStatus.ACTIVE]
        )
    timeline = history.case_timeline(cms, case.id)
    whats = " | ".join(entry.what for entry in timeline)
    for expected in ("step open", "routed", "approval reject", "approval approve", "closed won"):
        assert expected in whats
    assert "_id" not in whats, whats  # people by name, columns in words
    with admin.database.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Opportunity)) == 1
