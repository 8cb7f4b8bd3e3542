"""My day's setup for admins: the company's identity, until one of them has set it.

Until it is set, no purchase order or contract goes to a customer (``identity.require_identity``),
so an admin's day starts by asking for it. Read with plain SQL, as every section is, and without
importing ``identity`` (pydantic and the models stay off the launch path).
"""

from __future__ import annotations

from datetime import datetime

from acctmgr.db.reader import Reader
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import MyDayItem, Section, Urgency

SET_THE_IDENTITY = "Set the company's name and address"
# What the line says of it, and the key that opens the company's identity form from My day.
WHY = "Enter: POs and contracts wait for it"


def setup(reader: Reader, actor: Actor, now: datetime) -> list[MyDayItem] | None:
    """The identity to set, while no admin has; None for everyone but admins."""
    if not actor.has(Role.ADMIN):
        return None
    if reader.rows("SELECT 1 FROM company_identity"):
        return []
    return [
        MyDayItem(
            key="setup-company-identity",
            title=SET_THE_IDENTITY,
            detail=WHY,
            when=now.date(),
            urgency=Urgency.TODAY,
            account_id=None,
            record_type=RecordType.COMPANY_IDENTITY,
            record_id=1,
            version=0,
        )
    ]


SETUP = Section("setup", "To set up", setup, False)
