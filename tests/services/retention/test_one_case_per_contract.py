"""One open rate-reduction case per contract, refused before the AE fills in the form."""

from __future__ import annotations

import pytest

from acctmgr.errors import AlreadyOpen, PermissionDenied
from acctmgr.models import CloseOutcome
from acctmgr.services.kernel.context import Context
from acctmgr.services.retention import closing, opening, views
from acctmgr.services.retention.inputs import CloseIn
from tests.retention_support import customer, open_case, stored_state


def test_a_second_case_on_a_contract_is_refused_naming_the_open_one(admin: Context) -> None:
    """While a case is open on the contract, neither the terms (read before the form) nor the
    opening itself let a second one start; both name the open case. Once it is closed, a new
    case may open."""
    acme = customer(admin)
    first = open_case(admin, acme)
    ae = admin.as_user("ae")
    before = stored_state(admin)
    with pytest.raises(AlreadyOpen, match=f"{first.number} is already open on contract") as told:
        opening.case_terms(ae, acme.account_id)
    assert told.value.record_id == first.id
    with pytest.raises(AlreadyOpen, match=first.number):
        open_case(admin, acme)
    assert stored_state(admin) == before

    closing.close_case(
        ae, first.id, first.version, CloseIn(outcome=CloseOutcome.WITHDRAWN, reason="Paid in full")
    )
    assert opening.case_terms(ae, acme.account_id).contract_id == acme.contract_id
    assert open_case(admin, acme).number != first.number


def test_only_an_account_executive_reads_the_terms_of_a_new_case(admin: Context) -> None:
    """A CMS asking to open a case is refused before the form, not after filling it in."""
    acme = customer(admin)
    with pytest.raises(PermissionDenied, match="Only an Account Executive can open"):
        opening.case_terms(admin.as_user("cms"), acme.account_id)


def test_the_case_says_who_may_close_it_as_closing_does(admin: Context) -> None:
    """can_close, which decides whether the close key is offered, agrees with close_case:
    the AE who opened it and its CMS may; a leader who holds nothing may not, and is refused."""
    acme = customer(admin)
    case = open_case(admin, acme)
    assert views.get_case(admin.as_user("ae"), case.id).can_close
    assert views.get_case(admin.as_user("cms"), case.id).can_close
    leader = admin.as_user("leader")
    assert not views.get_case(leader, case.id).can_close
    with pytest.raises(PermissionDenied, match="Only the person holding the case"):
        closing.close_case(
            leader, case.id, case.version, CloseIn(outcome=CloseOutcome.LOST, reason="No")
        )
