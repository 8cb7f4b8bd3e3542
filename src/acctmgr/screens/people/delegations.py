"""Delegates: naming who approves for someone while they are away, and the admins' list.

Anyone names their own delegate from the command palette ("Set a delegate") and reads or
revokes their own ("My delegations"); an admin names and revokes anyone's from the list People
opens (F11). The form is checked by the
service before anything is saved: a refusal stays beside its field, and what is only warned
of (approvals the delegate could not take) is read and confirmed with y before saving.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from acctmgr.screens.base import AcctmgrScreen, call_service
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.services.people import delegations
from acctmgr.services.people.delegations import DelegationIn, DelegationView
from acctmgr.widgets.form import FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.text import plain

if TYPE_CHECKING:
    from acctmgr.app import AcctmgrApp

USER = FormField("user_login", "Away", placeholder="the login of who is away, e.g. jdoe")
FIELDS = [
    FormField("delegate_login", "Delegate", placeholder="the login of who stands in, e.g. jdoe"),
    # Placeholders that read as dates were taken for values: these say the form instead.
    FormField("starts_on", "First day", placeholder="YYYY-MM-DD"),
    FormField("ends_on", "Last day", placeholder="YYYY-MM-DD"),
]
INTRO = (
    "While you are away your approvals reach your delegate too, and whoever decides first "
    "decides; the decision records that it was on your behalf. Both days are included."
)
ADMIN_INTRO = (
    "While they are away their approvals reach the delegate too, and whoever decides first "
    "decides; the decision records on whose behalf. Both days are included."
)


async def set_a_delegate(app: AcctmgrApp, *, for_anyone: bool = False) -> DelegationView | None:
    """Ask for a delegate and the days, show the warnings to confirm, then save; the saved
    delegation, or None when cancelled or refused."""
    context = app.context

    async def check(values: dict[str, str]) -> tuple[DelegationIn, list[str]]:
        data = DelegationIn.model_validate(values)
        warnings = await asyncio.to_thread(delegations.check_delegate, context, data)
        return data, warnings

    dialog = FormDialog(
        "Set a delegate",
        [USER, *FIELDS] if for_anyone else FIELDS,
        check,
        intro=ADMIN_INTRO if for_anyone else INTRO,
        # A week away by default, both days included: the user changes what differs.
        values={
            "starts_on": context.clock.today().isoformat(),
            "ends_on": (context.clock.today() + timedelta(days=6)).isoformat(),
        },
        save_label="Check and save",
    )
    checked: tuple[DelegationIn, list[str]] | None = await app.push_screen_wait(dialog)
    if checked is None:
        return None
    data, warnings = checked
    if warnings:
        question = "Save this delegate anyway?"
        if not await app.push_screen_wait(ConfirmScreen(question, "\n".join(warnings))):
            return None
    made = await call_service(
        app, context, delegations.set_delegate, data, confirmed=bool(warnings)
    )
    if made is not None:
        whose = f"{made.user}'s" if for_anyone else "your"
        app.notify(
            f"{made.delegate} approves {whose} approvals too from {made.starts_on:%d %b} to "
            f"{made.ends_on:%d %b}."
        )
    return made


class DelegationsScreen(AcctmgrScreen):
    """The delegations not over yet, soonest first: every user's (admins), or the signed-in
    user's own, as the one away or the delegate. Ctrl+N names one, Ctrl+X revokes the
    highlighted one."""

    TITLE = "Delegations"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+n", "add", "Add a delegation"),
        Binding("ctrl+x", "revoke", "Revoke the delegation"),
    ]

    def __init__(self, *, everyone: bool = True) -> None:
        super().__init__()
        self.everyone = everyone
        self._rows: dict[str, DelegationView] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="delegations-summary")
        yield RecordTable(
            ("Away", 18), ("Delegate", 18), ("From", 8), ("To", 8), "", id="delegations"
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        if not self.everyone:
            self.title = "My delegations"
        self.reload()

    @work(exclusive=True, group="delegations")
    async def reload(self) -> None:
        found = await self.call(delegations.list_delegations, everyone=self.everyone)
        if found is None:
            return
        self._rows = {str(row.id): row for row in found}
        self.query_one("#delegations-summary", Static).update(
            f"{len(found)} delegations today or to come"
            if found
            else "Nobody is away."
            if self.everyone
            else "You have no delegations."
        )
        self.query_one(RecordTable).show(_row(row) for row in found)
        self.refresh_bindings()

    def _highlighted(self) -> DelegationView | None:
        key = self.query_one(RecordTable).selected_key
        return self._rows.get(key) if key else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "revoke":
            return self._highlighted() is not None
        return True

    @work(group="delegate")
    async def action_add(self) -> None:
        if await set_a_delegate(self.acctmgr, for_anyone=self.everyone) is not None:
            self.reload()

    @work(group="delegate")
    async def action_revoke(self) -> None:
        row = self._highlighted()
        if row is None:
            return
        question = f"Revoke {row.delegate} as {row.user}'s delegate?"
        detail = f"From now on {row.user}'s approvals wait for {row.user} alone."
        if not await self.app.push_screen_wait(ConfirmScreen(question, detail)):
            return
        if await self.call(delegations.revoke_delegation, row.id) is not None:
            self.notify(f"{row.delegate} no longer approves for {row.user}.")
            self.reload()


def _row(row: DelegationView) -> Row:
    return (
        str(row.id),
        [
            plain(row.user),
            plain(row.delegate),
            plain(f"{row.starts_on:%d %b}"),
            plain(f"{row.ends_on:%d %b}"),
            plain("now" if row.active else ""),
        ],
    )
