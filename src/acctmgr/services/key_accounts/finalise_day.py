"""My day's contracts to finalise: key accounts' contracts out for signature, for Customer
Services, oldest first, so none waits for its signatures unseen.

Plain SQL, read at launch before SQLAlchemy loads (``my_day.day``); its ORM twin is
``finalising.contracts_to_finalise``, held to it by a parity test.
"""

from __future__ import annotations

from datetime import datetime

from acctmgr.db.reader import Reader, as_date, as_instant
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, Urgency
from acctmgr.services.kernel.plain_reads import segment_clause

# Stored value of ContractStatus (a test holds it to the enum).
CONTRACT_SENT_FOR_SIGNATURE = "sent_for_signature"
# My day's lines of this section; the screen opens them in the finalising screen.
KEY_PREFIX = "finalise-"


def to_finalise(reader: Reader, actor: Actor, _now: datetime) -> list[MyDayItem] | None:
    """Contracts made from accepted offers, out for signature, in the segments Customer
    Services serves, the longest waiting first; None for other roles."""
    if not actor.has(Role.CUSTOMER_SERVICES):
        return None
    in_segment = segment_clause(actor, "acc.segment_id")
    rows = reader.rows(
        f"""
        SELECT ct.id, ct.number, acc.name, ct.created_at, ct.starts_on, ct.account_id, ct.version
        FROM contracts ct
        JOIN quotes q ON q.id = ct.quote_id
        JOIN accounts acc ON acc.id = ct.account_id
        WHERE ct.status = :sent AND q.offer_id IS NOT NULL AND {in_segment}
        ORDER BY ct.created_at, ct.id
        LIMIT :limit
        """,
        segment=actor.segment_id,
        sent=CONTRACT_SENT_FOR_SIGNATURE,
        limit=LIST_LIMIT,
    )
    return [
        MyDayItem(
            key=f"{KEY_PREFIX}{contract_id}",
            title=f"{number} {account_name}",
            detail=f"to finalise, starts {as_date(starts_on):%d %b %Y}",
            # Out for signature since: not a deadline, so no overdue/today label.
            when=as_instant(created_at).date(),
            urgency=Urgency.SOON,
            account_id=account_id,
            record_type=RecordType.CONTRACT,
            record_id=contract_id,
            version=version,
        )
        for contract_id, number, account_name, created_at, starts_on, account_id, version in rows
    ]


FINALISE = Section("finalise", "Contracts to finalise", to_finalise, False)
