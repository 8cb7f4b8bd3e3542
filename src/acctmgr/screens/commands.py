"""Command palette commands: go to My day or Accounts, jump to any account by name, and every
action of the current screen."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from rich.markup import escape
from textual.app import App, SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from acctmgr.domain.roles import Role
from acctmgr.errors import AcctmgrError
from acctmgr.services.accounts.search import AccountQuery, search_accounts
from acctmgr.services.people import users as user_service
from acctmgr.widgets.text import safe

if TYPE_CHECKING:
    from acctmgr.app import AcctmgrApp

PLACES = (
    ("Open My day", "my_day", "Your tasks, approvals, cases and renewals"),
    ("Open Accounts", "accounts", "Search and filter every account you can see"),
    (
        "Open the catalogue",
        "catalogue",
        "SKUs with their locked content, versions, prices and packages",
    ),
    ("Open the outbox", "outbox", "E-mails sent, waiting for a retry or failed (admins)"),
    ("Open approval rules", "rules", "Who approves which quotes, and within how many hours"),
    ("Open document templates", "templates", "Edit the PO, offer, contract and e-mail templates"),
)
# Offered to admins only: the services refuse anyone else, so nobody else is shown the way in.
ADMIN_PLACES = (
    ("Open people", "people", "Add users, give roles and segments, deactivate"),
    ("Open the ERP exports", "erp_exports", "Orders written for the ERP, or waiting and why"),
)
COMPANY = ("Edit company identity", "Our name, address and numbers on documents and e-mails")

# Everyone's own setting (the palette offers the one that changes it).
EMAILS_OFF = ("Turn approval e-mails off", "Stop e-mails about approvals; My day still shows them")
EMAILS_ON = ("Turn approval e-mails on", "E-mail me when an approval reaches me or is decided")

ORDER_SITUATION_HELP = "Contracts, subscriptions, invoices, usage and upsell, before a call"
NEW_ACCOUNT = ("New account", "Create an account: its name, segment, owner and currency")
# Everyone's own: who approves for them while they are away.
DELEGATE = ("Set a delegate", "Name who approves for you while you are away, and the days")
MY_DELEGATIONS = ("My delegations", "Who approves for you, for whom you approve; revoke them")


class GoToCommands(Provider):
    """Places to go, and accounts by name (searched in the database as you type)."""

    @property
    def acctmgr(self) -> AcctmgrApp:
        return cast("AcctmgrApp", self.app)

    async def startup(self) -> None:
        self._admin = False
        if not self.acctmgr.signed_in:
            return
        try:
            me = await asyncio.to_thread(user_service.me, self.acctmgr.context)
        except AcctmgrError:
            return
        self._admin = Role.ADMIN in me.roles
        self._emails = me.approval_emails

    def _places(self) -> list[tuple[str, Callable[[], None], str]]:
        places = [(title, self._go(mode), help_text) for title, mode, help_text in PLACES]
        if getattr(self, "_admin", False):
            places += [
                (title, self._go(mode), help_text) for title, mode, help_text in ADMIN_PLACES
            ]
            places.append((COMPANY[0], self._edit_company, COMPANY[1]))
        emails = getattr(self, "_emails", None)
        if emails is not None:
            title, help_text = EMAILS_OFF if emails else EMAILS_ON
            places.append((title, self._switch_emails(not emails), help_text))
            places.append((DELEGATE[0], self._set_a_delegate, DELEGATE[1]))
            places.append((MY_DELEGATIONS[0], self._my_delegations, MY_DELEGATIONS[1]))
        return places

    def _here(self) -> list[tuple[str, Callable[[], None], str]]:
        """What the palette offers for the account on screen: its order situation."""
        from acctmgr.screens.accounts.account import AccountScreen

        screen = self.screen
        if not isinstance(screen, AccountScreen) or screen.account is None:
            return []
        title = f"Order situation of {screen.account.name}"
        return [(title, screen.action_order_situation, ORDER_SITUATION_HELP)]

    async def discover(self) -> Hits:
        for title, run, help_text in self._here():
            yield DiscoveryHit(_literal(title), run, text=title, help=help_text)
        for title, run, help_text in self._places():
            yield DiscoveryHit(title, run, help=help_text)
        if self.acctmgr.signed_in:
            yield DiscoveryHit(NEW_ACCOUNT[0], self._new_account, help=NEW_ACCOUNT[1])

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, run, help_text in self._here():
            score = matcher.match(title)
            if score > 0:  # a customer's name: shown as letters, never as markup
                yield Hit(
                    score, matcher.highlight(_literal(title)), run, text=title, help=help_text
                )
        for title, run, help_text in self._places():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
        score = matcher.match(NEW_ACCOUNT[0])
        if score > 0 and self.acctmgr.signed_in:
            title, help_text = NEW_ACCOUNT
            yield Hit(score, matcher.highlight(title), self._new_account, help=help_text)
        text = query.strip()
        if len(text) < 2 or self.acctmgr.context.login is None:
            return
        try:
            page = await asyncio.to_thread(
                search_accounts,
                self.acctmgr.context,
                AccountQuery(text=text, limit=10),
            )
        except AcctmgrError:
            return
        for row in page.items:
            title = f"Go to account {row.name}"
            yield Hit(
                0.5,
                f"Go to account {_literal(row.name)}",
                self._open(row.id),
                text=title,
                help=", ".join(p for p in (row.billing_city, row.segment_name) if p),
            )
            yield Hit(
                0.4,
                f"Agreed prices of {_literal(row.name)}",
                self._agreed_prices(row.id),
                text=f"Agreed prices of {row.name}",
                help="Its special prices and discounts, with their validity",
            )

    def _switch_emails(self, on: bool) -> Callable[[], None]:
        async def switch() -> None:
            try:
                await asyncio.to_thread(user_service.set_approval_emails, self.acctmgr.context, on)
            except AcctmgrError as error:
                self.app.notify(error.message, severity="error", timeout=8)
                return
            self.app.notify(
                "Approval e-mails are on."
                if on
                else "Approval e-mails are off; My day and Approvals (F4) still show what "
                "waits for you."
            )

        def run() -> None:
            self.app.run_worker(switch(), group="approval-emails")

        return run

    def _edit_company(self) -> None:
        self.acctmgr.edit_company_identity()

    def _set_a_delegate(self) -> None:
        self.acctmgr.set_a_delegate()

    def _my_delegations(self) -> None:
        from acctmgr.screens.people.delegations import DelegationsScreen

        self.app.push_screen(DelegationsScreen(everyone=False))

    def _new_account(self) -> None:
        from acctmgr.screens.accounts.account_forms import open_new_account
        from acctmgr.screens.base import AcctmgrScreen

        screen = self.app.screen
        if isinstance(screen, AcctmgrScreen):  # a screen of ours, not a dialog
            screen.run_worker(open_new_account(screen), group="new-account", exclusive=True)

    def _go(self, mode: str) -> Callable[[], None]:
        return lambda: self.acctmgr.go(mode)

    def _open(self, account_id: int) -> Callable[[], None]:
        return lambda: self.acctmgr.open_account(account_id)

    def _agreed_prices(self, account_id: int) -> Callable[[], None]:
        def run() -> None:
            from acctmgr.screens.sales.agreed_prices import AgreedPricesScreen

            self.app.push_screen(AgreedPricesScreen(account_id))

        return run


def _literal(text: str) -> str:
    """Escape markup in a customer name for the palette's prompt."""
    return escape(safe(text))


def screen_actions(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """Each action the screen offers now (what its footer and keys panel list, those its
    ``check_action`` allows), named as its key's description, with the key to learn."""
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if active.node is app or not active.enabled or not binding.description:
            continue  # the app's own keys are the places above
        if binding.action in seen:
            continue
        seen.add(binding.action)
        yield SystemCommand(
            binding.description,
            f"{app.get_key_display(binding)} on this screen",
            partial(app.run_action, binding.action, active.node),
        )
