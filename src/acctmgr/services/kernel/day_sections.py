"""What a My day section is made of: its lines, how urgent each is, and how a section is read.

Each business area reads its own section (``services/<area>/my_day.py``) with plain SQL through
the driver, so launch paints My day before SQLAlchemy, the models and pydantic have loaded. A new
wizard adds its section as a module of its area and one line in ``my_day.day.SECTIONS``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from acctmgr.db.reader import Reader
from acctmgr.domain.records import RecordType
from acctmgr.services.kernel.context import Actor

LIST_LIMIT = 50


class Urgency(enum.StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    SOON = "soon"


def urgency(when: date, today: date) -> Urgency:
    """Overdue before today, today on the day, soon after it."""
    if when < today:
        return Urgency.OVERDUE
    return Urgency.TODAY if when == today else Urgency.SOON


@dataclass(frozen=True)
class MyDayItem:
    """One line of My day, pointing at the record it opens."""

    key: str  # unique across the sections, stable between refreshes
    title: str
    detail: str
    when: date | None
    urgency: Urgency
    account_id: int | None
    record_type: RecordType
    record_id: int
    version: int  # of the record as listed, so acting on it detects a newer change


@dataclass(frozen=True)
class DaySection:
    """One section of one user's day, as read."""

    key: str
    title: str
    items: list[MyDayItem]
    # Shown (empty) to everyone even with nothing in it; the others appear only when filled.
    always_shown: bool


# Reads one section for the actor at an instant; None when the section is not for their roles.
SectionRead = Callable[[Reader, Actor, datetime], list[MyDayItem] | None]


@dataclass(frozen=True)
class Section:
    """A section an area contributes: its key, its title and how it is read."""

    key: str
    title: str
    read: SectionRead
    always_shown: bool = True

    def of(self, reader: Reader, actor: Actor, now: datetime) -> DaySection | None:
        items = self.read(reader, actor, now)
        if items is None:
            return None
        return DaySection(self.key, self.title, items, self.always_shown)
