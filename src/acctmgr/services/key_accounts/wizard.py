"""The offer wizard, declared once: its stages, who holds each, and where an offer stands.

An offer moves from the Key Account Manager's design, through the approvals its rules demand,
back to the KAM to present and send it and to record the customer's answer, to Customer
Services, who collect the signatures and finalise the contract made from it. What is stored is
the offer's status, its quote's and its contract's; the stage is read from the three.
"""

from __future__ import annotations

import enum

from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.models import (
    Approval,
    ApprovalStatus,
    Contract,
    ContractStatus,
    Offer,
    OfferStatus,
    Order,
    OrderStatus,
    Quote,
    QuoteStatus,
    Role,
    User,
    UserRole,
)
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.fulfilment.order_views import is_finalised
from acctmgr.services.fulfilment.split import lines_to_order
from acctmgr.services.kernel.unit_of_work import UnitOfWork
from acctmgr.services.kernel.wizards import StageSpec, WizardSpec


class OfferStage(enum.StrEnum):
    DESIGN = "design"
    APPROVAL = "approval"
    SEND = "send"
    ANSWER = "answer"
    SIGNATURES = "signatures"
    FULFILMENT = "fulfilment"


OFFER_WIZARD = WizardSpec(
    name="Offer to signed contract",
    record_type=RecordType.OFFER,
    stages=(
        StageSpec(OfferStage.DESIGN, "Design the offer", "Key Account Manager"),
        StageSpec(OfferStage.APPROVAL, "Approval", "Approvers", worked=False),
        StageSpec(OfferStage.SEND, "Present and send", "Key Account Manager"),
        StageSpec(OfferStage.ANSWER, "Customer's answer", "Key Account Manager"),
        StageSpec(OfferStage.SIGNATURES, "Signatures, finalise", "Customer Services"),
        StageSpec(OfferStage.FULFILMENT, "Orders", "Customer Services"),
    ),
)
# Finalised, and what a finalised contract becomes later: the offer has reached fulfilment.
FINALISED = (
    ContractStatus.SIGNED,
    ContractStatus.ACTIVE,
    ContractStatus.SUPERSEDED,
    ContractStatus.ENDED,
)


def orders_open(uow: UnitOfWork, contract: Contract) -> bool:
    """Whether Customer Services still has orders to make or activate for the contract: lines
    in no order yet, or draft orders, of a contract finalised and in force. Once there are
    none, the wizard is finished."""
    if not is_finalised(contract):
        return False
    if lines_to_order(uow, contract):
        return True
    draft = select(Order.id).where(
        Order.contract_id == contract.id, Order.status == OrderStatus.DRAFT
    )
    return uow.session.scalar(draft.limit(1)) is not None


def stage_of(uow: UnitOfWork, offer: Offer, quote: Quote, contract: Contract | None) -> OfferStage:
    """Where the offer stands. Declined and expired offers stop where they were answered."""
    if offer.status is OfferStatus.ACCEPTED:
        if contract is not None and contract.status in FINALISED and contract.finalised_at:
            return OfferStage.FULFILMENT
        return OfferStage.SIGNATURES
    if offer.status in (OfferStatus.SENT, OfferStatus.DECLINED, OfferStatus.EXPIRED):
        return OfferStage.ANSWER if offer.sent_at else OfferStage.DESIGN
    if quote.status is QuoteStatus.PENDING_APPROVAL:
        return OfferStage.APPROVAL
    if quote.status is QuoteStatus.APPROVED and approval_requests.is_approved(
        uow, RecordType.QUOTE, quote.id, quote.version
    ):
        return OfferStage.SEND
    return OfferStage.DESIGN


def holder_ids(uow: UnitOfWork, offer: Offer, quote: Quote, stage: OfferStage) -> set[int]:
    """Who holds the offer now: its KAM, the pending approvers, or Customer Services."""
    if offer.status in (OfferStatus.DECLINED, OfferStatus.EXPIRED):
        return set()
    if stage is OfferStage.APPROVAL:
        request = approval_requests.open_request(uow, RecordType.QUOTE, quote.id)
        if request is None:
            return set()
        pending = uow.session.scalars(
            select(Approval.approver_id).where(
                Approval.request_id == request.id, Approval.status == ApprovalStatus.PENDING
            )
        )
        return {each for each in pending if each}
    if stage in (OfferStage.SIGNATURES, OfferStage.FULFILMENT):
        if stage is OfferStage.FULFILMENT:
            contract = uow.session.scalar(select(Contract).where(Contract.quote_id == quote.id))
            if contract is None or not orders_open(uow, contract):
                return set()
        return set(
            uow.session.scalars(
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == Role.CUSTOMER_SERVICES, User.active)
            )
        )
    return {offer.owner_id}
