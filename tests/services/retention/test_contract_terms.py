"""The contract a rate reduction makes keeps the notice period its approved quote says."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from acctmgr.models import Contract, Decision
from acctmgr.services.approvals import decisions, inbox
from acctmgr.services.kernel.context import Context
from acctmgr.services.retention import signing, views
from acctmgr.services.retention.inputs import SendContractIn
from acctmgr.services.sales import quotes
from acctmgr.services.sales.quotes import QuoteEdit, QuoteLineIn
from tests.retention_support import customer, reduce_addon, submit, to_quote


def test_the_new_contract_takes_the_quotes_notice_period(admin: Context) -> None:
    """The case's quote starts with its contract's notice; 90 days agreed on the quote is
    what the contract sent for signature says."""
    acme = customer(admin)
    case = to_quote(admin, acme)
    quote = reduce_addon(admin, case, "20")
    assert quote.notice_days == 60  # the contract's, which the quote repeats
    cms = admin.as_user("cms")
    lines = [
        QuoteLineIn(line_id=line.id, quantity=line.quantity, discount_pct=line.discount_pct)
        for line in quote.lines
    ]
    quotes.update_quote(
        cms,
        quote.id,
        quote.version,
        QuoteEdit(lines=lines, starts_on=date(2027, 4, 1), notice_days=90),
    )
    case = submit(admin, case.id)
    leader = admin.as_user("leader")
    decisions.decide(leader, inbox.inbox(leader)[0].approval_id, Decision.APPROVE)
    case = views.get_case(cms, case.id)
    signing.send_contract(cms, case.id, case.version, SendContractIn(contact_id=acme.contact_id))
    with admin.database.read_session() as session:
        new = session.scalars(
            select(Contract).where(Contract.supersedes_id == acme.contract_id)
        ).one()
    assert new.notice_days == 90
