"""The contract as sent for signature: the PDF, and the e-mail it goes out with."""

from __future__ import annotations

from typing import Any

from acctmgr.models import Account, Contact, Contract, Quote
from acctmgr.services.documents import rendering as documents
from acctmgr.services.kernel.unit_of_work import UnitOfWork
from acctmgr.services.sales.purchase_orders import (
    COMPANY,
    account_variables,
    line_variables,
    send_with,
    totals,
)


def issue_contract(
    uow: UnitOfWork,
    contract: Contract,
    quote: Quote,
    contact: Contact,
    *,
    supersedes: str | None = None,
) -> documents.Issued:
    """Render the contract from the quote it carries out, keep it, and queue its e-mail with
    the PDF attached, in the caller's transaction."""
    account = uow.get(Account, contract.account_id, "account")
    lines = line_variables(uow, quote.lines, quote.currency)
    variables: dict[str, Any] = {
        "company": COMPANY,
        "account": account_variables(uow, account),
        "currency": quote.currency,
        "contract": {
            "number": contract.number,
            "starts_on": contract.starts_on,
            "ends_on": contract.ends_on,
            "term_months": contract.term_months,
            "notice_days": contract.notice_days,
            "territory": contract.territory,
        },
        "supersedes": supersedes,
        "lines": lines,
        "totals": totals(lines),
        "contact_name": contact.name,
        "sender": uow.user.name,
    }
    issued = documents.issue(
        uow,
        kind="contract",
        template="contract.html.j2",
        variables=variables,
        locale=account.locale,
        record=("contracts", contract.id, contract.version),
        filename=contract.number,
        title=f"Contract {contract.number}",
    )
    send_with(
        uow,
        to=contact.email,
        subject=f"Contract {contract.number} for {account.name}: for your signature",
        template="contract_email.txt.j2",
        variables=variables,
        locale=account.locale,
        record=("contracts", contract.id),
        attachment=issued.pdf.id,
    )
    return issued
