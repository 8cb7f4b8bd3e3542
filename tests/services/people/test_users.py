"""Users, roles, the first admin, and who is at the keyboard."""

from __future__ import annotations

import pytest

from acctmgr.clock import AdjustableClock
from acctmgr.db import Database
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied, UnknownUser
from acctmgr.models import Role
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import users as user_service
from acctmgr.services.people.users import UserIn


def test_the_first_admin_can_be_created_once(database: Database, clock: AdjustableClock) -> None:
    """On an empty database anyone may create the first admin; after that, nobody can."""
    anonymous = Context(database, clock, None)
    assert user_service.count_users(anonymous) == 0
    first = user_service.create_first_admin(
        anonymous, UserIn(login="Boss", name="The Boss", email="boss@example.com")
    )
    assert first.login == "boss"
    assert Role.ADMIN in first.roles
    with pytest.raises(PermissionDenied, match="already has users"):
        user_service.create_first_admin(
            anonymous, UserIn(login="second", name="Second", email="s@example.com")
        )


def test_only_an_admin_adds_users(admin: Context) -> None:
    """An Account Executive cannot add users; an admin can, with unique logins."""
    data = UserIn(login="newbie", name="New Bie", email="n@example.com")
    with pytest.raises(PermissionDenied, match="Only an Admin can add users"):
        user_service.create_user(admin.as_user("ae"), data)
    user_service.create_user(admin, data)
    with pytest.raises(InvalidInput, match="already a user"):
        user_service.create_user(admin, data)


def test_an_unknown_login_is_a_sentence(admin: Context) -> None:
    """A login that is not a user gets a sentence naming it."""
    with pytest.raises(UnknownUser, match="'ghost' is not a user"):
        user_service.me(admin.as_user("ghost"))


def test_roles_are_checked_fresh_in_every_transaction(admin: Context) -> None:
    """Taking a role away takes effect on the user's very next action."""
    ae = admin.as_user("ae")
    assert Role.ACCOUNT_EXECUTIVE in user_service.me(ae).roles
    current = next(u for u in user_service.list_users(admin) if u.login == "ae")
    user_service.set_roles(admin, "ae", frozenset({Role.FINANCE}), current.version)
    assert user_service.me(ae).roles == frozenset({Role.FINANCE})
    with pytest.raises(Conflict):
        user_service.set_roles(admin, "ae", frozenset(), current.version)


def test_an_admin_cannot_remove_their_own_admin_role(admin: Context) -> None:
    """Locking oneself out of administration is refused."""
    me = user_service.me(admin)
    with pytest.raises(InvalidInput, match="your own admin role"):
        user_service.set_roles(admin, "admin", frozenset({Role.FINANCE}), me.version)


def test_logins_and_emails_are_validated() -> None:
    """Logins are short lower-case words; e-mails look like addresses."""
    with pytest.raises(ValueError, match="login"):
        UserIn(login="has space", name="X", email="x@example.com")
    with pytest.raises(ValueError, match="e-mail"):
        UserIn(login="fine", name="X", email="nope")
