"""My day: what each person should look at first, one section per business area.

Each area reads its own section with plain SQL through the driver (``acctmgr.db.reader``)
rather than the ORM: at launch My day paints before SQLAlchemy, the models and pydantic have
loaded, which would otherwise double the time to the first useful screen (benchmarks/launch.py).
A section's values are the ones the models store (a test holds them to the enums), and each
section with an ORM twin is held to it by a parity test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from acctmgr.db import HEAD_REVISION
from acctmgr.db.reader import Reader
from acctmgr.domain.roles import Role
from acctmgr.errors import StorageError, UnknownUser
from acctmgr.services.accounts.my_day import DUE
from acctmgr.services.approvals.my_day import WAITING
from acctmgr.services.company.my_day import SETUP
from acctmgr.services.contracts.my_day import RENEWALS
from acctmgr.services.fulfilment.entitlement_day import ABOUT_TO_EXPIRE
from acctmgr.services.fulfilment.order_day import TO_ACTIVATE
from acctmgr.services.fulfilment.overage_day import OVERAGE
from acctmgr.services.fulfilment.trial_day import TRIALS_ENDING
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.day_sections import DaySection, MyDayItem, Section
from acctmgr.services.kernel.plain_reads import reading_actor
from acctmgr.services.key_accounts.finalise_day import FINALISE
from acctmgr.services.key_accounts.my_day import DUE_A_CONTACT
from acctmgr.services.key_accounts.offer_day import OFFERS
from acctmgr.services.people.my_day import delegation_banners
from acctmgr.services.retention.my_day import CASES

# The sections, in the order My day shows them; a new area adds its own here.
SECTIONS: tuple[Section, ...] = (
    SETUP,
    DUE,
    WAITING,
    CASES,
    OFFERS,
    FINALISE,
    TO_ACTIVATE,
    RENEWALS,
    OVERAGE,
    TRIALS_ENDING,
    ABOUT_TO_EXPIRE,
    DUE_A_CONTACT,
)


@dataclass(frozen=True)
class MyDay:
    user_name: str
    roles: list[str]
    today: date
    sections: list[DaySection]
    is_admin: bool = False  # offered the admin screens (People)
    # Lines above the sections: who approves for the user, or for whom they approve, today.
    banners: list[str] = field(default_factory=list)

    def items(self, key: str) -> list[MyDayItem]:
        """The lines of one section; none when the section is not for this user."""
        for section in self.sections:
            if section.key == key:
                return section.items
        return []


def my_day(context: Context) -> MyDay:
    """The signed-in user's day: each area's section that their roles call for.

    Raises UnknownUser for a login that is not an active user, StorageError when the database
    cannot be read.
    """
    with context.reader() as reader:
        return _read_day(reader, context.login, context.clock.now())


def first_look(context: Context) -> MyDay | None:
    """My day for launch, read before the database layer has loaded.

    None when the database is not ready for it: missing, at another schema than this version's,
    unreadable, or without this user. Launch then opens the database the full way, which
    creates, upgrades, welcomes or explains in a sentence.
    """
    try:
        with context.reader() as reader:
            revisions = reader.rows("SELECT version_num FROM alembic_version")
            if revisions != [(HEAD_REVISION,)]:
                return None
            return _read_day(reader, context.login, context.clock.now())
    except (StorageError, UnknownUser):
        return None


def _read_day(reader: Reader, login: str | None, now: datetime) -> MyDay:
    actor = reading_actor(reader, login)
    sections = [section.of(reader, actor, now) for section in SECTIONS]
    return MyDay(
        user_name=actor.name,
        roles=sorted(role.label for role in actor.roles),
        today=now.date(),
        sections=[section for section in sections if section is not None],
        is_admin=actor.has(Role.ADMIN),
        banners=delegation_banners(reader, actor, now),
    )
