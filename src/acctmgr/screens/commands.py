"""Command palette commands: go to My day or Accounts, and jump to any account by name."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from rich.markup import escape
from textual.command import DiscoveryHit, Hit, Hits, Provider

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
ADMIN_PLACES = (("Open people", "people", "Add users, give roles and segments, deactivate"),)
COMPANY = ("Edit company identity", "Our name, address and numbers on documents and e-mails")


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

    def _places(self) -> list[tuple[str, Callable[[], None], str]]:
        places = [(title, self._go(mode), help_text) for title, mode, help_text in PLACES]
        if getattr(self, "_admin", False):
            places += [
                (title, self._go(mode), help_text) for title, mode, help_text in ADMIN_PLACES
            ]
            places.append((COMPANY[0], self._edit_company, COMPANY[1]))
        return places

    async def discover(self) -> Hits:
        for title, run, help_text in self._places():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, run, help_text in self._places():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
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

    def _edit_company(self) -> None:
        self.acctmgr.edit_company_identity()

    def _go(self, mode: str) -> Callable[[], None]:
        return lambda: self.acctmgr.go(mode)

    def _open(self, account_id: int) -> Callable[[], None]:
        return lambda: self.acctmgr.open_account(account_id)


def _literal(text: str) -> str:
    """Escape markup in a customer name for the palette's prompt."""
    return escape(safe(text))
