"""Until an admin sets the company's identity, an admin's My day asks for it, and no purchase
order or contract goes to a customer signed "Our company"."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from acctmgr.errors import InvalidInput
from acctmgr.models import (
    Contract,
    ContractStatus,
    Decision,
    Document,
    OutboxEmail,
    Quote,
    QuoteStatus,
    RetentionCase,
    RetentionStep,
)
from acctmgr.services.approvals import decisions, inbox
from acctmgr.services.company import identity as company
from acctmgr.services.company.my_day import SET_THE_IDENTITY
from acctmgr.services.kernel.context import Context
from acctmgr.services.my_day.day import my_day
from acctmgr.services.retention import signing, views
from acctmgr.services.retention.inputs import SendContractIn
from acctmgr.services.sales import quote_builder
from tests.conftest import COMPANY
from tests.quote_support import Catalogue, new_customer
from tests.retention_support import customer, reduce_addon, submit, to_quote
from tests.services.sales.test_po_delivery import approved_quote, contact_of, shop

__all__ = ["shop"]  # the fixture, imported so pytest finds it


def refusal(what: str) -> str:
    return (
        f'The {what} cannot go to the customer signed "Our company": an admin must first set '
        "the company's name and address with Edit company identity."
    )


def _sent(admin: Context) -> tuple[int, int]:
    """(e-mails queued, documents kept)."""
    with admin.database.read_session() as session:
        return (
            session.scalar(select(func.count(OutboxEmail.id))) or 0,
            session.scalar(select(func.count(Document.id))) or 0,
        )


def test_an_admin_s_day_asks_for_the_identity_until_it_is_set(unset: Context) -> None:
    """My day for an admin lists the identity to set, naming the key; others see no such
    section; once set, the line is gone."""
    [line] = my_day(unset).items("setup")
    assert (line.title, line.detail) == (SET_THE_IDENTITY, "Enter: POs and contracts wait for it")
    assert "setup" not in {section.key for section in my_day(unset.as_user("ae")).sections}
    company.update_identity(unset, COMPANY, 0)
    assert my_day(unset).items("setup") == []


def test_a_po_is_not_sent_from_our_company(unset: Context, shop: Catalogue) -> None:
    """An approved quote's PO is refused in one sentence naming what to set and who sets it;
    no e-mail or document is kept and the quote stays approved."""
    account_id = new_customer(unset)
    quote_id, version = approved_quote(unset, shop, account_id)
    before = _sent(unset)
    with pytest.raises(InvalidInput) as refused:
        quote_builder.send_po(unset.as_user("ae"), quote_id, version, contact_of(unset, account_id))
    assert refused.value.message == refusal("purchase order")
    assert _sent(unset) == before
    with unset.database.read_session() as session:
        assert session.get(Quote, quote_id).status is QuoteStatus.APPROVED  # type: ignore[union-attr]


def test_a_contract_is_not_sent_from_our_company(unset: Context) -> None:
    """An approved rate reduction's contract is refused the same way; the case stays at its
    signature step with no contract out for signature and nothing queued."""
    acme = customer(unset)
    case = to_quote(unset, acme)
    reduce_addon(unset, case, "20")
    case = submit(unset, case.id)
    leader = unset.as_user("leader")
    decisions.decide(leader, inbox.inbox(leader)[0].approval_id, Decision.APPROVE)
    cms = unset.as_user("cms")
    case = views.get_case(cms, case.id)
    before = _sent(unset)
    with pytest.raises(InvalidInput) as refused:
        signing.send_contract(
            cms, case.id, case.version, SendContractIn(contact_id=acme.contact_id)
        )
    assert refused.value.message == refusal("contract")
    assert _sent(unset) == before
    with unset.database.read_session() as session:
        stored = session.get(RetentionCase, case.id)
        assert stored is not None
        assert stored.step is RetentionStep.SIGNATURE
        out = select(func.count(Contract.id)).where(
            Contract.status == ContractStatus.SENT_FOR_SIGNATURE
        )
        assert session.scalar(out) == 0
