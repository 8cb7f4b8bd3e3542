"""The approval rules list sorts by name, SLA or whether a rule is on, in SQL, and refuses
other names."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, update

from acctmgr.errors import InvalidInput
from acctmgr.models import ApprovalRule
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rules import RuleView
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.sorting import Sort

# The shipped rules, given these SLAs and switched on or off, in the order they were made.
SLAS = (48, 12, None, 24)
ACTIVE = (True, False, True, True)
KEYS: dict[str, Callable[[RuleView], object]] = {
    "name": lambda rule: rule.name.lower(),
    "sla": lambda rule: rule.sla_hours or 0,
    "active": lambda rule: rule.active,
}


@pytest.fixture
def varied(admin: Context) -> Context:
    with admin.database.write_session() as session:
        ids = session.scalars(select(ApprovalRule.id).order_by(ApprovalRule.id)).all()
        assert len(ids) == len(SLAS)
        for rule_id, sla, active in zip(ids, SLAS, ACTIVE, strict=True):
            session.execute(
                update(ApprovalRule)
                .where(ApprovalRule.id == rule_id)
                .values(sla_hours=sla, active=active)
            )
        session.commit()
    return admin


@pytest.mark.parametrize("column", sorted(KEYS))
def test_each_column_sorts_the_rules_and_again_reverses_them(varied: Context, column: str) -> None:
    """Sorted by a column, the rules come in its order (then id), and descending reversed."""
    assert set(KEYS) | {"standing"} == set(approval_rules.RULE_SORTS)
    standing = [rule.id for rule in approval_rules.rules(varied)]
    found = approval_rules.rules(varied, Sort(column))

    def key(rule: RuleView) -> tuple[object, int]:
        return KEYS[column](rule), rule.id

    assert [rule.id for rule in found] == [rule.id for rule in sorted(found, key=key)]
    assert [rule.id for rule in found] != standing
    reversed_ = approval_rules.rules(varied, Sort(column, descending=True))
    assert [rule.id for rule in reversed_] == [rule.id for rule in found][::-1]


def test_a_column_the_rules_list_does_not_offer_is_refused(admin: Context) -> None:
    """A sort by anything but the list's columns is refused with a sentence naming them."""
    with pytest.raises(InvalidInput, match="sorts by standing, name, sla, active"):
        approval_rules.rules(admin, Sort("condition"))
