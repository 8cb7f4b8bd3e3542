"""Opening acctmgr: settings to a ready database and a Context for the signed-in user.

The CLI, the SSH server, demo mode and the tests all start through here, so a database is
always checked and upgraded the same way before the first use case runs.
"""

from __future__ import annotations

import getpass
import logging
import logging.handlers

from acctmgr.clock import Clock
from acctmgr.config import LoadedSettings
from acctmgr.db import Database
from acctmgr.db.migrate import upgrade
from acctmgr.services import Context


def connect(loaded: LoadedSettings) -> Database:
    """The configured database, reached once. Raises StorageError with a sentence."""
    database = Database(
        loaded.database_url, busy_timeout_seconds=loaded.settings.busy_timeout_seconds
    )
    database.check_connection()
    return database


def open_database(loaded: LoadedSettings) -> Database:
    """Connect, and bring the schema up to date. Raises StorageError with a sentence."""
    database = connect(loaded)
    upgrade(database)
    return database


def open_context(loaded: LoadedSettings, clock: Clock | None = None) -> Context:
    """A Context on the upgraded database, for ``--as LOGIN`` or else the operating-system login.

    Whether the login is a user is checked by the first use case that needs one, so that a new
    empty database can still be opened to create its first admin.
    """
    return Context(open_database(loaded), clock, loaded.settings.login or os_login())


def os_login() -> str | None:
    try:
        return getpass.getuser().lower() or None
    except (KeyError, OSError):
        return None


def configure_logging(loaded: LoadedSettings) -> None:
    """Log to a rotating file in the user log dir; the terminal belongs to the UI."""
    try:
        loaded.paths.log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            loaded.paths.log_dir / "acctmgr.log", maxBytes=2_000_000, backupCount=3
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("acctmgr")
    root.handlers[:] = [handler]
    root.setLevel(loaded.settings.log_level)
