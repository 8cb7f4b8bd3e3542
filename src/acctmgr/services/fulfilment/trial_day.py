"""My day's trials ending: a Key Account Manager's accounts' trials whose last day is within
two weeks, soonest first, so each is confirmed (or let go) before it ends unseen.

Plain SQL, read at launch before SQLAlchemy loads (``my_day.day``); its ORM twin is
``trials.trials_ending``, held to it by a parity test.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from acctmgr.db.reader import Reader, as_date
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role
from acctmgr.services.kernel.context import Actor
from acctmgr.services.kernel.day_sections import LIST_LIMIT, MyDayItem, Section, urgency
from acctmgr.services.kernel.plain_reads import segment_clause

TRIAL_LOOKAHEAD = timedelta(days=14)
# Stored values of SubscriptionKind and SubscriptionStatus (a test holds them to the enums).
TRIAL_KIND = "test"
RUNNING_STATUSES = ("pending", "active")
KEY_PREFIX = "trial-"


def trials_ending(reader: Reader, actor: Actor, now: datetime) -> list[MyDayItem] | None:
    """Running trials of the KAM's accounts ending from today to two weeks on; None for other
    roles."""
    if not actor.has(Role.KEY_ACCOUNT_MANAGER):
        return None
    today = now.date()
    rows = reader.rows(
        f"""
        SELECT s.id, v.name, acc.name, s.ends_on, s.account_id, s.version
        FROM subscriptions s
        JOIN accounts acc ON acc.id = s.account_id
        JOIN sku_versions v ON v.id = s.sku_version_id
        WHERE s.kind = :trial AND s.status IN (:pending, :active)
          AND s.ends_on >= :today AND s.ends_on <= :until
          AND acc.key_account_manager_id = :user AND {segment_clause(actor, "acc.segment_id")}
        ORDER BY s.ends_on, s.id
        LIMIT :limit
        """,
        trial=TRIAL_KIND,
        pending=RUNNING_STATUSES[0],
        active=RUNNING_STATUSES[1],
        today=today,
        until=today + TRIAL_LOOKAHEAD,
        user=actor.id,
        segment=actor.segment_id,
        limit=LIST_LIMIT,
    )
    items = []
    for subscription_id, product, account_name, ends_on, account_id, version in rows:
        ends = as_date(ends_on)
        items.append(
            MyDayItem(
                key=f"{KEY_PREFIX}{subscription_id}",
                title=f"{product} trial, {account_name}",
                detail=f"ends {ends:%d %b %Y} unless the customer confirms",
                when=ends,
                urgency=urgency(ends, today),
                account_id=account_id,
                record_type=RecordType.SUBSCRIPTION,
                record_id=subscription_id,
                version=version,
            )
        )
    return items


TRIALS_ENDING = Section("trials_ending", "Trials ending", trials_ending, False)
