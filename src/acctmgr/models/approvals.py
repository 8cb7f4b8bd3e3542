"""Approval rules (kept as data), and the requests and decisions they produce.

A rule's condition is evaluated against the record; every rule that matches adds an approval
at its tier. Tiers run in order; approvals within a tier run in parallel. An approval request
is bound to the exact version of the record it was submitted with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from acctmgr.domain.approvals import (
    ApprovalRequestStatus,
    ApprovalStatus,
    ApproverKind,
    Decision,
    GroupMode,
)
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.models.base import Base, IdMixin, RecordTypeColumn, Timestamps, Versioned, enum_type


class ApprovalGroup(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "approval_groups"
    RECORD: ClassVar[RecordType] = RecordType.APPROVAL_GROUP

    name: Mapped[str] = mapped_column(String(120), unique=True)
    members: Mapped[list[ApprovalGroupMember]] = relationship(cascade="all, delete-orphan")


class ApprovalGroupMember(Base):
    __tablename__ = "approval_group_members"
    RECORD: ClassVar[RecordType] = RecordType.APPROVAL_GROUP_MEMBER

    group_id: Mapped[int] = mapped_column(
        ForeignKey("approval_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class ApprovalRule(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "approval_rules"
    RECORD: ClassVar[RecordType] = RecordType.APPROVAL_RULE

    name: Mapped[str] = mapped_column(String(200))
    record_type: Mapped[RecordType] = mapped_column(RecordTypeColumn(), index=True)
    # {"field": "discount_pct", "op": ">", "value": "20"}; {"all": [...]} / {"any": [...]}
    condition: Mapped[dict[str, Any]] = mapped_column(JSON)
    tier: Mapped[int] = mapped_column(Integer, default=1)
    approver_kind: Mapped[ApproverKind] = mapped_column(enum_type(ApproverKind))
    approver_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approver_role: Mapped[Role | None] = mapped_column(enum_type(Role))
    approver_group_id: Mapped[int | None] = mapped_column(ForeignKey("approval_groups.id"))
    group_mode: Mapped[GroupMode] = mapped_column(enum_type(GroupMode), default=GroupMode.ANY)
    sla_hours: Mapped[int | None] = mapped_column(Integer)
    reminder_hours: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Smart: an approval given in an earlier round carries over while the facts its
    # condition reads are unchanged (see ``approvals.carry_over``).
    smart: Mapped[bool] = mapped_column(Boolean, default=False)
    # Past the SLA (and ``escalate_hours`` working hours more), the approval also goes to
    # this user or to the holders of this role in the record's segment.
    # No FOREIGN KEY on this column nor on carried_from_id: SQLite adds and drops a plain
    # column in place, but a key means copying the table, which the rows referring to it
    # forbid while foreign keys are on. Users and approvals are never deleted, and the use
    # cases only ever store the id of one that is there.
    escalate_to_user_id: Mapped[int | None] = mapped_column(Integer)
    escalate_to_role: Mapped[Role | None] = mapped_column(enum_type(Role, name="escalation_role"))
    escalate_hours: Mapped[int | None] = mapped_column(Integer)


class ApprovalRequest(IdMixin, Versioned, Timestamps, Base):
    __tablename__ = "approval_requests"
    RECORD: ClassVar[RecordType] = RecordType.APPROVAL_REQUEST

    record_type: Mapped[RecordType] = mapped_column(RecordTypeColumn())
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    record_version: Mapped[int] = mapped_column(Integer)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id"))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[ApprovalRequestStatus] = mapped_column(
        enum_type(ApprovalRequestStatus), index=True
    )
    current_tier: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime]
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    # Condition values at submission: smart approvals carry over when these did not change.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    approvals: Mapped[list[Approval]] = relationship(
        cascade="all, delete-orphan",
        order_by="[Approval.tier, Approval.id]",
        back_populates="request",
    )


class Approval(IdMixin, Versioned, Timestamps, Base):
    """One approver's (or group's) part of a request, at one tier."""

    __tablename__ = "approvals"

    RECORD: ClassVar[RecordType] = RecordType.APPROVAL

    request_id: Mapped[int] = mapped_column(
        ForeignKey("approval_requests.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("approval_rules.id"))
    tier: Mapped[int] = mapped_column(Integer)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    approver_group_id: Mapped[int | None] = mapped_column(ForeignKey("approval_groups.id"))
    group_mode: Mapped[GroupMode] = mapped_column(enum_type(GroupMode), default=GroupMode.ANY)
    status: Mapped[ApprovalStatus] = mapped_column(enum_type(ApprovalStatus), index=True)
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    remind_at: Mapped[datetime | None] = mapped_column(default=None)
    # When the submitter was told it is overdue (the chase task), once per rule and tier.
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    # When it goes to the rule's escalation target, and when it went (once, by one worker).
    escalation_due_at: Mapped[datetime | None] = mapped_column(default=None)
    escalation_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    # A smart rule's approval given in an earlier request, which this one carries over.
    carried_from_id: Mapped[int | None] = mapped_column(Integer)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    comment: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[ApprovalRequest] = relationship(back_populates="approvals")
    decisions: Mapped[list[ApprovalDecision]] = relationship(cascade="all, delete-orphan")


class ApprovalDecision(IdMixin, Base):
    """One member's vote on a group approval (or the single approver's decision)."""

    __tablename__ = "approval_decisions"

    RECORD: ClassVar[RecordType] = RecordType.APPROVAL_DECISION

    approval_id: Mapped[int] = mapped_column(
        ForeignKey("approvals.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[Decision] = mapped_column(enum_type(Decision))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime]
