"""Customer Services finalises the contract made from a key account's accepted offer.

Seed 001: "At Customer Services, all data and information of the contract is checked, and the
agreement is finalized." The checks are the checklist's (``key_accounts.checklist``); here are
the three things Customer Services records (both signatures, the signed document, the final
yes) and who may do them. The Key Account Manager may bring in the signed document too; only
Customer Services records the signatures and finalises. Once finalised the contract takes
effect on its start date: at once when that has come, else by the worker
(``contracts.take_effect``).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from acctmgr.domain.contracts import ContractStatus, SignatureMethod
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.errors import InvalidInput
from acctmgr.models import Account, Contract, Quote
from acctmgr.services.contracts import lifecycle, signatures
from acctmgr.services.documents import received
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.day_sections import LIST_LIMIT
from acctmgr.services.kernel.permissions import require_role, require_segment, segment_filter
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.key_accounts.checklist import (
    SIGNED_CONTRACT,
    Checklist,
    checklist_of,
    in_a_sentence,
)

FINALISERS = (Role.CUSTOMER_SERVICES,)
# "A file the KAM or Customer Services brings in" (issue 16).
DOCUMENT_BRINGERS = (Role.CUSTOMER_SERVICES, Role.KEY_ACCOUNT_MANAGER)


class SignaturesIn(BaseModel):
    """Both signatures as they stand: the customer's signer and ours, each with title and date.

    A side may be left blank until it is known (the checklist says what is still missing); a
    date needs the name of who signed on it.
    """

    signer_name: SingleLine = Field(default="", max_length=200)
    signer_title: SingleLine = Field(default="", max_length=120)
    signed_on: date | None = None
    signature_method: SignatureMethod | None = None
    our_signer_name: SingleLine = Field(default="", max_length=200)
    our_signer_title: SingleLine = Field(default="", max_length=120)
    our_signed_on: date | None = None

    @model_validator(mode="after")
    def _dated_signatures_are_named(self) -> SignaturesIn:
        if self.signed_on is not None and not self.signer_name.strip():
            raise InvalidInput(
                "Name the customer's signer who signed on that date.", field="signer_name"
            )
        if self.signed_on is not None and self.signature_method is None:
            raise InvalidInput("Say how the customer signed.", field="signature_method")
        if self.our_signed_on is not None and not self.our_signer_name.strip():
            raise InvalidInput("Name who signed for us on that date.", field="our_signer_name")
        return self


def _contract(uow: UnitOfWork, contract_id: int) -> tuple[Contract, Account]:
    contract = uow.get(Contract, contract_id, "contract")
    account = uow.get(Account, contract.account_id, "account")
    require_segment(uow.user, account.segment_id, what="contract")
    return contract, account


def _out_for_signature(contract: Contract) -> None:
    if contract.status is not ContractStatus.SENT_FOR_SIGNATURE:
        state = contract.status.value.replace("_", " ")
        raise InvalidInput(
            f"Contract {contract.number} is {state}, not out for signature: it cannot be changed."
        )


@use_case("key_accounts.contract_checklist", write=False)
def checklist(uow: UnitOfWork, contract_id: int) -> Checklist:
    """The contract's checklist, each item checked now and given its reason.

    Raises NotFound for no such contract, PermissionDenied for another segment's.
    """
    contract, account = _contract(uow, contract_id)
    return checklist_of(uow, contract, account)


@use_case("key_accounts.record_signatures")
def record_signatures(
    uow: UnitOfWork, contract_id: int, expected_version: int, data: SignaturesIn
) -> Checklist:
    """Record the customer's signature and ours, as they stand, on a contract out for signature.

    Only Customer Services records them (PermissionDenied otherwise). A signature date cannot
    be in the future nor before the contract was sent (InvalidInput beside the date); a stale
    ``expected_version`` is a Conflict.
    """
    require_role(uow.user, *FINALISERS, to="record the signatures of a contract")
    contract, account = _contract(uow, contract_id)
    uow.expect_version(contract, expected_version, "contract")
    _out_for_signature(contract)
    for signed_on, field in ((data.signed_on, "signed_on"), (data.our_signed_on, "our_signed_on")):
        if signed_on is not None:
            signatures.check_signed_on(uow, contract, signed_on, field=field)
    contract.signer_name = data.signer_name.strip()
    contract.signer_title = data.signer_title.strip()
    contract.signed_on = data.signed_on
    contract.signature_method = data.signature_method
    contract.our_signer_name = data.our_signer_name.strip()
    contract.our_signer_title = data.our_signer_title.strip()
    contract.our_signed_on = data.our_signed_on
    uow.session.flush()
    return checklist_of(uow, contract, account)


@use_case("key_accounts.attach_signed_document")
def attach_signed_document(uow: UnitOfWork, contract_id: int, path: str | Path) -> Checklist:
    """Keep the signed contract, a PDF read from ``path``, with the contract; the latest
    attached is the one that counts.

    Customer Services or the Key Account Manager brings it in (PermissionDenied otherwise),
    while the contract is out for signature. The file must exist, be a PDF by its first bytes,
    not be empty and be 20 MB at most (InvalidInput beside ``path``, one sentence each).
    """
    require_role(uow.user, *DOCUMENT_BRINGERS, to="attach a signed contract")
    contract, account = _contract(uow, contract_id)
    _out_for_signature(contract)
    file = Path(path).expanduser()
    content = received.read_pdf(file)
    received.keep(
        uow,
        kind=SIGNED_CONTRACT,
        record=(RecordType.CONTRACT, contract.id, contract.version),
        filename=file.name,
        content=content,
    )
    return checklist_of(uow, contract, account)


@use_case("key_accounts.finalise_contract")
def finalise_contract(uow: UnitOfWork, contract_id: int, expected_version: int) -> Checklist:
    """Finalise the contract: signed, and in effect from its start date.

    Every item of the checklist is checked again in this transaction; while one fails, the
    refusal (InvalidInput) is that item's sentence. Only Customer Services finalises
    (PermissionDenied); a stale ``expected_version`` is a Conflict. A start date that has come
    activates the contract at once; a later one waits for the worker.
    """
    require_role(uow.user, *FINALISERS, to="finalise a contract")
    contract, account = _contract(uow, contract_id)
    uow.expect_version(contract, expected_version, "contract")
    _out_for_signature(contract)
    failing = checklist_of(uow, contract, account).first_failure
    if failing is not None:
        raise InvalidInput(
            f"Contract {contract.number} cannot be finalised yet "
            f"({in_a_sentence(failing.label)}): {in_a_sentence(failing.reason)}",
            field=failing.key,
        )
    contract.status = ContractStatus.SIGNED
    contract.finalised_by_id = uow.user.id
    contract.finalised_at = uow.now
    uow.session.flush()
    if contract.starts_on <= uow.now.date():
        lifecycle.activate(uow, contract)
    audit.record(
        uow,
        RecordType.CONTRACT,
        contract.id,
        "finalised",
        {
            "number": contract.number,
            "status": contract.status.value,
            "starts_on": contract.starts_on,
        },
    )
    return checklist_of(uow, contract, account)


class ContractToFinalise(ReadModel):
    contract_id: int
    number: str
    account_id: int
    account_name: str
    starts_on: date
    sent_at: datetime
    version: int


@use_case("key_accounts.contracts_to_finalise", write=False)
def contracts_to_finalise(uow: UnitOfWork) -> list[ContractToFinalise]:
    """Contracts made from accepted offers and out for signature, in the segments the user
    sees, the longest waiting first (My day's section, read with the ORM)."""
    rows = uow.session.execute(
        select(
            Contract.id.label("contract_id"),
            Contract.number,
            Contract.account_id,
            Account.name.label("account_name"),
            Contract.starts_on,
            Contract.created_at.label("sent_at"),
            Contract.version,
        )
        .join(Quote, Quote.id == Contract.quote_id)
        .join(Account, Account.id == Contract.account_id)
        .where(
            Contract.status == ContractStatus.SENT_FOR_SIGNATURE,
            Quote.offer_id.is_not(None),
            segment_filter(uow.user, Account.segment_id),
        )
        .order_by(Contract.created_at, Contract.id)
        .limit(LIST_LIMIT)
    )
    return [ContractToFinalise.model_validate(row._mapping) for row in rows]
