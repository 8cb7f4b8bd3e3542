"""The Textual application: a small App class that the screens hang from.

``create_app`` is the one factory used by the CLI, the SSH server, demo mode and the tests: it
takes a Context (database, clock, login), the settings and, from ``startup.launch``, My day as
read at launch, and builds the App.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding

from acctmgr import resume_collection
from acctmgr.config import LoadedSettings, save_setting
from acctmgr.errors import AcctmgrError, UnknownUser
from acctmgr.screens.base import UNEXPECTED, call_service
from acctmgr.screens.modes import (
    accounts_screen,
    approvals_screen,
    catalogue_screen,
    erp_exports_screen,
    go_to_commands,
    outbox_screen,
    people_screen,
    rules_screen,
    templates_screen,
)
from acctmgr.screens.my_day import MyDayScreen
from acctmgr.services.kernel.context import Context
from acctmgr.services.my_day.day import MyDay
from acctmgr.widgets.text import safe

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.app import SystemCommand
    from textual.notifications import SeverityLevel
    from textual.screen import Screen

log = logging.getLogger("acctmgr.app")
DEMO_ACCOUNTS = 2000
# The use cases behind the screens My day leads to, loaded behind it once it has painted so the
# first key that leaves it does not wait for them. Services only: a Textual module being imported
# here would make the UI thread wait for this thread whenever it needed the same module.
WARM_UP_MODULES = (
    "acctmgr.services.people.users",
    "acctmgr.services.accounts.activities",
    "acctmgr.services.accounts.records",
    "acctmgr.services.accounts.search",
    "acctmgr.services.accounts.account_file",
    "acctmgr.services.approvals.inbox",
    "acctmgr.services.sales.quotes",
    "acctmgr.services.documents.stored_documents",
)


# Long enough for a mode's screen to be composed and show its first answers.
SETTLE_AFTER_SECONDS = 0.5


class AcctmgrApp(App[None]):
    """acctmgr in a terminal: My day and Accounts as modes, records pushed on top."""

    TITLE = "acctmgr"
    CSS_PATH = "screens/app.tcss"
    COMMANDS = App.COMMANDS | {go_to_commands}
    MODES = {
        "my_day": MyDayScreen,
        "accounts": accounts_screen,
        "approvals": approvals_screen,
        "catalogue": catalogue_screen,
        "outbox": outbox_screen,
        "erp_exports": erp_exports_screen,
        "templates": templates_screen,
        "rules": rules_screen,
        "people": people_screen,
    }
    BINDINGS = [
        # Not in the footer, which 80 columns keep for the screen's own keys: F1 is where people
        # look for help anyway, and the palette lists it.
        Binding("f1,question_mark", "keys", "Keys", show=False),
        Binding("f2", "go('my_day')", "My day", tooltip="Your tasks, approvals and cases"),
        Binding("f3", "go('accounts')", "Accounts", tooltip="Search every account"),
        Binding("f4", "go('approvals')", "Approvals", tooltip="Requests waiting for your decision"),
    ]

    def __init__(
        self, context: Context, settings: LoadedSettings, first_day: MyDay | None = None
    ) -> None:
        super().__init__()
        self.context = context
        self.settings = settings
        self.signed_in = False
        self.first_day = first_day
        self._settled_modes = {"my_day"}  # settled with start-up
        self.theme = settings.settings.theme

    def on_mount(self) -> None:
        if self.first_day is not None:
            # The database was ready at launch (startup.launch): My day shows the day read then
            # and, once it is on screen, calls warm_up to load the database layer behind it.
            self.enter()
            return
        settle_memory()
        self.begin()

    @work(exclusive=True, group="start")
    async def begin(self) -> None:
        """Decide where to start: first run, an unknown login, or My day."""
        from acctmgr.services.people import users as user_service

        users = await call_service(self, self.context, user_service.count_users)
        if users is None:
            return
        if users == 0:
            await self.first_run()
            return
        try:
            await asyncio.to_thread(user_service.me, self.context)
        except UnknownUser as error:
            from acctmgr.screens.sign_in.unknown_login import UnknownLoginScreen

            await self.push_screen(UnknownLoginScreen(error.message, await self._login_hint()))
            return
        except AcctmgrError as error:
            self.notify(error.message, severity="error", timeout=10)
            return
        self.enter()

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
    def warm_up(self) -> None:
        """Open the database and load the next screens' use cases, off the UI thread.

        Called once My day has painted the day read at launch: the loading holds the GIL most of
        the time it runs, and would otherwise slow that first paint.
        """
        try:
            self.context.database  # noqa: B018 - opening it is the point
            for name in WARM_UP_MODULES:
                importlib.import_module(name)
        except AcctmgrError as error:
            # The next use case tries again and says the same; tell the user now.
            self.call_from_thread(self.notify, error.message, severity="error")
        except Exception:
            log.exception("loading behind My day failed")
            self.call_from_thread(self.notify, UNEXPECTED, severity="error")
        self.call_from_thread(settle_memory)

    async def first_run(self) -> None:
        """The Welcome flow: create the first admin, or load the demo data and pick a persona."""
        from acctmgr.screens.sign_in.welcome import WelcomeScreen

        while True:
            choice = await self.push_screen_wait(WelcomeScreen())
            if choice is None:
                self.exit()
                return
            login = await (self._create_admin() if choice == "admin" else self._load_demo())
            if login is not None:
                self.context = self.context.as_user(login)
                self.enter()
                return

    async def _create_admin(self) -> str | None:
        from acctmgr.screens.sign_in.first_admin import FirstAdminScreen

        while True:
            data = await self.push_screen_wait(FirstAdminScreen(self.context.login))
            if data is None:
                return None
            from acctmgr.services.people import users

            created = await call_service(self, self.context, users.create_first_admin, data)
            if created is not None:
                self.notify(f"Welcome, {created.name}. You are the admin of this database.")
                return created.login

    async def _load_demo(self) -> str | None:
        from acctmgr.demo.seed import PERSONAS, seed_demo
        from acctmgr.screens.sign_in.persona import PersonaScreen

        self.notify("Loading the demo data…", timeout=3)
        try:
            await asyncio.to_thread(
                seed_demo,
                self.context.database,
                accounts=DEMO_ACCOUNTS,
                now=self.context.clock.now(),
            )
        except AcctmgrError as error:
            self.notify(error.message, severity="error", timeout=10)
            return None
        personas = [
            (login, name, ", ".join(sorted(role.label for role in roles)))
            for login, (name, roles, _segment) in PERSONAS.items()
        ]
        return await self.push_screen_wait(PersonaScreen(personas))

    async def _login_hint(self) -> str:
        from acctmgr.demo.seed import PERSONAS

        if await asyncio.to_thread(_has_demo_personas, self.context):
            logins = ", ".join(PERSONAS)
            return f"This is the demo database: start acctmgr with --as and one of {logins}."
        return (
            "Start acctmgr with --as and your acctmgr login, or ask an admin to add you "
            "with: acctmgr users add LOGIN --name … --email … --role …"
        )

    def enter(self) -> None:
        """The user is known: go to My day."""
        self.signed_in = True
        self.switch_mode("my_day")

    def take_first_day(self) -> MyDay | None:
        """The day read at launch, once: My day shows it instead of reading it again."""
        day, self.first_day = self.first_day, None
        return day

    def go(self, mode: str) -> None:
        """Show the mode's home: its own screen, with whatever was opened over it closed."""
        if not self.signed_in:
            return
        if mode == self.current_mode and len(self.screen_stack) > 1:
            self._back_home()
            return
        self.switch_mode(mode)
        if mode not in self._settled_modes:
            self.set_timer(SETTLE_AFTER_SECONDS, partial(self._settle, mode))

    def _back_home(self) -> None:
        # Closing a screen that holds typed, unsaved work would drop it without a word: say
        # where it is instead, and go nowhere.
        for screen in reversed(self.screen_stack[1:]):
            if getattr(screen, "has_unsaved_work", lambda: False)():
                self.notify(
                    f"{screen.title or 'This screen'} has changes not saved yet: Ctrl+S saves "
                    "them, Escape keeps them as a draft.",
                    severity="warning",
                )
                return
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette's commands: Textual's, then every action the screen offers now."""
        from acctmgr.screens.commands import screen_actions

        yield from super().get_system_commands(screen)
        yield from screen_actions(self, screen)

    def _settle(self, mode: str) -> None:
        """Freeze what a mode's screen brought, once it is shown and alone on its stack.

        The screen lives as long as the app, and so do the modules and caches that came with
        it (~30,000 objects for Accounts). Left in the collector's sight, each full collection
        walked them: 15-35 ms, at random keystrokes (benchmarks/search.py). A record screen
        pushed on top would be frozen with them and never freed once closed, so then this
        waits for the mode's next visit.
        """
        if mode in self._settled_modes or self.current_mode != mode or len(self.screen_stack) > 1:
            return
        self._settled_modes.add(mode)
        # The garbage of the last moments goes first (under a millisecond: the screen's own
        # objects have moved to the oldest generation by now), so that it is not kept forever.
        gc.collect(1)
        settle_memory()

    def action_go(self, mode: str) -> None:
        self.go(mode)

    def action_keys(self) -> None:
        """Show the keys of the current screen beside it (Textual's help panel), or hide them."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    @work(group="company")
    async def edit_company_identity(self) -> None:
        """The company's identity form (admins), over the current screen."""
        from acctmgr.screens.people.company import edit_company_identity

        await edit_company_identity(self)

    @work(group="delegate")
    async def set_a_delegate(self) -> None:
        """Name one's own delegate for some days (the palette's "Set a delegate")."""
        from acctmgr.screens.people.delegations import set_a_delegate

        await set_a_delegate(self)

    def open_account(self, account_id: int) -> None:
        from acctmgr.screens.accounts.account import AccountScreen

        self.push_screen(AccountScreen(account_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "go" and not self.signed_in)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification; every screen's and widget's ``notify`` comes here.

        Its text is shown as written, never as markup and with control characters made
        visible: notifications quote names, subjects and sentences that people typed, and a
        name like ``[bold red]Root[/]`` must read as those letters. ``markup`` is accepted to
        keep Textual's signature, and ignored.
        """
        super().notify(
            safe(message), title=safe(title), severity=severity, timeout=timeout, markup=False
        )

    def watch_theme(self, theme: str) -> None:
        if theme != self.settings.settings.theme:
            self._save_theme(theme)

    @work(thread=True, group="settings", exit_on_error=False)
    def _save_theme(self, theme: str) -> None:
        try:
            save_setting(self.settings.paths, "theme", theme)
        except AcctmgrError as error:
            self.call_from_thread(self.notify, error.message, severity="warning")

    def _handle_exception(self, error: Exception) -> None:
        # One place for failures nobody caught: log them and tell the user in one sentence,
        # instead of Textual's default of quitting with a traceback.
        log.exception("unhandled error in the UI", exc_info=error)
        try:
            self.notify(UNEXPECTED, severity="error", timeout=10)
        except Exception:  # the app is too broken to notify: fall back to Textual's exit
            super()._handle_exception(error)


def settle_memory() -> None:
    """Move everything loaded so far out of the garbage collector's sight, and turn it on.

    Imports and start-up leave ~150,000 long-lived objects; a full collection walking them
    paused the UI for 100-150 ms at random keystrokes (measured by benchmarks/search.py).
    Frozen objects are never collected, which is right for what lives as long as the app.
    """
    resume_collection()


def _has_demo_personas(context: Context) -> bool:
    from acctmgr.demo.seed import PERSONAS
    from acctmgr.services.people import users as user_service

    anonymous = context.as_user(next(iter(PERSONAS)))
    try:
        user_service.me(anonymous)
    except AcctmgrError:
        return False
    return True


def create_app(
    context: Context, settings: LoadedSettings, first_day: MyDay | None = None
) -> AcctmgrApp:
    """Build the application for one user session; ``first_day`` is My day as read at launch
    (``startup.launch``), shown at once while the database layer loads."""
    return AcctmgrApp(context, settings, first_day)
