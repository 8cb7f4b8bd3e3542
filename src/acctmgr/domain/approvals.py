"""Approvals: who approves, how a group decides, and the states of requests and approvals.

Plain Python, free of the ORM: screens read these names without loading the models.
"""

from __future__ import annotations

import enum


class ApproverKind(enum.StrEnum):
    USER = "user"
    ROLE_IN_SEGMENT = "role_in_segment"  # e.g. the Segment Leader of the record's segment
    GROUP = "group"


class GroupMode(enum.StrEnum):
    ANY = "any"
    ALL = "all"


class ApprovalRequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECALLED = "recalled"
    STALE = "stale"  # the record changed after submission


class ApprovalStatus(enum.StrEnum):
    WAITING = "waiting"  # its tier has not started
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CARRIED_OVER = "carried_over"  # approved in an earlier round, conditions unchanged
    SKIPPED = "skipped"


class Decision(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
