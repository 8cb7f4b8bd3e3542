"""The people list admins work from: every user, searched and paged in the database."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from acctmgr.errors import InvalidInput
from acctmgr.models import Role, Segment, User
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.sorting import Sort, orm_order
from acctmgr.services.kernel.text import single_line
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.people.users import by_login

MAX_PAGE = 500
# The columns the list sorts by (``kernel.sorting``); text without regard to case.
SORTS = {
    "login": (User.login,),
    "name": (func.lower(User.name),),
    "email": (func.lower(User.email),),
    "segment": (func.lower(func.coalesce(Segment.code, "")),),
    "active": (User.active,),
}
BY_LOGIN = Sort("login")


class PersonRow(ReadModel):
    """One user as the people list shows them, with what their edit form starts from."""

    login: str
    name: str
    email: str
    roles: list[Role]  # in the order Role declares them
    segment_code: str | None
    segment_name: str | None
    active: bool
    version: int

    @classmethod
    def of(cls, user: User, segment: Segment | None) -> PersonRow:
        held = {held.role for held in user.roles}
        return cls(
            login=user.login,
            name=user.name,
            email=user.email,
            roles=[role for role in Role if role in held],
            segment_code=segment.code if segment else None,
            segment_name=segment.name if segment else None,
            active=user.active,
            version=user.version,
        )


@use_case("users.search", write=False)
def search_people(
    uow: UnitOfWork,
    text: str = "",
    *,
    limit: int = 50,
    offset: int = 0,
    sort: Sort = BY_LOGIN,
) -> list[PersonRow]:
    """Users whose login, name or e-mail address contains the text (any case), by login or by
    the column ``sort`` names and then id, deactivated ones included.

    Searched, sorted and paged in the database; ``%`` and ``_`` in the text match themselves.
    Only an Admin can (PermissionDenied); a text with a control character, or a sort by a
    column not in SORTS, is refused (InvalidInput).
    """
    require_role(uow.user, Role.ADMIN, to="manage users")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(f"A page holds 1 to {MAX_PAGE} users from a position of 0 or more.")
    needle = single_line(text, what="search text", field="text").strip()
    order = orm_order(SORTS, sort, BY_LOGIN, tie_breaker=User.id, what="people list")
    query = (
        select(User, Segment)
        .outerjoin(Segment, Segment.id == User.segment_id)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    if needle:
        query = query.where(
            or_(
                User.login.icontains(needle, autoescape=True),
                User.name.icontains(needle, autoescape=True),
                User.email.icontains(needle, autoescape=True),
            )
        )
    return [PersonRow.of(row[0], row[1]) for row in uow.session.execute(query).all()]


@use_case("users.get", write=False)
def person(uow: UnitOfWork, login: str) -> PersonRow:
    """One user as stored now, for an admin about to change them (PermissionDenied for anyone
    else; InvalidInput for a login that is no user)."""
    require_role(uow.user, Role.ADMIN, to="manage users")
    user = by_login(uow, login)
    segment = uow.session.get(Segment, user.segment_id) if user.segment_id else None
    return PersonRow.of(user, segment)
