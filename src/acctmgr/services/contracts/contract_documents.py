"""The contract as sent for signature: the PDF, and the e-mail it goes out with.

It prints the quote it carries out as the purchase order does, and goes out the same way
(``documents.customer_documents``).
"""

from __future__ import annotations

from acctmgr.domain.records import RecordType
from acctmgr.models import Account, Contact, Contract, Quote
from acctmgr.services.documents import customer_documents
from acctmgr.services.documents.rendering import Issued
from acctmgr.services.kernel import territories
from acctmgr.services.kernel.unit_of_work import UnitOfWork


def issue_contract(
    uow: UnitOfWork,
    contract: Contract,
    quote: Quote,
    contact: Contact,
    *,
    supersedes: str | None = None,
) -> Issued:
    """Render the contract from the quote it carries out, keep it, and queue its e-mail with
    the PDF attached, in the caller's transaction."""
    account = uow.get(Account, contract.account_id, "account")
    variables = {
        **customer_documents.quote_variables(uow, quote, account, contact_name=contact.name),
        "contract": {
            "number": contract.number,
            "starts_on": contract.starts_on,
            "ends_on": contract.ends_on,
            "term_months": contract.term_months,
            "notice_days": contract.notice_days,
            "territory": territories.name_of(contract.territory, account.locale),
        },
        "supersedes": supersedes,
    }
    return customer_documents.send_document(
        uow,
        kind="contract",
        template="contract.html.j2",
        email_template="contract_email.txt.j2",
        variables=variables,
        locale=account.locale,
        record=(RecordType.CONTRACT, contract.id, contract.version),
        filename=contract.number,
        title=f"Contract {contract.number}",
        to=contact,
        subject=f"Contract {contract.number} for {account.name}: for your signature",
    )
