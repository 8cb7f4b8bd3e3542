"""The Textual application: a small App class that screens hang from.

``create_app`` is the one factory used by the CLI, the SSH server, demo mode and the tests: it
takes an opened Context (database, clock, login) and the settings, and builds the App.
"""

from __future__ import annotations

from textual.app import App

from acctmgr.config import LoadedSettings
from acctmgr.services import Context


class AcctmgrApp(App[None]):
    """acctmgr in a terminal."""

    TITLE = "acctmgr"

    def __init__(self, context: Context, settings: LoadedSettings) -> None:
        super().__init__()
        self.context = context
        self.settings = settings
        self.theme = settings.settings.theme


def create_app(context: Context, settings: LoadedSettings) -> AcctmgrApp:
    """Build the application for one user session."""
    return AcctmgrApp(context, settings)
