"""Opening acctmgr: settings to a ready database and a Context for the signed-in user.

Light to import: the terminal UI starts from ``launch``, and its database layer loads after My
day has painted.

The CLI, the SSH server, demo mode and the tests all start through here, so a database is
always checked and upgraded the same way before the first use case runs.
"""

from __future__ import annotations

import getpass
import logging
import logging.handlers
from typing import TYPE_CHECKING

from acctmgr.clock import Clock
from acctmgr.config import LoadedSettings
from acctmgr.services.kernel.context import Context
from acctmgr.services.my_day.day import MyDay, first_look

if TYPE_CHECKING:
    from acctmgr.db import Database


def connect(loaded: LoadedSettings) -> Database:
    """The configured database, reached once, with the services wired to use it
    (``services.bootstrap``). Raises StorageError with a sentence."""
    # Imported here, as the database layer is: launch paints My day before either has loaded.
    from acctmgr.db import Database
    from acctmgr.services.bootstrap import bootstrap

    bootstrap()
    database = Database(
        loaded.database_url, busy_timeout_seconds=loaded.settings.busy_timeout_seconds
    )
    database.check_connection()
    return database


def open_database(loaded: LoadedSettings) -> Database:
    """Connect, and bring the schema up to date. Raises StorageError with a sentence."""
    from acctmgr.db.migrate import upgrade

    database = connect(loaded)
    upgrade(database)
    return database


def open_context(loaded: LoadedSettings, clock: Clock | None = None) -> Context:
    """A Context on the upgraded database, for ``--as LOGIN`` or else the operating-system login.

    Whether the login is a user is checked by the first use case that needs one, so that a new
    empty database can still be opened to create its first admin.
    """
    return Context(open_database(loaded), clock, loaded.settings.login or os_login())


def launch(loaded: LoadedSettings, clock: Clock | None = None) -> tuple[Context, MyDay | None]:
    """The terminal UI's start: a Context, and My day when the database is ready for it.

    A database at this version's schema, with this user in it, is read with plain SQL
    (``my_day.first_look``) and the app paints that day at once; its database layer (SQLAlchemy,
    checked and upgraded as by ``open_database``) loads behind it. Anything else is opened the
    full way here, before the terminal is taken, so a problem is one sentence on stderr.
    Raises StorageError with that sentence.
    """
    login = loaded.settings.login or os_login()
    context = Context.opening(
        loaded.database_url,
        lambda: open_database(loaded),
        clock,
        login,
        busy_timeout_seconds=loaded.settings.busy_timeout_seconds,
    )
    day = first_look(context)
    if day is None:
        context.database  # noqa: B018 - open it now: create, upgrade, or explain
    return context, day


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
