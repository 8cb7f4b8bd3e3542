"""Users, their roles and segments; and the first admin of a new database."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func, select

from acctmgr.domain.roles import role_called
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import Role, Segment, User, UserRole
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.text import single_line
from acctmgr.services.kernel.text_fields import SingleLine
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

LOGIN_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserDetails(BaseModel):
    """What an admin may change about a user: everything but the login."""

    name: SingleLine = Field(min_length=1, max_length=120)
    email: SingleLine = Field(max_length=254)
    segment_code: SingleLine | None = None
    roles: frozenset[Role] = frozenset()

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, value: object) -> object:
        """Roles as a form types them: codes or names, separated by commas ("Admin, cms")."""
        if not isinstance(value, str):
            return value
        return frozenset(_role_named(part) for part in value.split(",") if part.strip())

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a user needs a name")
        return value.strip()

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        if not EMAIL_PATTERN.match(value):
            raise ValueError("an e-mail address looks like name@example.com")
        return value

    @field_validator("segment_code")
    @classmethod
    def _segment(cls, value: str | None) -> str | None:
        return (value.strip().upper() or None) if value is not None else None


def _role_named(text: str) -> Role:
    role = role_called(text)
    if role is not None:
        return role
    known = ", ".join(role.label for role in Role)
    raise ValueError(f"there is no role called {text.strip()}; the roles are {known}")


def role_names(roles: frozenset[Role] | list[Role]) -> str:
    """Roles as the people form shows them, in the order Role declares them."""
    return ", ".join(role.label for role in Role if role in roles)


class UserIn(UserDetails):
    """A new user: their login, and the details an admin may change later."""

    login: SingleLine = Field(min_length=2, max_length=64)

    @field_validator("login")
    @classmethod
    def _login(cls, value: str) -> str:
        value = value.strip().lower()
        if not LOGIN_PATTERN.match(value):
            raise ValueError("a login is 2-64 lower-case letters, digits, dots, dashes or _")
        return value


class UserView(ReadModel):
    id: int
    login: str
    name: str
    email: str
    segment_id: int | None
    active: bool
    version: int
    roles: frozenset[Role]
    approval_emails: bool = True

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(
            id=user.id,
            login=user.login,
            name=user.name,
            email=user.email,
            segment_id=user.segment_id,
            active=user.active,
            version=user.version,
            roles=frozenset(role.role for role in user.roles),
            approval_emails=user.approval_emails,
        )


class SegmentView(ReadModel):
    id: int
    code: str
    name: str


@use_case("users.count", write=False, needs_actor=False)
def count_users(uow: UnitOfWork) -> int:
    """How many users exist; zero means a new database that needs its first admin."""
    return uow.session.scalar(select(func.count(User.id))) or 0


@use_case("users.create_first_admin", needs_actor=False)
def create_first_admin(uow: UnitOfWork, data: UserIn) -> UserView:
    """Create the first user, an admin, on a database that has no users yet.

    The database also gets its default approval rules, as data an admin can change. Raises
    PermissionDenied once any user exists: after that only an admin adds users.
    """
    if uow.session.scalar(select(func.count(User.id))):
        raise PermissionDenied("This database already has users; an admin must add new ones.")
    created = _insert_user(uow, data.model_copy(update={"roles": data.roles | {Role.ADMIN}}))
    approval_rules.install_default_rules(uow)
    return created


@use_case("users.create")
def create_user(uow: UnitOfWork, data: UserIn) -> UserView:
    """Add a user with roles and a segment. Only an admin can; logins and e-mail addresses
    are unique (InvalidInput beside the field), and the segment must exist."""
    require_role(uow.user, Role.ADMIN, to="add users")
    return _insert_user(uow, data)


@use_case("users.update")
def update_user(uow: UnitOfWork, login: str, data: UserDetails, expected_version: int) -> UserView:
    """Change a user's name, e-mail address, segment and roles (the login stays).

    Only an admin can. Refused with InvalidInput for an e-mail address another user has, a
    segment that does not exist, or taking the Admin role from oneself or from the last active
    admin; with Conflict when the user was saved since ``expected_version`` was read.
    """
    require_role(uow.user, Role.ADMIN, to="change users")
    user = by_login(uow, login)
    uow.expect_version(user, expected_version, "user")
    _refuse_taken_email(uow, data.email, but=user.id)
    user.segment_id = _segment_id(uow, data.segment_code)
    user.name = data.name
    user.email = data.email
    _replace_roles(uow, user, data.roles)
    return UserView.of(user)


@use_case("users.set_roles")
def set_roles(
    uow: UnitOfWork, login: str, roles: frozenset[Role], expected_version: int
) -> UserView:
    """Replace a user's roles. Only an admin can, and not to remove their own admin role or
    the last active admin's."""
    require_role(uow.user, Role.ADMIN, to="change roles")
    user = by_login(uow, login)
    uow.expect_version(user, expected_version, "user")
    _replace_roles(uow, user, roles)
    return UserView.of(user)


def _replace_roles(uow: UnitOfWork, user: User, roles: frozenset[Role]) -> None:
    """Give ``user`` exactly ``roles``, keeping an admin able to administer."""
    if any(held.role is Role.ADMIN for held in user.roles) and Role.ADMIN not in roles:
        if user.id == uow.user.id:
            raise InvalidInput(
                "You cannot take away your own admin role; ask another admin.", field="roles"
            )
        keep_an_admin(uow, user, doing="lose the Admin role")
    keep = [held for held in user.roles if held.role in roles]
    held_roles = {held.role for held in keep}
    user.roles = keep + [UserRole(role=role) for role in sorted(roles - held_roles)]
    # Roles live in rows of their own; touching the user makes this save check and raise its
    # version, so a copy of the user opened before the change is refused as stale.
    user.updated_at = uow.now
    uow.session.flush()


def keep_an_admin(uow: UnitOfWork, user: User, *, doing: str) -> None:
    """Refuse, with InvalidInput, a change that would leave no active admin: ``user`` is about
    to stop being one (``doing`` says how, "be deactivated").

    The active admins' rows are locked first (on PostgreSQL; SQLite has one writer at a time),
    so two admins taking the role from each other at once cannot both succeed: the second one
    waits, then finds only itself left.
    """
    admins = uow.session.scalars(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN, User.active.is_(True))
        .with_for_update()
    ).all()
    if not set(admins) - {user.id}:
        raise InvalidInput(
            f"{user.name} is the last active admin and cannot {doing}; "
            "make someone else an admin first.",
            field="roles",
        )


@use_case("users.me")
def me(uow: UnitOfWork) -> UserView:
    """The signed-in user."""
    return UserView.of(uow.get(User, uow.user.id, "user"))


@use_case("users.set_approval_emails")
def set_approval_emails(uow: UnitOfWork, on: bool) -> UserView:
    """Turn one's own approval e-mails on or off (My day shows approvals either way)."""
    user = by_login(uow, uow.user.login)
    user.approval_emails = on
    uow.session.flush()
    return UserView.of(user)


@use_case("users.list", write=False)
def list_users(uow: UnitOfWork) -> list[UserView]:
    """Every user, by login."""
    return [UserView.of(user) for user in uow.session.scalars(select(User).order_by(User.login))]


@use_case("segments.create")
def create_segment(uow: UnitOfWork, code: str, name: str) -> SegmentView:
    """Add a market segment. Only an admin can; codes are unique."""
    require_role(uow.user, Role.ADMIN, to="add segments")
    return SegmentView.model_validate(_insert_segment(uow, code, name))


@use_case("segments.list", write=False, needs_actor=False)
def list_segments(uow: UnitOfWork) -> list[SegmentView]:
    """Every segment, by name."""
    rows = uow.session.scalars(select(Segment).order_by(Segment.name))
    return [SegmentView.model_validate(row) for row in rows]


def _insert_segment(uow: UnitOfWork, code: str, name: str) -> Segment:
    code = single_line(code, what="code", field="code").strip().upper()
    name = single_line(name, what="name", field="name")
    if not code or not name.strip():
        raise InvalidInput("A segment needs a code and a name.", field="code")
    if uow.session.scalar(select(Segment.id).where(Segment.code == code)):
        raise InvalidInput(f"There is already a segment with the code {code}.", field="code")
    return uow.add(Segment(code=code, name=name.strip()))


def _insert_user(uow: UnitOfWork, data: UserIn) -> UserView:
    if uow.session.scalar(select(User.id).where(User.login == data.login)):
        raise InvalidInput(f"There is already a user with the login {data.login}.", field="login")
    _refuse_taken_email(uow, data.email)
    segment_id = _segment_id(uow, data.segment_code)
    user = uow.add(
        User(login=data.login, name=data.name.strip(), email=data.email, segment_id=segment_id)
    )
    user.roles = [UserRole(role=role) for role in sorted(data.roles)]
    uow.session.flush()
    return UserView.of(user)


def _refuse_taken_email(uow: UnitOfWork, email: str, *, but: int | None = None) -> None:
    """InvalidInput beside the e-mail field when another user has this address (any case)."""
    query = select(User.login).where(func.lower(User.email) == email.lower())
    if but is not None:
        query = query.where(User.id != but)
    taken_by = uow.session.scalar(query.limit(1))
    if taken_by is not None:
        raise InvalidInput(
            f"The e-mail address {email} is already the address of {taken_by}.", field="email"
        )


def _segment_id(uow: UnitOfWork, code: str | None) -> int | None:
    """The id of the segment with this code; None for none; InvalidInput when there is none."""
    if not code:
        return None
    segment_id = uow.session.scalar(select(Segment.id).where(Segment.code == code.upper()))
    if segment_id is None:
        raise InvalidInput(f"There is no segment {code}.", field="segment_code")
    return segment_id


def by_login(uow: UnitOfWork, login: str) -> User:
    """The user with this login; InvalidInput (beside the login field) when there is none."""
    user = uow.session.scalars(select(User).where(User.login == login)).one_or_none()
    if user is None:
        raise InvalidInput(f"There is no user with the login {login}.", field="login")
    return user
