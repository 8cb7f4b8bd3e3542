"""The new contract: drafted from the approved quote, sent for signature, and signed.

The contract goes out as a PDF attached to an e-mail in the outbox, in the same transaction
as the step; once signed, it takes effect on its start date (at once when that has come).
"""

from __future__ import annotations

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import (
    Contract,
    ContractStatus,
    Quote,
    QuoteStatus,
    RetentionCase,
    RetentionStep,
)
from acctmgr.services.accounts import billing_details
from acctmgr.services.approvals import requests as approval_requests
from acctmgr.services.contracts import contract_documents, signatures
from acctmgr.services.contracts import lifecycle as contracts
from acctmgr.services.contracts.from_quote import contract_from_quote
from acctmgr.services.fulfilment import orders
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.retention import records, stages, views
from acctmgr.services.retention.inputs import SendContractIn, SignatureIn
from acctmgr.services.retention.stages import Stage
from acctmgr.services.retention.views import CaseView


@use_case("retention.send_contract")
def send_contract(
    uow: UnitOfWork, case_id: int, expected_version: int, data: SendContractIn
) -> CaseView:
    """Draft the new contract from the approved quote, render it, and e-mail it for signature.

    The quote must be approved as it stands; the contact needs an e-mail address, and the
    account its territory of use, invoice contact and billing address (else InvalidInput). The
    contract goes out as a PDF, its e-mail in the outbox in this transaction.
    """
    contact_id = data.contact_id
    case = stages.holding(uow, case_id, expected_version, RetentionStep.SIGNATURE)
    quote = records.quote(uow, case)
    if quote.status is not QuoteStatus.APPROVED or not approval_requests.is_approved(
        uow, RecordType.QUOTE, quote.id, quote.version
    ):
        raise InvalidInput("The quote must be approved before a contract is sent.")
    account = records.account(uow, case.account_id)
    contact = records.contact(uow, account, contact_id)
    if not contact.email:
        raise InvalidInput(
            f"{contact.name} has no e-mail address to send the contract to.", field="contact"
        )
    contract = records.new_contract(uow, case)
    if contract is None:
        contract = _draft_contract(uow, case, quote)
    elif contract.status not in (ContractStatus.DRAFT, ContractStatus.SENT_FOR_SIGNATURE):
        raise InvalidInput("The new contract is already signed.")
    billing_details.check_before_sending(uow, account, contract.territory, "contract")
    # Sent first, so the document records the version of the contract that went out.
    contract.status = ContractStatus.SENT_FOR_SIGNATURE
    uow.session.flush()
    contract_documents.issue_contract(
        uow, contract, quote, contact, supersedes=records.case_contract(uow, case).number
    )
    stages.step_done(
        uow, case, Stage.SIGNATURE, {"sent_to": contact.email, "contract_id": contract.id}
    )
    return views.case_view(uow, case)


@use_case("retention.record_signature")
def record_signature(
    uow: UnitOfWork, case_id: int, expected_version: int, data: SignatureIn
) -> CaseView:
    """The customer signed: record who, when and how. The contract takes effect on its date,
    and its one order is made and activated (``fulfilment.orders.fulfil_signed``).

    The contract must be out for signature, and the signature dated between the day it was
    sent and today (else InvalidInput).
    """
    case = stages.holding(uow, case_id, expected_version, RetentionStep.SIGNATURE)
    contract = records.new_contract(uow, case)
    if contract is None or contract.status is not ContractStatus.SENT_FOR_SIGNATURE:
        raise InvalidInput("Send the contract for signature first.")
    signatures.check_signed_on(uow, contract, data.signed_on, field="signed_on")
    contract.signer_name = data.signer_name
    contract.signer_title = data.signer_title.strip()
    contract.signed_on = data.signed_on
    contract.signature_method = data.method
    contract.status = ContractStatus.SIGNED
    contract.finalised_by_id = uow.user.id
    contract.finalised_at = uow.now
    uow.session.flush()
    if contract.starts_on <= uow.now.date():
        contracts.activate(uow, contract)
    # No Customer Services step follows a rate reduction: its one order is made and activated
    # here, so on its date its subscriptions replace the superseded contract's.
    orders.fulfil_signed(uow, contract)
    stages.step_done(
        uow, case, Stage.SIGNATURE, {"signed_by": data.signer_name, "signed_on": data.signed_on}
    )
    return views.case_view(uow, case)


def _draft_contract(uow: UnitOfWork, case: RetentionCase, quote: Quote) -> Contract:
    # It supersedes the case's contract and keeps its renewal and page-view threshold; the
    # approved quote sets its dates, notice period, value and territory.
    old = records.case_contract(uow, case)
    return contract_from_quote(
        uow,
        quote,
        status=ContractStatus.DRAFT,
        renewal_type=old.renewal_type,
        supersedes_id=old.id,
        territory=quote.territory or old.territory,
        page_view_threshold=old.page_view_threshold,
    )
