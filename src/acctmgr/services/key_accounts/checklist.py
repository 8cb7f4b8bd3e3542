"""The checklist Customer Services works through before a key account's contract is final.

Each item is checked here, from the stored records, and says in one sentence why it passes or
fails: the screen shows these sentences, and finalising is refused with the first failing one.
The billing details are checked by the one rule every document sent to a customer obeys
(``accounts.billing_details``), the signature dates by the one rule of ``contracts.signatures``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from acctmgr.domain.contracts import ContractStatus, SignatureMethod
from acctmgr.domain.records import RecordType
from acctmgr.models import (
    Account,
    Contract,
    Document,
    OfferAcceptance,
    Quote,
    QuoteLine,
    Sku,
    SkuVersion,
)
from acctmgr.services.accounts import billing_details
from acctmgr.services.kernel import territories
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork

SIGNED_CONTRACT = "signed_contract"  # the kind of document the signed contract is kept as


class ChecklistItem(ReadModel):
    key: str
    label: str
    passed: bool
    reason: str  # one sentence, whether it passed or failed


class Checklist(ReadModel):
    contract_id: int
    number: str
    version: int
    status: ContractStatus
    account_id: int
    account_name: str
    starts_on: date
    items: list[ChecklistItem]
    # The signatures as recorded, for the form that corrects them.
    signer_name: str
    signer_title: str
    signed_on: date | None
    signature_method: SignatureMethod | None
    our_signer_name: str
    our_signer_title: str
    our_signed_on: date | None
    signed_document: str | None  # the file name of the latest signed document attached

    @property
    def passed(self) -> bool:
        return all(item.passed for item in self.items)

    @property
    def first_failure(self) -> ChecklistItem | None:
        return next((item for item in self.items if not item.passed), None)


def latest_signed_document(uow: UnitOfWork, contract: Contract) -> Document | None:
    """The signed contract attached last: a newer attachment replaces the one before."""
    return uow.session.scalars(
        select(Document)
        .where(
            Document.record_type == RecordType.CONTRACT,
            Document.record_id == contract.id,
            Document.kind == SIGNED_CONTRACT,
        )
        .order_by(Document.id.desc())
        .limit(1)
    ).first()


def checklist_of(uow: UnitOfWork, contract: Contract, account: Account) -> Checklist:
    """Check every item of the contract now, in order (the caller checks who may read it)."""
    quote = uow.session.get(Quote, contract.quote_id) if contract.quote_id else None
    billing = billing_details.problems(uow, account, contract.territory)
    document = latest_signed_document(uow, contract)
    items = [
        _billing(billing),
        _territory(billing, contract),
        _skus(uow, quote),
        _prices(uow, contract, quote),
        _signatures(contract),
        _document(document),
    ]
    return Checklist(
        contract_id=contract.id,
        number=contract.number,
        version=contract.version,
        status=contract.status,
        account_id=account.id,
        account_name=account.name,
        starts_on=contract.starts_on,
        items=items,
        signer_name=contract.signer_name,
        signer_title=contract.signer_title,
        signed_on=contract.signed_on,
        signature_method=contract.signature_method,
        our_signer_name=contract.our_signer_name,
        our_signer_title=contract.our_signer_title,
        our_signed_on=contract.our_signed_on,
        signed_document=document.filename if document else None,
    )


def _item(key: str, label: str, failures: list[str], passed: str) -> ChecklistItem:
    if failures:
        listed = "; ".join(failures)
        return ChecklistItem(
            key=key, label=label, passed=False, reason=f"{listed[:1].upper()}{listed[1:]}."
        )
    return ChecklistItem(key=key, label=label, passed=True, reason=passed)


def _billing(problems: list[tuple[str, str]]) -> ChecklistItem:
    found = [problem for field, problem in problems if field != "territory"]
    return _item(
        "billing",
        "Billing details",
        found,
        "The invoice contact and the billing address are in order.",
    )


def _territory(problems: list[tuple[str, str]], contract: Contract) -> ChecklistItem:
    found = [problem for field, problem in problems if field == "territory"]
    # Named for the staff reading the checklist, not in the customer's language.
    name = territories.name_of(contract.territory) if not found else ""
    return _item("territory", "Territory of use", found, f"The territory of use is {name}.")


def _skus(uow: UnitOfWork, quote: Quote | None) -> ChecklistItem:
    label = "SKUs current"
    if quote is None:
        return _item("skus", label, ["the contract carries out no quote"], "")
    rows = uow.session.execute(
        select(
            QuoteLine.position,
            SkuVersion.number,
            Sku.code,
            Sku.retired_at,
            Sku.current_version_id,
            SkuVersion.id,
        )
        .join(SkuVersion, SkuVersion.id == QuoteLine.sku_version_id)
        .join(Sku, Sku.id == SkuVersion.sku_id)
        .where(QuoteLine.quote_id == quote.id)
        .order_by(QuoteLine.position)
    ).all()
    found = []
    for _position, number, code, retired_at, current_id, version_id in rows:
        if retired_at is not None:
            found.append(f"{code} has been retired from the catalogue")
        elif current_id != version_id:
            found.append(
                f"{code} was offered at version {number}, and the catalogue has a newer one"
            )
    passed = (
        f"All {len(rows)} SKUs are current at the version offered."
        if rows
        else "The contract has no catalogue SKUs, only items outside the catalogue."
    )
    return _item("skus", label, found, passed)


def _prices(uow: UnitOfWork, contract: Contract, quote: Quote | None) -> ChecklistItem:
    label = "Prices as accepted"
    acceptance = (
        uow.session.scalars(
            select(OfferAcceptance).where(OfferAcceptance.offer_id == quote.offer_id)
        ).first()
        if quote is not None and quote.offer_id is not None
        else None
    )
    if quote is None or acceptance is None:
        return _item("prices", label, ["the contract was not made from an accepted offer"], "")
    accepted = format_money(acceptance.net_total_minor, quote.currency)
    found = []
    if quote.version != acceptance.quote_version:
        found.append(
            f"the offer's quote {quote.number} has changed since it was accepted "
            f"(version {quote.version}, accepted at version {acceptance.quote_version})"
        )
    if quote.net_total_minor != acceptance.net_total_minor:
        found.append(
            f"the quote's total {format_money(quote.net_total_minor, quote.currency)} "
            f"is not the {accepted} accepted"
        )
    if (
        contract.annual_value_minor != acceptance.net_total_minor
        or contract.currency != quote.currency
    ):
        found.append(
            f"the contract's value {format_money(contract.annual_value_minor, contract.currency)} "
            f"is not the {accepted} accepted"
        )
    return _item("prices", label, found, f"The prices are as accepted: {accepted} net.")


def _signatures(contract: Contract) -> ChecklistItem:
    missing = _missing(
        "the customer's signature",
        (
            ("the customer's signer", contract.signer_name),
            ("their title", contract.signer_title),
            ("their signature date", contract.signed_on),
            ("how they signed", contract.signature_method),
        ),
    ) + _missing(
        "our signature",
        (
            ("our signer", contract.our_signer_name),
            ("our signer's title", contract.our_signer_title),
            ("our signature date", contract.our_signed_on),
        ),
    )
    verb = "is" if len(missing) == 1 else "are"
    failures = [f"{_and(missing)} {verb} still to be recorded"] if missing else []
    passed = (
        f"Signed by {contract.signer_name} ({contract.signer_title}) on {contract.signed_on} "
        f"and for us by {contract.our_signer_name} ({contract.our_signer_title}) "
        f"on {contract.our_signed_on}."
    )
    return _item("signatures", "Both signatures", failures, passed)


def _document(document: Document | None) -> ChecklistItem:
    failures = [] if document else ["the signed document is not attached yet"]
    passed = (
        f"The signed document {document.filename} is attached (SHA-256 {document.sha256[:12]}…)."
        if document
        else ""
    )
    return _item("signed_document", "Signed document", failures, passed)


def _missing(whole: str, parts: tuple[tuple[str, object], ...]) -> list[str]:
    """What of one signature is not recorded: all of it in a word, else each missing part."""
    absent = [what for what, value in parts if not value]
    return [whole] if len(absent) == len(parts) else absent


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def in_a_sentence(reason: str) -> str:
    """A reason continuing a sentence: its first letter small, unless it starts a code (SKU)."""
    if len(reason) > 1 and reason[1].islower():
        return reason[0].lower() + reason[1:]
    return reason
