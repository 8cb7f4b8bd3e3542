"""A contract made from the quote it carries out: its dates, terms, value and territory.

Both wizards make one: the rate-reduction case from its approved quote (superseding the case's
contract), and a key account's accepted offer. Each says what the quote cannot: the renewal,
what it supersedes, and where it was out for signature from the start.
"""

from __future__ import annotations

from acctmgr.domain.contracts import ContractStatus, RenewalType
from acctmgr.models import Contract, Quote
from acctmgr.services.kernel.terms import term_end
from acctmgr.services.kernel.unit_of_work import UnitOfWork


def contract_from_quote(
    uow: UnitOfWork,
    quote: Quote,
    *,
    status: ContractStatus,
    renewal_type: RenewalType,
    supersedes_id: int | None,
    territory: str,
    page_view_threshold: int | None = None,
) -> Contract:
    """A numbered contract (CT-0000042) with the quote's start, term, notice period,
    currency and net total as its annual value."""
    assert quote.starts_on is not None, "a quote is dated before a contract is made from it"
    return uow.add_numbered(
        Contract(
            account_id=quote.account_id,
            quote_id=quote.id,
            supersedes_id=supersedes_id,
            status=status,
            renewal_type=renewal_type,
            starts_on=quote.starts_on,
            ends_on=term_end(quote.starts_on, quote.term_months),
            term_months=quote.term_months,
            notice_days=quote.notice_days,
            currency=quote.currency,
            annual_value_minor=quote.net_total_minor,
            territory=territory,
            page_view_threshold=page_view_threshold,
        ),
        "CT",
        7,
    )
