"""What the plain-SQL reads share: who is reading, and which segments they may see.

My day and the accounts search read through the driver (``acctmgr.db.reader``), not the ORM:
My day so that launch paints before SQLAlchemy loads, the search because it answers every
keystroke and the ORM's session, actor and row objects were most of its time. These are the
plain twins of ``unit_of_work.load_actor`` and ``permissions.segment_filter``.
"""

from __future__ import annotations

from acctmgr.db.reader import Reader
from acctmgr.domain.roles import ALL_SEGMENT_ROLES, Role
from acctmgr.errors import UnknownUser, unknown_login
from acctmgr.services.kernel.context import Actor


def reading_actor(reader: Reader, login: str | None) -> Actor:
    """The active user with this login; UnknownUser in one sentence otherwise."""
    if login is None:
        raise UnknownUser("No user is signed in; start acctmgr with --as LOGIN.")
    found = reader.rows(
        "SELECT id, name, email, segment_id, active FROM users WHERE login = :login", login=login
    )
    if not found or not found[0][4]:
        raise unknown_login(login, inactive=bool(found))
    user_id, name, email, segment_id, _active = found[0]
    roles = reader.rows("SELECT role FROM user_roles WHERE user_id = :user", user=user_id)
    return Actor(user_id, login, name, email, segment_id, frozenset(Role(r) for (r,) in roles))


def segment_clause(actor: Actor, column: str) -> str:
    """A condition on ``column`` limiting rows to the segments the actor may see.

    It names a ``:segment`` parameter, to be bound to ``actor.segment_id``.
    """
    if actor.has(*ALL_SEGMENT_ROLES):
        return "1 = 1"
    if actor.segment_id is None:
        return f"{column} IS NULL"
    return f"{column} = :segment"
