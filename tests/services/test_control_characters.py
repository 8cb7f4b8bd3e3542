"""Names and free text refuse control characters, on SQLite and PostgreSQL alike.

A NUL used to be stored on SQLite and to fail with a raw ``psycopg.DataError`` on PostgreSQL;
an escape sequence was stored on both, to be replayed in the terminal of whoever listed it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from acctmgr.domain.activities import ActivityKind
from acctmgr.domain.approvals import Decision
from acctmgr.domain.sales import CloseOutcome
from acctmgr.errors import InvalidInput
from acctmgr.models import (
    Account,
    Activity,
    ApprovalDecision,
    ApprovalGroup,
    RetentionCase,
    Segment,
    Sku,
    User,
)
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts.records import AccountIn
from acctmgr.services.approvals import decisions as approval_decisions
from acctmgr.services.approvals import inbox as approval_inbox
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.catalogue import inputs
from acctmgr.services.catalogue import skus as catalogue
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.validation import invalid_input
from acctmgr.services.people import users as user_service
from acctmgr.services.people.users import UserIn
from acctmgr.services.retention import goals, sales_steps, usage, views
from acctmgr.services.retention.inputs import (
    CaseIn,
    ContactAttemptIn,
    OpportunityIn,
    PlaceholderIn,
    UsageReviewIn,
)
from acctmgr.services.sales import opportunities
from tests import factories
from tests.retention_support import Customer, customer, open_case

NUL = "Evil\x00Corp"
ESCAPES = "Evil\x1b]0;pwned\x07\x1b[2J"
COUNTED = (Account, Activity, ApprovalDecision, ApprovalGroup, RetentionCase, Segment, Sku, User)


def _refusal(attempt: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The sentence a refused ``attempt(*args, **kwargs)`` gives, whether pydantic or the use
    case refused it."""
    with pytest.raises((InvalidInput, ValidationError)) as refused:
        attempt(*args, **kwargs)
    error = refused.value
    if isinstance(error, ValidationError):
        return invalid_input(error).message
    assert isinstance(error, InvalidInput)
    return error.message


def _counts(admin: Context) -> dict[str, int]:
    with admin.database.read_session() as session:
        return {
            table.__name__: session.scalar(select(func.count()).select_from(table)) or 0
            for table in COUNTED
        }


@pytest.mark.parametrize("hostile", [NUL, ESCAPES, "Evil\nCorp"])
def test_names_are_refused_with_a_sentence_and_nothing_is_stored(
    admin: Context, hostile: str
) -> None:
    """A user's, an account's, a segment's, a SKU's and an approval group's name."""
    attempts: dict[str, Callable[[], Any]] = {
        "user": lambda: user_service.create_user(
            admin, UserIn(login="evil", name=hostile, email="evil@example.com")
        ),
        "account": lambda: account_service.create_account(
            admin, AccountIn(name=hostile, segment_code="SMB")
        ),
        "segment": lambda: user_service.create_segment(admin, "EVL", hostile),
        "sku": lambda: catalogue.create_sku(
            admin,
            inputs.sku_input(
                {"code": "EVL", "name": hostile, "kind": "one_off", "prices": "USD 1"}
            ),
        ),
        "group": lambda: approval_rules.add_group(admin, hostile, ["admin"]),
    }
    before = _counts(admin)
    for what, attempt in attempts.items():
        sentence = _refusal(attempt)
        assert sentence.endswith(
            "name cannot contain control characters such as escape codes or line breaks."
        ), what
    assert _counts(admin) == before


def _at_the_goals_step(admin: Context, acme: Customer) -> views.CaseView:
    cms = admin.as_user("cms")
    case = open_case(admin, acme)
    findings = UsageReviewIn(notes="Usage fell.")
    case = usage.complete_usage_review(cms, case.id, case.version, findings)
    case = sales_steps.create_opportunity(
        cms, case.id, case.version, OpportunityIn(name="Acme", expected_close_on=date(2027, 1, 15))
    )
    return sales_steps.submit_placeholder(
        cms, case.id, case.version, PlaceholderIn(estimated_reduction_minor=120_00)
    )


def test_free_text_keeps_its_lines_and_refuses_escapes(admin: Context) -> None:
    """Case reasons, contact notes, call reasons, closing reasons: lines yes, NUL and ESC no."""
    acme = customer(admin)
    case = _at_the_goals_step(admin, acme)
    cms = admin.as_user("cms")
    logged = goals.log_contact(
        cms,
        case.id,
        ContactAttemptIn(
            channel=ActivityKind.EMAIL,
            contact_id=acme.contact_id,
            outcome="Replied",
            notes="One\r\nTwo",
        ),
    )
    with admin.database.read_session() as session:
        notes = session.scalars(select(Activity.notes).where(Activity.outcome == "Replied")).one()
    assert notes == "One\nTwo"
    call_at = admin.clock.now() + timedelta(days=1)
    opportunity_id, opportunity_version = logged.opportunity_id, logged.opportunity_version
    assert opportunity_id is not None
    assert opportunity_version is not None
    before = _counts(admin)
    for hostile in (NUL, ESCAPES):
        refusals = {
            "reason": _refusal(
                CaseIn, account_id=1, contract_id=1, reason=hostile, reduction_minor=1
            ),
            "notes": _refusal(
                ContactAttemptIn, channel=ActivityKind.CALL, outcome="x", notes=hostile
            ),
            "call": _refusal(goals.switch_to_call, cms, case.id, call_at, hostile),
            "task": _refusal(goals.ask_account_executive, cms, case.id, hostile, date(2026, 12, 1)),
            "close": _refusal(
                opportunities.close_opportunity,
                cms,
                opportunity_id,
                opportunity_version,
                CloseOutcome.LOST,
                hostile,
            ),
        }
        for what, sentence in refusals.items():
            assert "cannot contain control characters such as escape codes" in sentence, what
    assert "line breaks" in _refusal(
        goals.ask_account_executive, cms, case.id, "Call\nme", date(2026, 12, 1)
    )
    assert _counts(admin) == before


def test_an_approval_comment_refuses_escapes(admin: Context) -> None:
    """A rejection's comment is free text: NUL and escape codes are refused, nothing decided."""
    account = account_service.create_account(admin, AccountIn(name="Shop", segment_code="SMB"))
    request_id = factories.pending_quote_approval(
        admin, account.id, "Q-900001", submitter="cms", approver="leader"
    )
    approval_id = approval_inbox.request_view(admin, request_id).approvals[0].id
    leader = admin.as_user("leader")
    before = _counts(admin)
    for hostile in (NUL, ESCAPES):
        sentence = _refusal(
            approval_decisions.decide, leader, approval_id, Decision.REJECT, hostile
        )
        assert sentence == "The comment cannot contain control characters such as escape codes."
    assert _counts(admin) == before
