"""The approvals engine: rules kept as data, requests bound to a record's version, an inbox.

A rule has a condition on the record's facts (``{"field": "discount_pct", "op": ">", "value":
"20"}``, combined with ``all``/``any``/``not``) and names an approver at a tier: a user, a role
within the record's segment (the account's Segment Leader), or a group needing any or all of
its members. Submitting a record evaluates every active rule of its type; tiers then run in
order and the approvals within a tier in parallel. Anyone may reject, with a comment.

The records themselves (quotes today; offers and purchase-order exceptions next) plug in as a
``RecordKind``: how to read their facts, owner and segment, how to lock them while they wait,
and what approval or rejection does to them. The engine never lets anyone approve a request
they submitted or a record they own, and a request is bound to the exact version of the record
it was submitted with: the record is locked while it waits, and editing it afterwards returns
it to draft and makes the request stale.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import or_, select

from acctmgr.domain.roles import ALL_SEGMENT_ROLES
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import (
    Approval,
    ApprovalDecision,
    ApprovalGroup,
    ApprovalGroupMember,
    ApprovalRequest,
    ApprovalRequestStatus,
    ApprovalRule,
    ApprovalStatus,
    ApproverKind,
    Decision,
    GroupMode,
    Role,
    User,
    UserRole,
)
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda actual, expected: actual == expected,
    "!=": lambda actual, expected: actual != expected,
    ">": lambda actual, expected: actual > expected,
    ">=": lambda actual, expected: actual >= expected,
    "<": lambda actual, expected: actual < expected,
    "<=": lambda actual, expected: actual <= expected,
    "in": lambda actual, expected: actual in expected,
    "contains": lambda actual, expected: expected in actual,
}
OPEN_APPROVAL = (ApprovalStatus.WAITING, ApprovalStatus.PENDING)
RATE_REDUCTION_RULE = "Rate reductions need the account's Segment Leader"
OFF_CATALOGUE_RULE = "Items outside the catalogue need Customer Success"
ONSITE_RULE = "On-site support needs Customer Success to be consulted"
DISCOUNT_RULE = "Discounts above 30% need Finance"


# --- records that can be approved -------------------------------------------------------------


@dataclass(frozen=True)
class Approvable:
    """What the engine needs to know about a record to route and check its approvals."""

    record_type: str
    record_id: int
    version: int
    label: str  # "quote Q-000123 for Acme Ltd", for the inbox and sentences
    owner_id: int | None
    segment_id: int | None
    account_id: int | None
    facts: dict[str, Any]  # the values rule conditions look at


class RecordKind(Protocol):
    """A type of record the engine approves; see ``services.quotes`` for the quote."""

    record_type: str

    def load(self, uow: UnitOfWork, record_id: int) -> Approvable: ...

    def lock(self, uow: UnitOfWork, record_id: int) -> None:
        """The record was submitted: lock it against edits while it waits."""

    def decided(
        self, uow: UnitOfWork, record_id: int, status: ApprovalRequestStatus, comment: str
    ) -> None:
        """The request ended (approved, rejected or recalled): update the record."""


KINDS: dict[str, RecordKind] = {}
# The modules that register each record type, imported on first use: the engine serves them
# without depending on them (they depend on it).
KIND_MODULES = {"quote": "acctmgr.services.sales.quotes"}


def register(kind: RecordKind) -> None:
    """Make a record type approvable; its module calls this when imported."""
    KINDS[kind.record_type] = kind


def record_of(uow: UnitOfWork, record_type: str, record_id: int) -> Approvable:
    """The approvable view of a record (its label, owner, segment and facts)."""
    return _kind(record_type).load(uow, record_id)


def group_members(uow: UnitOfWork, group_id: int) -> list[int]:
    """The active members of an approval group."""
    return _group_members(uow, group_id, None, 0)


def _kind(record_type: str) -> RecordKind:
    if record_type not in KINDS and record_type in KIND_MODULES:
        importlib.import_module(KIND_MODULES[record_type])
    try:
        return KINDS[record_type]
    except KeyError:
        raise InvalidInput(f"Records of type {record_type!r} cannot be approved.") from None


# --- conditions -------------------------------------------------------------------------------


def matches(condition: dict[str, Any], facts: dict[str, Any]) -> bool:
    """Whether a rule's condition holds for these facts; a missing fact never matches."""
    if "all" in condition:
        return all(matches(part, facts) for part in condition["all"])
    if "any" in condition:
        return any(matches(part, facts) for part in condition["any"])
    if "not" in condition:
        return not matches(condition["not"], facts)
    actual = facts.get(condition["field"])
    if actual is None:
        return False
    expected = condition["value"]
    if isinstance(expected, list):
        expected = [_comparable(item) for item in expected]
    else:
        expected = _comparable(expected)
    try:
        return OPERATORS[condition["op"]](_comparable(actual), expected)
    except TypeError:  # comparing a number with text: the condition does not apply
        return False


def check_condition(condition: Any) -> None:
    """Raise InvalidInput unless ``condition`` is a well-formed rule condition."""
    if not isinstance(condition, dict):
        raise InvalidInput("A rule's condition must be an object.", field="condition")
    for combinator in ("all", "any"):
        if combinator in condition:
            parts = condition[combinator]
            if not isinstance(parts, list) or not parts:
                raise InvalidInput(f"'{combinator}' needs a list of conditions.", field="condition")
            for part in parts:
                check_condition(part)
            return
    if "not" in condition:
        check_condition(condition["not"])
        return
    if not isinstance(condition.get("field"), str) or "value" not in condition:
        raise InvalidInput("A condition names a field, an op and a value.", field="condition")
    if condition.get("op") not in OPERATORS:
        names = ", ".join(OPERATORS)
        raise InvalidInput(f"A condition's op is one of {names}.", field="condition")


def _comparable(value: Any) -> Any:
    """Numbers (stored as text in JSON to keep them exact) compare as Decimal."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


# --- rules ------------------------------------------------------------------------------------


class RuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    record_type: str = Field(min_length=1, max_length=40)
    condition: dict[str, Any]
    tier: int = Field(default=1, ge=1, le=9)
    approver_kind: ApproverKind
    approver_login: str | None = None
    approver_role: Role | None = None
    approver_group: str | None = None
    group_mode: GroupMode = GroupMode.ANY
    sla_hours: int | None = Field(default=None, ge=1)
    reminder_hours: int | None = Field(default=None, ge=1)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class RuleView(ReadModel):
    id: int
    name: str
    record_type: str
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


@use_case("approvals.rules", write=False)
def rules(uow: UnitOfWork) -> list[RuleView]:
    """Every approval rule, active ones first, in tier order."""
    found = uow.session.scalars(
        select(ApprovalRule).order_by(
            ApprovalRule.active.desc(), ApprovalRule.record_type, ApprovalRule.tier
        )
    )
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
        record_type="quote",
        condition={"field": "opportunity_kind", "op": "==", "value": "rate_reduction"},
        approver_kind=ApproverKind.ROLE_IN_SEGMENT,
        approver_role=Role.SEGMENT_LEADER,
        sla_hours=48,
        reminder_hours=24,
    ),
    RuleIn(
        name=OFF_CATALOGUE_RULE,
        record_type="quote",
        condition={"field": "off_catalogue", "op": "==", "value": True},
        approver_kind=ApproverKind.ROLE_IN_SEGMENT,
        approver_role=Role.CUSTOMER_SUCCESS,
        sla_hours=48,
        reminder_hours=24,
    ),
    RuleIn(
        name=ONSITE_RULE,
        record_type="quote",
        condition={"field": "onsite_support", "op": "==", "value": True},
        approver_kind=ApproverKind.ROLE_IN_SEGMENT,
        approver_role=Role.CUSTOMER_SUCCESS,
        sla_hours=48,
        reminder_hours=24,
    ),
    RuleIn(
        name=DISCOUNT_RULE,
        record_type="quote",
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
    rule.name = data.name
    rule.record_type = data.record_type
    rule.condition = data.condition
    rule.tier = data.tier
    rule.approver_kind = data.approver_kind
    rule.group_mode = data.group_mode
    rule.sla_hours = data.sla_hours
    rule.reminder_hours = data.reminder_hours
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
        approver=_approver_label(uow, rule),
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
        ),
    )


def _login(uow: UnitOfWork, user_id: int | None) -> str | None:
    user = uow.session.get(User, user_id) if user_id else None
    return user.login if user else None


def _group_name(uow: UnitOfWork, group_id: int | None) -> str | None:
    group = uow.session.get(ApprovalGroup, group_id) if group_id else None
    return group.name if group else None


def _approver_label(uow: UnitOfWork, rule: ApprovalRule) -> str:
    if rule.approver_kind is ApproverKind.USER and rule.approver_user_id:
        user = uow.session.get(User, rule.approver_user_id)
        return user.name if user else "a removed user"
    if rule.approver_kind is ApproverKind.ROLE_IN_SEGMENT and rule.approver_role:
        if rule.approver_role in ALL_SEGMENT_ROLES:
            return rule.approver_role.label
        return f"the segment's {rule.approver_role.label}"
    group = (
        uow.session.get(ApprovalGroup, rule.approver_group_id) if rule.approver_group_id else None
    )
    mode = "all of" if rule.group_mode is GroupMode.ALL else "any of"
    return f"{mode} {group.name if group else 'a removed group'}"


# --- who must approve -------------------------------------------------------------------------


class RequiredApproval(ReadModel):
    """One line of the approvals preview: a rule that matches, and who would decide."""

    rule: str
    tier: int
    approver: str  # "the segment's Segment Leader", "any of Finance"
    names: list[str]  # the people that resolves to, for this record
    blocked: str = ""  # why nobody can approve it (then the record cannot be submitted)


@dataclass(frozen=True)
class _Route:
    rule: ApprovalRule
    approver_ids: tuple[int, ...]  # users (role holders, or the one user)
    group_id: int | None


def required_approvals(
    uow: UnitOfWork, record: Approvable, submitter_id: int
) -> list[RequiredApproval]:
    """The approvals this record would need if submitted now by ``submitter_id``."""
    found = []
    for route in _routes(uow, record, submitter_id):
        names = _names(uow, route.approver_ids) if route.approver_ids else []
        if route.group_id is not None:
            names = _names(uow, _group_members(uow, route.group_id, record, submitter_id))
        found.append(
            RequiredApproval(
                rule=route.rule.name,
                tier=route.rule.tier,
                approver=_approver_label(uow, route.rule),
                names=names,
                blocked="" if names else _nobody(uow, route.rule),
            )
        )
    return found


def _routes(uow: UnitOfWork, record: Approvable, submitter_id: int) -> list[_Route]:
    candidates = uow.session.scalars(
        select(ApprovalRule)
        .where(ApprovalRule.record_type == record.record_type, ApprovalRule.active.is_(True))
        .order_by(ApprovalRule.tier, ApprovalRule.id)
    )
    excluded = {submitter_id, record.owner_id}
    routes = []
    for rule in candidates:
        if not matches(rule.condition, record.facts):
            continue
        if rule.approver_kind is ApproverKind.GROUP:
            routes.append(_Route(rule, (), rule.approver_group_id))
            continue
        if rule.approver_kind is ApproverKind.USER:
            ids: Iterable[int] = [rule.approver_user_id] if rule.approver_user_id else []
        else:
            ids = _role_holders(uow, rule.approver_role, record.segment_id)
        routes.append(_Route(rule, tuple(i for i in ids if i not in excluded), None))
    return routes


def _role_holders(uow: UnitOfWork, role: Role | None, segment_id: int | None) -> list[int]:
    """Who holds ``role`` for a record in this segment; roles serving every segment ignore it."""
    query = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.active.is_(True))
        .order_by(User.id)
    )
    if role not in ALL_SEGMENT_ROLES:
        query = query.where(User.segment_id == segment_id)
    return list(uow.session.scalars(query))


def _group_members(
    uow: UnitOfWork, group_id: int, record: Approvable | None, submitter_id: int
) -> list[int]:
    excluded = {submitter_id, record.owner_id if record else None}
    members = uow.session.scalars(
        select(ApprovalGroupMember.user_id)
        .join(User, User.id == ApprovalGroupMember.user_id)
        .where(ApprovalGroupMember.group_id == group_id, User.active.is_(True))
        .order_by(ApprovalGroupMember.user_id)
    )
    return [member for member in members if member not in excluded]


def _names(uow: UnitOfWork, ids: Iterable[int]) -> list[str]:
    wanted = list(ids)
    if not wanted:
        return []
    names = dict(uow.session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())
    return [names[user_id] for user_id in wanted if user_id in names]


def _nobody(uow: UnitOfWork, rule: ApprovalRule) -> str:
    return (
        f"Nobody but you can give the approval '{rule.name}' "
        f"({_approver_label(uow, rule)}); ask an admin to name an approver."
    )


# --- the life of a request --------------------------------------------------------------------


class SubmitResult(ReadModel):
    request_id: int  # with no rule to apply: a request approved at once, with no approvals
    status: ApprovalRequestStatus
    approvers: list[str]  # who decides first


def submit(uow: UnitOfWork, record_type: str, record_id: int) -> SubmitResult:
    """Submit a record for approval; called inside the use case that owns the record.

    Locks the record and binds the request to its version after locking. When no rule applies,
    the record is approved at once and no request is made. Raises InvalidInput when a rule
    matches but nobody other than the submitter or owner could approve it, or when the record
    already waits for a decision.
    """
    kind = _kind(record_type)
    actor = uow.user
    if open_request(uow, record_type, record_id) is not None:
        raise InvalidInput("This record is already waiting for approval.")
    record = kind.load(uow, record_id)
    routes = _routes(uow, record, actor.id)
    for route in routes:
        if not route.approver_ids and not (
            route.group_id and _group_members(uow, route.group_id, record, actor.id)
        ):
            raise InvalidInput(_nobody(uow, route.rule))
    if not routes:
        # Kept as a request with no approvals, so the latest request always says whether the
        # record as it stands is approved, even after an earlier rejection.
        request = uow.add(
            ApprovalRequest(
                record_type=record_type,
                record_id=record_id,
                record_version=record.version,
                segment_id=record.segment_id,
                submitted_by_id=actor.id,
                status=ApprovalRequestStatus.APPROVED,
                current_tier=1,
                submitted_at=uow.now,
                decided_at=uow.now,
                snapshot={key: _jsonable(value) for key, value in record.facts.items()},
            )
        )
        kind.decided(uow, record_id, ApprovalRequestStatus.APPROVED, "")
        uow.session.flush()
        audit.record(uow, record_type, record_id, "approved_without_rules", {})
        return SubmitResult(
            request_id=request.id, status=ApprovalRequestStatus.APPROVED, approvers=[]
        )
    kind.lock(uow, record_id)
    uow.session.flush()
    locked = kind.load(uow, record_id)
    request = ApprovalRequest(
        record_type=record_type,
        record_id=record_id,
        record_version=locked.version,
        segment_id=record.segment_id,
        submitted_by_id=actor.id,
        status=ApprovalRequestStatus.PENDING,
        current_tier=min(route.rule.tier for route in routes),
        submitted_at=uow.now,
        snapshot={key: _jsonable(value) for key, value in record.facts.items()},
    )
    for route in routes:
        # A group is one approval its members share; role holders get one each (any decides).
        approvers: tuple[int | None, ...] = (
            route.approver_ids if route.group_id is None else (None,)
        )
        for approver in approvers:
            request.approvals.append(
                Approval(
                    rule_id=route.rule.id,
                    tier=route.rule.tier,
                    approver_id=approver,
                    approver_group_id=route.group_id,
                    group_mode=route.rule.group_mode,
                    status=ApprovalStatus.WAITING,
                )
            )
    uow.add(request)
    _start_tier(uow, request)
    audit.record(uow, record_type, record_id, "submitted_for_approval", {"request_id": request.id})
    return SubmitResult(
        request_id=request.id,
        status=request.status,
        approvers=_current_approvers(uow, request),
    )


def _start_tier(uow: UnitOfWork, request: ApprovalRequest) -> None:
    """Open the approvals of the request's current tier, with their SLA clocks."""
    for approval in request.approvals:
        if approval.tier == request.current_tier and approval.status is ApprovalStatus.WAITING:
            rule = uow.session.get(ApprovalRule, approval.rule_id) if approval.rule_id else None
            approval.status = ApprovalStatus.PENDING
            if rule and rule.sla_hours:
                approval.due_at = uow.now + timedelta(hours=rule.sla_hours)
            if rule and rule.reminder_hours:
                approval.remind_at = uow.now + timedelta(hours=rule.reminder_hours)
    uow.session.flush()


def _current_approvers(uow: UnitOfWork, request: ApprovalRequest) -> list[str]:
    ids: list[int] = []
    groups: list[str] = []
    for approval in request.approvals:
        if approval.status is not ApprovalStatus.PENDING:
            continue
        if approval.approver_id is not None:
            ids.append(approval.approver_id)
        elif approval.approver_group_id is not None:
            group = uow.session.get(ApprovalGroup, approval.approver_group_id)
            groups.append(group.name if group else "a group")
    return _names(uow, ids) + groups


@use_case("approvals.decide")
def decide(uow: UnitOfWork, approval_id: int, decision: Decision, comment: str = "") -> str:
    """Approve or reject one approval of a request; returns the request's status afterwards.

    Only the approver (a member, for a group) may decide; never the submitter or the record's
    owner; a Segment Leader approval needs the role in the record's segment at the moment of
    deciding. A rejection needs a comment and ends the request. Nobody decides twice, nor on a
    recalled, stale or already decided request, nor on a record changed since it was submitted.
    """
    approval = uow.get(Approval, approval_id, "approval")
    request = approval.request
    actor = uow.user
    comment = comment.strip()
    _check_may_decide(uow, actor, approval, request)
    if decision is Decision.REJECT and not comment:
        raise InvalidInput(
            "Say why you reject it; the comment goes back to the submitter.", field="comment"
        )
    uow.session.add(
        ApprovalDecision(
            approval_id=approval.id,
            user_id=actor.id,
            decision=decision,
            comment=comment,
            decided_at=uow.now,
        )
    )
    uow.session.flush()
    audit.record(
        uow,
        request.record_type,
        request.record_id,
        f"approval_{decision.value}",
        {"request_id": request.id, "approval_id": approval.id, "comment": comment},
    )
    if decision is Decision.REJECT:
        _finish_approval(uow, approval, ApprovalStatus.REJECTED, actor, comment)
        _end_request(uow, request, ApprovalRequestStatus.REJECTED, comment)
        return request.status.value
    if _group_needs_more(uow, approval, request):
        uow.session.flush()
        return request.status.value
    _finish_approval(uow, approval, ApprovalStatus.APPROVED, actor, comment)
    # Role holders for one rule share it: the first to approve decides for the rule.
    for sibling in request.approvals:
        if (
            sibling is not approval
            and sibling.rule_id == approval.rule_id
            and sibling.tier == approval.tier
            and sibling.status is ApprovalStatus.PENDING
        ):
            sibling.status = ApprovalStatus.SKIPPED
    if any(
        item.status is ApprovalStatus.PENDING
        for item in request.approvals
        if item.tier == request.current_tier
    ):
        uow.session.flush()
        return request.status.value
    later = sorted({a.tier for a in request.approvals if a.status is ApprovalStatus.WAITING})
    if later:
        request.current_tier = later[0]
        _start_tier(uow, request)
        return request.status.value
    _end_request(uow, request, ApprovalRequestStatus.APPROVED, comment)
    return request.status.value


def _check_may_decide(
    uow: UnitOfWork, actor: Actor, approval: Approval, request: ApprovalRequest
) -> None:
    record = _kind(request.record_type).load(uow, request.record_id)
    if request.status is ApprovalRequestStatus.RECALLED:
        raise InvalidInput(
            "This request was recalled by its submitter; there is nothing to decide."
        )
    if request.status is ApprovalRequestStatus.STALE:
        raise InvalidInput(
            f"The {record.label} changed after it was submitted; this request no longer applies."
        )
    if request.status is not ApprovalRequestStatus.PENDING:
        raise InvalidInput(f"This request was already {request.status.value}.")
    if actor.id == request.submitted_by_id:
        raise PermissionDenied("You submitted this request; someone else must decide it.")
    if actor.id == record.owner_id:
        raise PermissionDenied(f"You own the {record.label}; someone else must approve it.")
    if not _is_approver(uow, actor, approval, record):
        raise PermissionDenied(
            "This approval is in someone else's inbox; only its approver can decide it."
        )
    if approval.status is ApprovalStatus.WAITING:
        raise InvalidInput(
            "This approval's tier has not started yet; the tier before it decides first."
        )
    if approval.status is not ApprovalStatus.PENDING or any(
        vote.user_id == actor.id for vote in approval.decisions
    ):
        raise InvalidInput("You have already decided this approval.")
    if record.version != request.record_version:
        raise Conflict(
            f"The {record.label} changed after it was submitted; it must be submitted again."
        )


def _is_approver(uow: UnitOfWork, actor: Actor, approval: Approval, record: Approvable) -> bool:
    if approval.approver_group_id is not None:
        return actor.id in _group_members(
            uow, approval.approver_group_id, record, approval.request.submitted_by_id
        )
    if approval.approver_id != actor.id:
        return False
    rule = uow.session.get(ApprovalRule, approval.rule_id) if approval.rule_id else None
    if rule is not None and rule.approver_kind is ApproverKind.ROLE_IN_SEGMENT:
        # The role is checked as it is now: a leader who moved segment cannot approve.
        return bool(
            rule.approver_role
            and actor.has(rule.approver_role)
            and (rule.approver_role in ALL_SEGMENT_ROLES or actor.segment_id == record.segment_id)
        )
    return True


def _group_needs_more(uow: UnitOfWork, approval: Approval, request: ApprovalRequest) -> bool:
    """An all-members group approves only when every eligible member has approved."""
    if approval.approver_group_id is None or approval.group_mode is not GroupMode.ALL:
        return False
    record = _kind(request.record_type).load(uow, request.record_id)
    members = set(_group_members(uow, approval.approver_group_id, record, request.submitted_by_id))
    uow.session.flush()
    voted = set(
        uow.session.scalars(
            select(ApprovalDecision.user_id).where(
                ApprovalDecision.approval_id == approval.id,
                ApprovalDecision.decision == Decision.APPROVE,
            )
        )
    )
    return not members <= voted


def _finish_approval(
    uow: UnitOfWork, approval: Approval, status: ApprovalStatus, actor: Actor, comment: str
) -> None:
    approval.status = status
    approval.decided_by_id = actor.id
    approval.decided_at = uow.now
    approval.comment = comment


def _end_request(
    uow: UnitOfWork, request: ApprovalRequest, status: ApprovalRequestStatus, comment: str
) -> None:
    request.status = status
    request.decided_at = uow.now
    for approval in request.approvals:
        if approval.status in OPEN_APPROVAL:
            approval.status = ApprovalStatus.SKIPPED
    uow.session.flush()
    _kind(request.record_type).decided(uow, request.record_id, status, comment)
    uow.session.flush()


@use_case("approvals.recall")
def recall(uow: UnitOfWork, request_id: int) -> None:
    """The submitter takes a waiting request back; the record returns to draft."""
    request = uow.get(ApprovalRequest, request_id, "approval request")
    if request.submitted_by_id != uow.user.id:
        raise PermissionDenied("Only the person who submitted a request can recall it.")
    if request.status is not ApprovalRequestStatus.PENDING:
        raise InvalidInput(
            f"This request was already {request.status.value}; it cannot be recalled."
        )
    recall_request(uow, request)


def recall_request(uow: UnitOfWork, request: ApprovalRequest) -> None:
    """End a waiting request as recalled (its submitter, or the record being closed)."""
    _end_request(uow, request, ApprovalRequestStatus.RECALLED, "")
    audit.record(
        uow, request.record_type, request.record_id, "recalled", {"request_id": request.id}
    )


def open_request(uow: UnitOfWork, record_type: str, record_id: int) -> ApprovalRequest | None:
    """The request this record is waiting on, if any."""
    return uow.session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.record_type == record_type,
            ApprovalRequest.record_id == record_id,
            ApprovalRequest.status == ApprovalRequestStatus.PENDING,
        )
    )


def invalidate(uow: UnitOfWork, record_type: str, record_id: int) -> None:
    """The record was edited after approval: its approved request no longer applies."""
    for request in uow.session.scalars(
        select(ApprovalRequest).where(
            ApprovalRequest.record_type == record_type,
            ApprovalRequest.record_id == record_id,
            ApprovalRequest.status == ApprovalRequestStatus.APPROVED,
        )
    ):
        request.status = ApprovalRequestStatus.STALE
    uow.session.flush()


def is_approved(uow: UnitOfWork, record_type: str, record_id: int, version: int) -> bool:
    """Whether an approved request covers the record as it is (no rule applied also counts)."""
    latest = uow.session.scalar(
        select(ApprovalRequest)
        .where(ApprovalRequest.record_type == record_type, ApprovalRequest.record_id == record_id)
        .order_by(ApprovalRequest.id.desc())
        .limit(1)
    )
    if latest is None:
        return True
    # Approval moves the record from its locked version to approved: exactly one save later.
    return latest.status is ApprovalRequestStatus.APPROVED and version == latest.record_version + 1


# --- the inbox --------------------------------------------------------------------------------


class ApprovalView(ReadModel):
    id: int
    tier: int
    rule: str
    approver: str
    status: ApprovalStatus
    decided_by: str | None
    decided_at: datetime | None
    comment: str
    due_at: datetime | None


class RequestView(ReadModel):
    id: int
    record_type: str
    record_id: int
    record_label: str
    account_id: int | None
    status: ApprovalRequestStatus
    submitted_by: str
    submitted_at: datetime
    current_tier: int
    facts: dict[str, Any]
    approvals: list[ApprovalView]
    mine: int | None  # the approval the signed-in user may decide now
    can_recall: bool


class InboxItem(ReadModel):
    approval_id: int
    request_id: int
    record_label: str
    account_id: int | None
    submitted_by: str
    submitted_at: datetime
    due_at: datetime | None
    overdue: bool


@use_case("approvals.inbox", write=False)
def inbox(uow: UnitOfWork) -> list[InboxItem]:
    """The approvals waiting for the signed-in user, soonest due first."""
    actor = uow.user
    groups = select(ApprovalGroupMember.group_id).where(ApprovalGroupMember.user_id == actor.id)
    rows = uow.session.scalars(
        select(Approval)
        .join(ApprovalRequest, ApprovalRequest.id == Approval.request_id)
        .where(
            Approval.status == ApprovalStatus.PENDING,
            ApprovalRequest.status == ApprovalRequestStatus.PENDING,
            ApprovalRequest.submitted_by_id != actor.id,
            or_(Approval.approver_id == actor.id, Approval.approver_group_id.in_(groups)),
        )
        .order_by(Approval.due_at.is_(None), Approval.due_at, Approval.id)
        .limit(200)
    )
    items = []
    for approval in rows:
        request = approval.request
        if any(vote.user_id == actor.id for vote in approval.decisions):
            continue
        record = _kind(request.record_type).load(uow, request.record_id)
        items.append(
            InboxItem(
                approval_id=approval.id,
                request_id=request.id,
                record_label=record.label,
                account_id=record.account_id,
                submitted_by=_names(uow, [request.submitted_by_id])[0],
                submitted_at=request.submitted_at,
                due_at=approval.due_at,
                overdue=approval.due_at is not None and approval.due_at < uow.now,
            )
        )
    return items


@use_case("approvals.request", write=False)
def request_view(uow: UnitOfWork, request_id: int) -> RequestView:
    """One request with its tiers and decisions, and what the signed-in user may do with it."""
    return describe(uow, uow.get(ApprovalRequest, request_id, "approval request"))


@use_case("approvals.latest_for", write=False)
def latest_for(uow: UnitOfWork, record_type: str, record_id: int) -> RequestView | None:
    """The most recent request of a record, or None if it was never submitted."""
    request = latest_request(uow, record_type, record_id)
    return describe(uow, request) if request else None


def latest_request(uow: UnitOfWork, record_type: str, record_id: int) -> ApprovalRequest | None:
    return uow.session.scalar(
        select(ApprovalRequest)
        .where(ApprovalRequest.record_type == record_type, ApprovalRequest.record_id == record_id)
        .order_by(ApprovalRequest.id.desc())
        .limit(1)
    )


def describe(uow: UnitOfWork, request: ApprovalRequest) -> RequestView:
    actor = uow.user
    record = _kind(request.record_type).load(uow, request.record_id)
    views = []
    mine = None
    for approval in request.approvals:
        rule = uow.session.get(ApprovalRule, approval.rule_id) if approval.rule_id else None
        if approval.approver_id is not None:
            approver = _names(uow, [approval.approver_id])[0]
        else:
            group = uow.session.get(ApprovalGroup, approval.approver_group_id or 0)
            approver = f"{approval.group_mode.value} of {group.name if group else 'a group'}"
        views.append(
            ApprovalView(
                id=approval.id,
                tier=approval.tier,
                rule=rule.name if rule else "",
                approver=approver,
                status=approval.status,
                decided_by=_names(uow, [approval.decided_by_id])[0]
                if approval.decided_by_id
                else None,
                decided_at=approval.decided_at,
                comment=approval.comment,
                due_at=approval.due_at,
            )
        )
        if (
            mine is None
            and request.status is ApprovalRequestStatus.PENDING
            and approval.status is ApprovalStatus.PENDING
            and actor.id not in (request.submitted_by_id, record.owner_id)
            and _is_approver(uow, actor, approval, record)
            and not any(vote.user_id == actor.id for vote in approval.decisions)
        ):
            mine = approval.id
    return RequestView(
        id=request.id,
        record_type=request.record_type,
        record_id=request.record_id,
        record_label=record.label,
        account_id=record.account_id,
        status=request.status,
        submitted_by=_names(uow, [request.submitted_by_id])[0],
        submitted_at=request.submitted_at,
        current_tier=request.current_tier,
        facts=request.snapshot,
        approvals=views,
        mine=mine,
        can_recall=request.status is ApprovalRequestStatus.PENDING
        and request.submitted_by_id == actor.id,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value
