"""My day's overage to review: usage above what is included, waiting for a reviewer (Finance
or Customer Services) before any invoice may bill it, the oldest month first.

Plain SQL, read at launch before SQLAlchemy loads (``my_day.day``); its ORM twin is
``usage_views.overage_to_review``, held to it by a parity test.
"""

from __future__ import annotations

from datetime import datetime

from acctmgr.db.reader import Reader, as_date
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, Urgency
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.plain_reads import segment_clause

# Stored value of OverageStatus.TO_REVIEW (a test holds it to the enum).
OVERAGE_TO_REVIEW = "to_review"
# Who reviews overage: Finance answers for what is invoiced, Customer Services for what the
# customer was promised (``overage_review``). Kept here, free of SQLAlchemy, so that My day at
# launch and the use cases read the one tuple.
REVIEWERS = (Role.FINANCE, Role.CUSTOMER_SERVICES)


def overage_to_review(reader: Reader, actor: Actor, _now: datetime) -> list[MyDayItem] | None:
    """Overage lines still to review, oldest month first, then by account; None for anyone
    but the reviewers."""
    if not actor.has(*REVIEWERS):
        return None
    in_segment = segment_clause(actor, "acc.segment_id")
    rows = reader.rows(
        f"""
        SELECT ol.id, ol.version, ol.account_id, acc.name, ol.month, ol.used, ol.included,
               ol.amount_minor, ol.currency
        FROM overage_lines ol
        JOIN accounts acc ON acc.id = ol.account_id
        WHERE ol.status = :to_review AND {in_segment}
        ORDER BY ol.month, acc.sort_name, ol.id
        LIMIT :limit
        """,
        segment=actor.segment_id,
        to_review=OVERAGE_TO_REVIEW,
        limit=LIST_LIMIT,
    )
    return [
        MyDayItem(
            key=f"overage-{line_id}",
            # The amount and month first: at 80 columns a long account name is what gets cut.
            title=f"{format_money(amount, currency)}, {as_date(month):%b %Y}: {account_name}",
            detail=f"{used:,} page views used of {included:,} included",
            # The month it was used in: a month to bill, not a deadline.
            when=as_date(month),
            urgency=Urgency.SOON,
            account_id=account_id,
            record_type=RecordType.OVERAGE_LINE,
            record_id=line_id,
            version=version,
        )
        for line_id, version, account_id, account_name, month, used, included, amount, currency in (
            rows
        )
    ]


OVERAGE = Section("overage", "Overage to review", overage_to_review, False)
