"""Activities: the kinds of tasks, reminders and logged contacts.

Plain Python, free of the ORM: screens read these names without loading the models.
"""

from __future__ import annotations

import enum


class ActivityKind(enum.StrEnum):
    TASK = "task"
    REMINDER = "reminder"
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    NOTE = "note"
