"""The screens of the app's modes and its palette's places, each imported when first shown.

Kept apart from ``acctmgr.app`` so that the App class stays small; nothing here is imported
before it is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.screen import Screen


# Screens other than My day (and the services behind them) are imported when first shown: they
# took ~60 ms of every launch (benchmarks/launch.py) before anything was on screen.
def accounts_screen() -> Screen[Any]:
    """The Accounts mode's screen, imported when first opened."""
    from acctmgr.screens.accounts.search import AccountsScreen

    return AccountsScreen()


def go_to_commands() -> type[Provider]:
    """The command palette's places and accounts, imported when the palette first opens."""
    from acctmgr.screens.commands import GoToCommands

    return GoToCommands


def approvals_screen() -> Screen[Any]:
    """The approvals inbox, imported when first opened."""
    from acctmgr.screens.approvals.inbox import ApprovalsScreen

    return ApprovalsScreen()


def catalogue_screen() -> Screen[Any]:
    """The catalogue of SKUs and packages, imported when first opened."""
    from acctmgr.screens.catalogue.skus import CatalogueScreen

    return CatalogueScreen()


def outbox_screen() -> Screen[Any]:
    """The e-mail outbox (admins), imported when first opened."""
    from acctmgr.screens.mail.outbox import OutboxScreen

    return OutboxScreen()


def erp_exports_screen() -> Screen[Any]:
    """The ERP exports (admins), imported when first opened."""
    from acctmgr.screens.fulfilment.exports import ExportsScreen

    return ExportsScreen()


def rules_screen() -> Screen[Any]:
    """The approval rules, imported when first opened."""
    from acctmgr.screens.approvals.rules import ApprovalRulesScreen

    return ApprovalRulesScreen()


def people_screen() -> Screen[Any]:
    """The users and their roles (admins), imported when first opened."""
    from acctmgr.screens.people.people import PeopleScreen

    return PeopleScreen()


def templates_screen() -> Screen[Any]:
    """The document templates and their editor, imported when first opened."""
    from acctmgr.screens.documents.templates import TemplatesScreen

    return TemplatesScreen()
