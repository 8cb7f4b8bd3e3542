"""An admin changes a user's name, e-mail, segment and roles: checked, audited, never stale."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import AuditEvent, Role
from acctmgr.services.kernel.context import Context
from acctmgr.services.people import users as user_service
from acctmgr.services.people.users import UserEdit, UserIn, UserView


def view(admin: Context, login: str) -> UserView:
    return next(user for user in user_service.list_users(admin) if user.login == login)


def edit(**changes: object) -> UserEdit:
    values: dict[str, object] = {
        "name": "Erin Executive",
        "email": "erin@example.com",
        "segment_code": "ENT",
        "roles": {Role.ACCOUNT_EXECUTIVE, Role.KEY_ACCOUNT_MANAGER},
    }
    return UserEdit.model_validate({**values, **changes})


def test_an_admin_changes_a_user_and_the_change_is_audited(admin: Context) -> None:
    """Name, e-mail, segment and roles change together, in one audited save."""
    before = view(admin, "ae")
    after = user_service.update_user(admin, "ae", before.version, edit())
    assert (after.name, after.email) == ("Erin Executive", "erin@example.com")
    assert after.roles == {Role.ACCOUNT_EXECUTIVE, Role.KEY_ACCOUNT_MANAGER}
    assert after.segment_id is not None
    assert after.segment_id != before.segment_id
    with admin.database.read_session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == RecordType.USER, AuditEvent.entity_id == after.id
            )
        ).all()
    assert any(action.startswith("users.update") for action in actions), actions


def test_a_change_from_a_stale_copy_is_refused(admin: Context) -> None:
    """Two admins edit the same user: the second save, from the older copy, is a Conflict."""
    before = view(admin, "ae")
    user_service.update_user(admin, "ae", before.version, edit(name="First"))
    with pytest.raises(Conflict):
        user_service.update_user(admin, "ae", before.version, edit(name="Second"))
    assert view(admin, "ae").name == "First"


def test_an_email_address_belongs_to_one_user(admin: Context) -> None:
    """Another user's address is refused beside the field, for a new user and for an edit."""
    taken = view(admin, "cms").email
    with pytest.raises(InvalidInput, match="already cms's") as refused:
        user_service.update_user(admin, "ae", view(admin, "ae").version, edit(email=taken))
    assert refused.value.field == "email"
    with pytest.raises(InvalidInput, match="already cms's"):
        user_service.create_user(admin, UserIn(login="newbie", name="New Bie", email=taken.upper()))


def test_an_admin_keeps_their_own_admin_role(admin: Context) -> None:
    """Taking away one's own Admin role is refused beside the roles, so an admin remains."""
    me = view(admin, "admin")
    with pytest.raises(InvalidInput, match="your own admin role") as refused:
        user_service.update_user(
            admin, "admin", me.version, edit(email=me.email, roles={Role.ACCOUNT_EXECUTIVE})
        )
    assert refused.value.field == "roles"


def test_only_an_admin_changes_users(admin: Context) -> None:
    """A Segment Leader cannot change anyone."""
    with pytest.raises(PermissionDenied):
        user_service.update_user(admin.as_user("leader"), "ae", view(admin, "ae").version, edit())


def test_roles_are_read_from_their_codes_and_an_unknown_one_is_named() -> None:
    """'ae, cms' gives both roles; 'xyz' is refused in a sentence listing the codes."""
    assert user_service.roles_from_text("ae, cms") == {
        Role.ACCOUNT_EXECUTIVE,
        Role.CONTRACT_MANAGER,
    }
    with pytest.raises(InvalidInput, match="There is no role xyz; the roles are ae, cms"):
        user_service.roles_from_text("ae xyz")
