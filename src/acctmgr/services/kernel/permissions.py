"""Who may do what: role checks and segment visibility, applied inside every use case.

Users see and act on their own segment's records. Roles that serve every segment (admins,
finance, customer services and success, implementation and sales support, national and regional
account managers) see all segments.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import InstrumentedAttribute

from acctmgr.domain.roles import ALL_SEGMENT_ROLES, Role
from acctmgr.errors import PermissionDenied
from acctmgr.services.kernel.context import Actor


def require_role(actor: Actor, *roles: Role, to: str) -> None:
    """Raise PermissionDenied unless the actor holds one of ``roles``; ``to`` names the action."""
    if not actor.has(*roles):
        names = " or ".join(role.label for role in roles)
        article = "an" if names[:1] in "AEIOU" else "a"
        raise PermissionDenied(f"Only {article} {names} can {to}.")


def sees_all_segments(actor: Actor) -> bool:
    return actor.has(*ALL_SEGMENT_ROLES)


def sees_segment(actor: Actor, segment_id: int | None) -> bool:
    """Whether the actor may see a record of this segment (the rule ``segment_filter`` puts in
    SQL)."""
    return sees_all_segments(actor) or actor.segment_id == segment_id


def require_segment(actor: Actor, segment_id: int | None, *, what: str) -> None:
    """Raise PermissionDenied when the record is in a segment the actor does not work in."""
    if not sees_segment(actor, segment_id):
        raise PermissionDenied(f"This {what} belongs to another segment than yours.")


def segment_filter(
    actor: Actor, column: ColumnElement[int] | InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    """A WHERE clause limiting a query to the segments the actor may see."""
    if sees_all_segments(actor):
        return true()
    if actor.segment_id is None:
        return column.is_(None)
    return column == actor.segment_id
