"""Errors a person can cause, each carrying one sentence that person understands.

Every layer raises these; the CLI prints the sentence and the TUI shows it as a notification or
beside the field. Anything else escaping a use case is a bug and is logged, not shown raw.
"""

from __future__ import annotations


class AcctmgrError(Exception):
    """Base of every error whose message is meant for the person at the keyboard."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # The input field the sentence belongs beside, when there is one.
        self.field = field

    def __str__(self) -> str:
        return self.message


class ConfigError(AcctmgrError):
    """The settings (file, environment or flags) cannot be used as given."""


class StorageError(AcctmgrError):
    """The database cannot be opened, reached, written or upgraded."""


class NotFound(AcctmgrError):
    """The record asked for does not exist (or is not visible to this user)."""


class PermissionDenied(AcctmgrError):
    """The user's roles or segment do not allow this action."""


class Conflict(AcctmgrError):
    """Someone else saved the record since it was loaded; the save was refused."""


class InvalidInput(AcctmgrError):
    """The input breaks a rule of the business or a format rule."""


class InvalidFields(InvalidInput):
    """Several fields refused at once, so a form shows every sentence beside its own field."""

    def __init__(self, problems: list[InvalidInput]) -> None:
        super().__init__(" ".join(p.message for p in problems), field=problems[0].field)
        self.problems = problems


class AlreadyOpen(InvalidInput):
    """A record of this kind is already open for the same thing; the screen offers to open it."""

    def __init__(self, message: str, *, record_id: int) -> None:
        super().__init__(message)
        self.record_id = record_id


class UnknownUser(AcctmgrError):
    """The login does not belong to an active user."""


def unknown_login(login: str, *, inactive: bool) -> UnknownUser:
    """The refusal for a login that is not, or no longer, an active user."""
    if inactive:
        return UnknownUser(
            f"The user {login!r} has been deactivated, so they can no longer sign in; "
            "an admin can reactivate them."
        )
    return UnknownUser(
        f"The login {login!r} is not a user of this database; ask an admin to add it."
    )
