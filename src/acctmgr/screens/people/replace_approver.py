"""Replacing a person in approvals, from the People list: pick the replacement, read every
change it makes, confirm. The refusals (a role or segment the replacement lacks) show beside
the choice, before anything is asked."""

from __future__ import annotations

from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.dialog import ConfirmScreen, FormDialog
from acctmgr.services.people import approver_replacement
from acctmgr.services.people import users as user_service
from acctmgr.services.people.approver_replacement import Replacement
from acctmgr.widgets.form import FormField

SHOWN_CHANGES = 12  # more would run off an 80x24 terminal; the count says how many are left


async def replace_in_approvals(screen: AcctmgrScreen, login: str, name: str) -> bool:
    """Walk the admin through replacing ``login``; True once the replacement is made."""
    people = await screen.call(user_service.list_users)
    if people is None:
        return False
    choices = [
        (f"{person.name} ({person.login})", person.login)
        for person in people
        if person.active and person.login != login
    ]
    field = FormField("replacement", "Replace them with", kind="choice", choices=choices)

    async def preview(values: dict[str, str]) -> Replacement:
        plan: Replacement = await screen.run_service(
            approver_replacement.preview_replacement, login, values["replacement"]
        )
        return plan

    dialog = FormDialog(
        f"Replace {name} in approvals",
        [field],
        preview,
        intro="The rules that name them, the groups that hold them and the approvals that "
        "wait on them go to the person you pick. You see every change before it is made.",
        save_label="See the changes",
    )
    plan: Replacement | None = await screen.app.push_screen_wait(dialog)
    if plan is None:
        return False
    if not plan.changes:
        screen.notify(f"No rule, group or open approval names {plan.user}; nothing to replace.")
        return False
    shown = plan.changes[:SHOWN_CHANGES]
    more = len(plan.changes) - len(shown)
    detail = "\n".join(f"• {change}" for change in shown) + (
        f"\n… and {more} more." if more else ""
    )
    question = f"Make these {len(plan.changes)} changes, {plan.user} → {plan.replacement}?"
    if not await screen.app.push_screen_wait(ConfirmScreen(question, detail)):
        return False
    done = await screen.call(
        approver_replacement.replace_approver, login, plan.replacement_login, plan.token
    )
    if done is None:
        return False
    screen.notify(
        f"{done.replacement} now holds what {done.user} held: {len(done.changes)} changes."
    )
    return True
