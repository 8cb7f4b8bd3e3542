"""A customer with a contract in force, ready for a rate-reduction case (service and UI tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from acctmgr.services import Context
from acctmgr.services import accounts as account_service
from acctmgr.services.accounts import AccountIn, ContactIn
from tests import factories

CONTRACT_ENDS = date(2027, 3, 31)  # notice by 30 Jan 2027: still open on 23 Nov 2026
CURRENT_RATE = 1_200_00  # 2 x 450.00 + 1 x 300.00 a year


@dataclass(frozen=True)
class Customer:
    account_id: int
    contract_id: int
    contact_id: int  # has an e-mail address
    phone_only_contact_id: int  # has none


def customer(admin: Context, segment: str = "SMB") -> Customer:
    account = account_service.create_account(
        admin, AccountIn(name="Acme Corp", segment_code=segment, owner_login="ae", territory="US")
    )
    contact = account_service.add_contact(
        admin,
        account.id,
        ContactIn(name="Carla Buyer", email="carla@acme.example", is_primary=True),
    )
    phone_only = account_service.add_contact(
        admin, account.id, ContactIn(name="Pete Phone", phone="+1 555 0100")
    )
    contract_id = factories.contract(admin, account.id, "CT-0000001", CONTRACT_ENDS)
    factories.subscription(
        admin, account.id, contract_id, "PLAT", quantity=2, list_price=500_00, net_price=450_00
    )
    factories.subscription(
        admin, account.id, contract_id, "ADDON", quantity=1, list_price=300_00, net_price=300_00
    )
    return Customer(account.id, contract_id, contact.id, phone_only.id)
