"""Approval rules, kept as data an admin changes: when each applies and who approves.

A rule has a condition on the record's facts (see ``conditions``) and names an approver at a
tier: a user, a role within the record's segment (the account's Segment Leader), or a group
needing any or all of its members. A new database starts with ``DEFAULT_RULES``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select

from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import ALL_SEGMENT_ROLES
from acctmgr.errors import InvalidInput
from acctmgr.models import (
    ApprovalGroup,
    ApprovalGroupMember,
    ApprovalRule,
    ApproverKind,
    GroupMode,
    Role,
    User,
)
from acctmgr.services.approvals.conditions import check_condition, fields_read
from acctmgr.services.approvals.record_kinds import kind_of
from acctmgr.services.kernel.counts import MAX_HOURS, at_most
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.sorting import Sort, orm_order
from acctmgr.services.kernel.text import single_line
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

RATE_REDUCTION_RULE = "Rate reductions need the account's Segment Leader"
OFF_CATALOGUE_RULE = "Items outside the catalogue need Customer Success"
ONSITE_RULE = "On-site support needs Customer Success to be consulted"
DISCOUNT_RULE = "Discounts above 30% need Finance"


class RuleIn(BaseModel):
    """A rule as an admin writes it; approvers are named by login, role or group name."""

    name: SingleLine = Field(min_length=1, max_length=200)
    record_type: RecordType
    condition: dict[str, Any]
    tier: int = Field(default=1, ge=1, le=9)
    approver_kind: ApproverKind
    approver_login: SingleLine | None = None
    approver_role: Role | None = None
    approver_group: SingleLine | None = None
    group_mode: GroupMode = GroupMode.ANY
    sla_hours: int | None = Field(default=None, ge=1)
    reminder_hours: int | None = Field(default=None, ge=1)
    smart: bool = False  # an approval carries over while the facts it read are unchanged
    escalate_to_login: SingleLine | None = None  # past the SLA, also to this user ...
    escalate_to_role: Role | None = None  # ... or to this role's holders in the segment
    escalate_hours: int | None = Field(default=None, ge=0)  # working hours past the SLA

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("sla_hours")
    @classmethod
    def _answer_within(cls, value: int | None) -> int | None:
        sentence = f"an approval is answered within {MAX_HOURS:,} hours (a year) at most"
        return None if value is None else at_most(value, MAX_HOURS, sentence)

    @field_validator("reminder_hours")
    @classmethod
    def _remind_after(cls, value: int | None) -> int | None:
        sentence = f"a reminder comes after {MAX_HOURS:,} hours (a year) at most"
        return None if value is None else at_most(value, MAX_HOURS, sentence)

    @field_validator("escalate_hours")
    @classmethod
    def _escalate_after(cls, value: int | None) -> int | None:
        sentence = f"an escalation comes {MAX_HOURS:,} hours (a year) past the SLA at most"
        return None if value is None else at_most(value, MAX_HOURS, sentence)


class RuleView(ReadModel):
    """A rule as the rules screen lists it."""

    id: int
    name: str
    record_type: RecordType
    condition: dict[str, Any]
    tier: int
    approver: str
    sla_hours: int | None
    reminder_hours: int | None
    active: bool
    version: int
    data: RuleIn  # the rule as an edit would start from


@use_case("approvals.add_rule")
def add_rule(uow: UnitOfWork, data: RuleIn) -> RuleView:
    """Add an approval rule; only an admin can. The condition is checked before it is saved."""
    require_role(uow.user, Role.ADMIN, to="change approval rules")
    return _rule_view(uow, _insert_rule(uow, data))


# The columns the rules list sorts by (``kernel.sorting``); "standing" is its first order:
# active rules first, by record type and tier.
RULE_SORTS: dict[str, tuple[Any, ...]] = {
    "standing": (ApprovalRule.active.is_(False), ApprovalRule.record_type, ApprovalRule.tier),
    "name": (func.lower(ApprovalRule.name),),
    "sla": (func.coalesce(ApprovalRule.sla_hours, 0),),
    "active": (ApprovalRule.active,),
}
STANDING = Sort("standing")


@use_case("approvals.rules", write=False)
def rules(uow: UnitOfWork, sort: Sort = STANDING) -> list[RuleView]:
    """Every approval rule, active ones first in tier order, or by the column ``sort`` names
    and then id (InvalidInput for a column not in RULE_SORTS)."""
    order = orm_order(RULE_SORTS, sort, STANDING, tie_breaker=ApprovalRule.id, what="rules list")
    found = uow.session.scalars(select(ApprovalRule).order_by(*order))
    return [_rule_view(uow, rule) for rule in found]


def install_default_rules(uow: UnitOfWork) -> None:
    """The rules a new database starts with (an admin may change them afterwards).

    Customer Success answers PO exceptions within 48 hours and is reminded at 24: items outside
    the service catalogue, and on-site support, which it must be consulted on before a PO goes
    out. Finance approves discounts above the threshold.
    """
    for rule in DEFAULT_RULES:
        _insert_rule(uow, rule)


DEFAULT_RULES = (
    RuleIn(
        name=RATE_REDUCTION_RULE,
        record_type=RecordType.QUOTE,
        condition={"field": "opportunity_kind", "op": "==", "value": "rate_reduction"},
        approver_kind=ApproverKind.ROLE_IN_SEGMENT,
        approver_role=Role.SEGMENT_LEADER,
        sla_hours=48,
        reminder_hours=24,
    ),
    RuleIn(
        name=OFF_CATALOGUE_RULE,
        record_type=RecordType.QUOTE,
        condition={"field": "off_catalogue", "op": "==", "value": True},
        approver_kind=ApproverKind.ROLE_IN_SEGMENT,
        approver_role=Role.CUSTOMER_SUCCESS,
        sla_hours=48,
        reminder_hours=24,
    ),
    RuleIn(
        name=ONSITE_RULE,
        record_type=RecordType.QUOTE,
        condition={"field": "onsite_support", "op": "==", "value": True},
        approver_kind=ApproverKind.ROLE_IN_SEGMENT,
        approver_role=Role.CUSTOMER_SUCCESS,
        sla_hours=48,
        reminder_hours=24,
    ),
    RuleIn(
        name=DISCOUNT_RULE,
        record_type=RecordType.QUOTE,
        condition={"field": "discount_pct", "op": ">", "value": "30"},
        approver_kind=ApproverKind.ROLE_IN_SEGMENT,
        approver_role=Role.FINANCE,
        sla_hours=48,
        reminder_hours=24,
    ),
)


def _insert_rule(uow: UnitOfWork, data: RuleIn) -> ApprovalRule:
    rule = ApprovalRule(active=True)
    _apply_rule(uow, rule, data)
    return uow.add(rule)


def _apply_rule(uow: UnitOfWork, rule: ApprovalRule, data: RuleIn) -> None:
    check_condition(data.condition)
    _refuse_a_taken_name(uow, rule, data.name)
    rule.name = data.name
    rule.record_type = data.record_type
    rule.condition = data.condition
    rule.tier = data.tier
    rule.approver_kind = data.approver_kind
    rule.group_mode = data.group_mode
    rule.sla_hours = data.sla_hours
    rule.reminder_hours = data.reminder_hours
    rule.smart = data.smart
    if data.smart:
        _check_smart(data)
    _apply_escalation(uow, rule, data)
    rule.approver_user_id = rule.approver_role = rule.approver_group_id = None
    if data.approver_kind is ApproverKind.USER:
        if not data.approver_login:
            raise InvalidInput("Name the user who approves.", field="approver_login")
        user = uow.session.scalar(select(User).where(User.login == data.approver_login))
        if user is None:
            raise InvalidInput(f"There is no user {data.approver_login!r}.", field="approver_login")
        rule.approver_user_id = user.id
    elif data.approver_kind is ApproverKind.ROLE_IN_SEGMENT:
        if data.approver_role is None:
            raise InvalidInput("Name the role that approves.", field="approver_role")
        rule.approver_role = data.approver_role
    else:
        group = uow.session.scalar(
            select(ApprovalGroup).where(ApprovalGroup.name == data.approver_group)
        )
        if group is None:
            raise InvalidInput(
                f"There is no group {data.approver_group!r}.", field="approver_group"
            )
        rule.approver_group_id = group.id


def _check_smart(data: RuleIn) -> None:
    """A smart rule carries over while the facts it reads are unchanged: it must read one."""
    facts = set(kind_of(data.record_type).facts)
    if not facts.intersection(fields_read(data.condition)):
        raise InvalidInput(
            f"A smart rule carries an approval over while the facts its condition reads are "
            f"unchanged, and this condition reads none of a {data.record_type.label}'s facts.",
            field="smart",
        )


def _apply_escalation(uow: UnitOfWork, rule: ApprovalRule, data: RuleIn) -> None:
    """Whom an approval escalates to past its SLA: one active user, or one role, or nobody."""
    rule.escalate_to_user_id = None
    rule.escalate_to_role = data.escalate_to_role
    rule.escalate_hours = data.escalate_hours
    if data.escalate_to_login is None and data.escalate_to_role is None:
        if data.escalate_hours is not None:
            raise InvalidInput("Name whom the approval escalates to.", field="escalate_to")
        return
    if data.escalate_to_login and data.escalate_to_role:
        raise InvalidInput("Escalate to one user or to one role, not both.", field="escalate_to")
    if data.sla_hours is None:
        raise InvalidInput(
            "An approval escalates once its SLA passes; give the rule an SLA first.",
            field="sla_hours",
        )
    if data.escalate_to_login:
        user = uow.session.scalar(select(User).where(User.login == data.escalate_to_login))
        if user is None:
            raise InvalidInput(f"There is no user {data.escalate_to_login!r}.", field="escalate_to")
        if not user.active:
            raise InvalidInput(
                f"{user.name} is deactivated and cannot approve; escalate to someone active.",
                field="escalate_to",
            )
        rule.escalate_to_user_id = user.id


def _refuse_a_taken_name(uow: UnitOfWork, rule: ApprovalRule, name: str) -> None:
    """Two rules of one name could not be told apart on a request; case does not count."""
    wanted = name.casefold()
    # Rules are a handful, and casefold is Unicode-aware where SQLite's lower() is not.
    for other_id, other_name in uow.session.execute(select(ApprovalRule.id, ApprovalRule.name)):
        if other_id != rule.id and other_name.casefold() == wanted:
            raise InvalidInput(
                f'There is already a rule called "{other_name}"; give this one another name.',
                field="name",
            )


@use_case("approvals.update_rule")
def update_rule(
    uow: UnitOfWork, rule_id: int, expected_version: int, data: RuleIn, *, active: bool = True
) -> RuleView:
    """Change a rule (its threshold, approver or SLA) or switch it off; only an admin can.

    Requests already submitted keep the approvals they were routed to; the change applies to
    what is submitted from now on.
    """
    require_role(uow.user, Role.ADMIN, to="change approval rules")
    rule = uow.get(ApprovalRule, rule_id, "approval rule")
    uow.expect_version(rule, expected_version, "approval rule")
    _apply_rule(uow, rule, data)
    rule.active = active
    uow.session.flush()
    return _rule_view(uow, rule)


@use_case("approvals.add_group")
def add_group(uow: UnitOfWork, name: str, member_logins: list[str]) -> int:
    """An approval group of users; only an admin can add one. Returns its id."""
    require_role(uow.user, Role.ADMIN, to="change approval groups")
    name = single_line(name, what="group name", field="name")
    users = uow.session.scalars(select(User).where(User.login.in_(member_logins))).all()
    missing = set(member_logins) - {user.login for user in users}
    if missing:
        raise InvalidInput(f"There is no user {sorted(missing)[0]!r}.", field="members")
    group = uow.add(ApprovalGroup(name=name.strip()))
    for user in users:
        uow.session.add(ApprovalGroupMember(group_id=group.id, user_id=user.id))
    uow.session.flush()
    return group.id


def _rule_view(uow: UnitOfWork, rule: ApprovalRule) -> RuleView:
    return RuleView(
        id=rule.id,
        name=rule.name,
        record_type=rule.record_type,
        condition=rule.condition,
        tier=rule.tier,
        approver=approver_label(uow, rule),
        sla_hours=rule.sla_hours,
        reminder_hours=rule.reminder_hours,
        active=rule.active,
        version=rule.version,
        data=RuleIn(
            name=rule.name,
            record_type=rule.record_type,
            condition=rule.condition,
            tier=rule.tier,
            approver_kind=rule.approver_kind,
            approver_login=_login(uow, rule.approver_user_id),
            approver_role=rule.approver_role,
            approver_group=_group_name(uow, rule.approver_group_id),
            group_mode=rule.group_mode,
            sla_hours=rule.sla_hours,
            reminder_hours=rule.reminder_hours,
            smart=rule.smart,
            escalate_to_login=_login(uow, rule.escalate_to_user_id),
            escalate_to_role=rule.escalate_to_role,
            escalate_hours=rule.escalate_hours,
        ),
    )


def _login(uow: UnitOfWork, user_id: int | None) -> str | None:
    user = uow.session.get(User, user_id) if user_id else None
    return user.login if user else None


def _group_name(uow: UnitOfWork, group_id: int | None) -> str | None:
    group = uow.session.get(ApprovalGroup, group_id) if group_id else None
    return group.name if group else None


def approver_label(uow: UnitOfWork, rule: ApprovalRule) -> str:
    """Who approves under ``rule``, as the rules screen and the preview say it."""
    if rule.approver_kind is ApproverKind.USER and rule.approver_user_id:
        user = uow.session.get(User, rule.approver_user_id)
        if user is None:
            return "a removed user"
        return user.name if user.active else f"{user.name} (deactivated)"
    if rule.approver_kind is ApproverKind.ROLE_IN_SEGMENT and rule.approver_role:
        if rule.approver_role in ALL_SEGMENT_ROLES:
            return rule.approver_role.label
        return f"the segment's {rule.approver_role.label}"
    group = (
        uow.session.get(ApprovalGroup, rule.approver_group_id) if rule.approver_group_id else None
    )
    mode = "all of" if rule.group_mode is GroupMode.ALL else "any of"
    return f"{mode} {group.name if group else 'a removed group'}"
