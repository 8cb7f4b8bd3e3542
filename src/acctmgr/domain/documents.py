"""Documents and e-mail: the states of an outbox e-mail.

Plain Python, free of the ORM: screens read these names without loading the models.
"""

from __future__ import annotations

import enum


class EmailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry
