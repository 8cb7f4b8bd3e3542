"""Admins add, change, find, deactivate and reactivate users; an active admin always remains."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import AuditEvent, Role
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import UnitOfWork, run_use_case
from acctmgr.services.people import deactivation, directory
from acctmgr.services.people import users as user_service
from acctmgr.services.people.users import UserDetails, UserIn


def details(login: str, **changes: object) -> UserDetails:
    """The user's details as stored, with ``changes``."""
    return UserDetails(**{"name": "Erin Executive", "email": f"{login}@example.com", **changes})


def test_a_second_user_with_an_e_mail_address_taken_is_refused(admin: Context) -> None:
    """Adding a user whose e-mail address (in any case) is another user's is refused beside
    the e-mail field, and so is changing a user to it."""
    data = UserIn(login="newbie", name="New Bie", email="AE@example.com")
    with pytest.raises(InvalidInput, match="already the address of ae") as refused:
        user_service.create_user(admin, data)
    assert refused.value.field == "email"
    cms = directory.person(admin, "cms")
    with pytest.raises(InvalidInput, match="already the address of ae"):
        user_service.update_user(admin, "cms", details("ae"), cms.version)


def test_an_admin_changes_a_user_and_it_is_audited(admin: Context) -> None:
    """Name, e-mail, segment and roles change in one save, audited as users.update; a save
    from the copy read before it is refused as stale."""
    before = directory.person(admin, "ae")
    changed = user_service.update_user(
        admin,
        "ae",
        details(
            "ae",
            name="Erin Exec",
            email="erin@example.com",
            segment_code="ent",
            roles=frozenset({Role.ACCOUNT_EXECUTIVE, Role.FINANCE}),
        ),
        before.version,
    )
    after = directory.person(admin, "ae")
    assert (after.name, after.email, after.segment_code) == ("Erin Exec", "erin@example.com", "ENT")
    assert after.roles == [Role.ACCOUNT_EXECUTIVE, Role.FINANCE]
    assert changed.version > before.version
    with admin.database.read_session() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert "users.update" in actions
    with pytest.raises(Conflict):
        user_service.update_user(admin, "ae", details("ae"), before.version)


def test_only_an_admin_changes_or_lists_users(admin: Context) -> None:
    """An Account Executive cannot change a user, search the people list or read one."""
    ae = admin.as_user("ae")
    with pytest.raises(PermissionDenied, match="Only an Admin can change users"):
        user_service.update_user(ae, "ae", details("ae"), 1)
    with pytest.raises(PermissionDenied):
        directory.search_people(ae)
    with pytest.raises(PermissionDenied):
        directory.person(ae, "cms")


def test_an_unknown_segment_is_refused_beside_its_field(admin: Context) -> None:
    """A segment code nobody has is refused, nothing changed."""
    ae = directory.person(admin, "ae")
    with pytest.raises(InvalidInput, match="no segment XYZ") as refused:
        user_service.update_user(admin, "ae", details("ae", segment_code="xyz"), ae.version)
    assert refused.value.field == "segment_code"
    assert directory.person(admin, "ae").segment_code == "SMB"


def test_the_last_active_admin_keeps_the_admin_role(admin: Context) -> None:
    """Of two admins, one may take the role from the other; the one left keeps it, and cannot
    be deactivated either."""
    user_service.create_user(
        admin,
        UserIn(login="boss", name="Bo Ss", email="boss@example.com", roles=frozenset({Role.ADMIN})),
    )
    boss = admin.as_user("boss")
    me = directory.person(boss, "admin")
    user_service.update_user(boss, "admin", details("admin", name="Ada Admin"), me.version)
    assert directory.person(boss, "admin").roles == []
    last = directory.person(boss, "boss")
    with pytest.raises(InvalidInput, match="your own admin role"):
        user_service.update_user(boss, "boss", details("boss", name="Bo Ss"), last.version)
    with pytest.raises(InvalidInput, match="yourself"):
        deactivation.deactivate_user(boss, "boss")

    # Another admin's change read before this one committed (two admins at once) meets the
    # rule behind those two: the last active admin stays one.
    def stop_being_admin(uow: UnitOfWork) -> None:
        user_service.keep_an_admin(uow, user_service.by_login(uow, "boss"), doing="go")

    with pytest.raises(InvalidInput, match="Bo Ss is the last active admin and cannot go"):
        run_use_case(boss, "test.keep_an_admin", False, True, stop_being_admin)


def test_search_finds_users_by_login_name_or_e_mail_a_page_at_a_time(admin: Context) -> None:
    """The text is matched in the database, any case, % and _ literally; pages follow login
    order; deactivated users are listed as such."""
    deactivation.deactivate_user(admin, "ae2")
    assert [row.login for row in directory.search_people(admin, "EXECUTIVE")] == ["ae", "ae2"]
    assert [row.login for row in directory.search_people(admin, "fin")] == ["finance"]
    assert [row.login for row in directory.search_people(admin, "cms@example")] == ["cms"]
    assert directory.search_people(admin, "%") == []
    every = [row.login for row in directory.search_people(admin)]
    assert every == sorted(every)
    first, second = (directory.search_people(admin, limit=2, offset=n) for n in (0, 2))
    assert [row.login for row in first + second] == every[:4]
    assert not next(row for row in directory.search_people(admin, "ae2")).active
    with pytest.raises(InvalidInput):
        directory.search_people(admin, limit=0)
