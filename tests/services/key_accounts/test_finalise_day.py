"""My day's contracts to finalise, read in plain SQL, list what their ORM twin lists."""

from __future__ import annotations

from datetime import timedelta

from acctmgr.clock import AdjustableClock
from acctmgr.domain.contracts import ContractStatus
from acctmgr.domain.roles import Role
from acctmgr.models import Contract, Quote
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts import finalise_day, finalising
from acctmgr.services.my_day import day as my_day_service
from acctmgr.services.people import users as user_service
from tests import factories
from tests.services.key_accounts.finalise_support import accepted_contract, hire

LOGINS = ("admin", "ae", "ae2", "cms", "leader", "finance", "cs", "kam", "cs-smb")


def test_the_stored_status_is_the_enums() -> None:
    """The plain read's status value is the one the models store."""
    assert ContractStatus.SENT_FOR_SIGNATURE.value == finalise_day.CONTRACT_SENT_FOR_SIGNATURE


def test_contracts_to_finalise_are_their_orm_twins(admin: Context, clock: AdjustableClock) -> None:
    """For every user, My day's contracts to finalise are those the ORM lists, in its order:
    offers' contracts out for signature only, oldest first, for Customer Services."""
    hire(admin)
    user_service.create_user(
        admin,
        user_service.UserIn(
            login="cs-smb",
            name="Cy Service",
            email="cs-smb@example.com",
            segment_code="SMB",
            roles=frozenset({Role.CUSTOMER_SERVICES}),
        ),
    )
    made = []
    for name in ("Zeta GmbH", "Alpha AG", "Mid KG", "Done SE"):
        made.append(accepted_contract(admin, name=name))
        clock.advance(timedelta(minutes=5))
    with admin.database.write_session() as session:
        done = session.get(Contract, made[3].contract_id)
        assert done is not None
        done.status = ContractStatus.SIGNED
        # Out for signature but not from an offer (a retention contract): not this section's.
        not_offered = session.get(Quote, made[2].quote_id)
        assert not_offered is not None
        not_offered.offer_id = None
        session.commit()
    factories.contract(admin, made[0].account_id, "CT-ACTIVE", clock.now().date())
    for login in LOGINS:
        user = admin.as_user(login)
        plain = my_day_service.my_day(user).items("finalise")
        orm = finalising.contracts_to_finalise(user)
        if login in ("cs", "cs-smb"):
            assert [item.record_id for item in plain] == [
                made[0].contract_id,
                made[1].contract_id,
            ], login
            assert [(item.record_id, item.version, item.account_id) for item in plain] == [
                (row.contract_id, row.version, row.account_id) for row in orm
            ], login
            assert [item.when for item in plain] == [row.sent_at.date() for row in orm]
        else:
            assert plain == [], login
