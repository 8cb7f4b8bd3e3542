"""My day's delegation banner: a line to each of the two people while a delegation is active.

Read with plain SQL like every My day section (``services.my_day.day``); "active" is what the
approvals engine follows (``approvals.delegates``): not revoked, today's UTC day within it,
between two active users (a deactivated one's delegation decides nothing).
"""

from __future__ import annotations

from datetime import UTC, datetime

from acctmgr.db.reader import Reader, as_date
from acctmgr.services.kernel.context import Actor


def delegation_banners(reader: Reader, actor: Actor, now: datetime) -> list[str]:
    """ "Sam Sub approves for you until 12 Dec." to the user, "You approve for Lena Lead until
    12 Dec." to their delegate: one line per active delegation, the user's own first."""
    today = now.astimezone(UTC).date()
    rows = reader.rows(
        """
        SELECT dl.user_id, u.name, d.name, dl.ends_on
        FROM delegations dl
        JOIN users u ON u.id = dl.user_id
        JOIN users d ON d.id = dl.delegate_id
        WHERE (dl.user_id = :user OR dl.delegate_id = :user) AND dl.revoked_at IS NULL
          AND dl.starts_on <= :today AND dl.ends_on >= :today
          AND u.active = :yes AND d.active = :yes
        ORDER BY dl.user_id != :user, dl.ends_on, dl.id
        """,
        user=actor.id,
        today=today,
        yes=True,
    )
    lines = []
    for user_id, user_name, delegate_name, ends_on in rows:
        until = f"{as_date(ends_on):%d %b}"
        if user_id == actor.id:
            lines.append(f"{delegate_name} approves for you until {until}.")
        else:
            lines.append(f"You approve for {user_name} until {until}.")
    return lines
