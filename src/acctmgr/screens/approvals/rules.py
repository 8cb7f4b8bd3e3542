"""Approval rules, which are data: who approves what, within which SLA.

Everybody may read them (a seller sees why a quote needs Finance); an Admin changes them: Enter
edits the highlighted rule (its condition such as ``discount_pct > 30``, its approver, its SLA
and reminder, whether it is smart, whom it escalates to, or switches it off), ``n`` adds one.
Requests already submitted keep the approvals they were routed to.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from acctmgr.domain.approvals import ApproverKind
from acctmgr.domain.records import RecordType
from acctmgr.domain.roles import Role, role_called
from acctmgr.screens.base import AcctmgrScreen
from acctmgr.screens.dialog import FormDialog
from acctmgr.services.approvals import rules as approval_rules
from acctmgr.services.approvals.rule_conditions import condition_text, parse_condition
from acctmgr.services.approvals.rules import RuleIn, RuleView
from acctmgr.services.people import users as user_service
from acctmgr.services.sales.quote_facts import QUOTE_FACTS
from acctmgr.widgets.form import FormField
from acctmgr.widgets.keys_footer import KeysFooter
from acctmgr.widgets.record_table import RecordTable, Row
from acctmgr.widgets.text import plain

APPROVERS = [(role.label, role.value) for role in Role] + [
    ("A named user (login below)", "user"),
    ("An approval group (name below)", "group"),
]
FIELDS = [
    FormField("name", "Name", placeholder="what the rule is for"),
    FormField("condition", "Applies when", placeholder="e.g. discount_pct > 30"),
    FormField("approver", "Approved by", "choice", choices=APPROVERS),
    FormField("approver_name", "User or group", placeholder="login or group name, if chosen"),
    FormField("tier", "Tier", placeholder="1 = first; same tier decides in parallel"),
    FormField("sla_hours", "Answer within (h)", placeholder="hours, e.g. 48; empty for none"),
    FormField("reminder_hours", "Remind after (h)", placeholder="hours, e.g. 24"),
    FormField("smart", "Smart", "check", placeholder="an approval given holds while its facts do"),
    FormField("escalate_to", "Escalate to", placeholder="a login or a role, once the SLA passes"),
    FormField("escalate_hours", "Escalate after (h)", placeholder="working hours past the SLA"),
    FormField("active", "Active", "check", placeholder="the rule applies to new submissions"),
]


class ApprovalRulesScreen(AcctmgrScreen):
    TITLE = "Approval rules"
    BINDINGS = [Binding("n", "new_rule", "New rule")]

    def __init__(self) -> None:
        super().__init__()
        self.rules: dict[str, RuleView] = {}
        self.is_admin = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="rules-hint")
        yield RecordTable(
            ("Rule", 27),
            ("Applies when", 22),
            ("Approved by", 16),
            ("SLA", 5),
            ("On", 3),
            id="rules",
            sorts=("name", None, None, "sla", "active"),
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="rules")
    async def load(self) -> None:
        me = await self.call(user_service.me)
        sort = self.query_one("#rules", RecordTable).sort or approval_rules.STANDING
        found = await self.call(approval_rules.rules, sort)
        if me is None or found is None:
            return
        self.is_admin = Role.ADMIN in me.roles
        self.rules = {str(rule.id): rule for rule in found}
        self.query_one("#rules-hint", Static).update(
            "Enter edits a rule · n adds one" if self.is_admin else "Only an Admin changes rules."
        )
        self.query_one(RecordTable).show(_row(rule) for rule in found)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_admin if action == "new_rule" else True

    @on(RecordTable.SortChanged, "#rules")
    def _sorted(self) -> None:
        self.load()

    @on(RecordTable.RowSelected, "#rules")
    def _edit(self, event: RecordTable.RowSelected) -> None:
        rule = self.rules.get(event.key)
        if rule is not None and self.is_admin:
            self.edit(rule)

    def action_new_rule(self) -> None:
        self.edit(None)

    @work(exclusive=True, group="rule-edit")
    async def edit(self, rule: RuleView | None) -> None:
        async def save(values: dict[str, str]) -> RuleView:
            data = _rule_in(values)
            if rule is None:
                added: RuleView = await self.run_service(approval_rules.add_rule, data)
                return added
            changed: RuleView = await self.run_service(
                approval_rules.update_rule,
                rule.id,
                rule.version,
                data,
                active=bool(values["active"]),
            )
            return changed

        saved = await self.app.push_screen_wait(
            FormDialog(
                f"Rule: {rule.name}" if rule else "New approval rule",
                FIELDS if rule else FIELDS[:-1],
                save,
                intro=f"Facts a quote offers: {', '.join(QUOTE_FACTS)}.",
                values=_values(rule),
            )
        )
        if saved is not None:
            self.notify(f"Rule saved: {saved.name}.")
            self.load()


def _row(rule: RuleView) -> Row:
    sla = f"{rule.sla_hours} h" if rule.sla_hours else ""
    return (
        str(rule.id),
        [
            plain(rule.name),
            plain(condition_text(rule.condition)),
            plain(rule.approver),
            sla,
            "yes" if rule.active else "off",
        ],
    )


def _values(rule: RuleView | None) -> dict[str, str]:
    if rule is None:
        return {"tier": "1", "sla_hours": "48", "reminder_hours": "24", "active": "yes"}
    data = rule.data
    approver = data.approver_role.value if data.approver_role else data.approver_kind.value
    if data.approver_kind is ApproverKind.USER:
        approver = "user"
    elif data.approver_kind is ApproverKind.GROUP:
        approver = "group"
    return {
        "name": data.name,
        "condition": condition_text(data.condition),
        "approver": approver,
        "approver_name": data.approver_login or data.approver_group or "",
        "tier": str(data.tier),
        "sla_hours": str(data.sla_hours or ""),
        "reminder_hours": str(data.reminder_hours or ""),
        "smart": "yes" if data.smart else "",
        "escalate_to": data.escalate_to_login
        or (data.escalate_to_role.label if data.escalate_to_role else ""),
        "escalate_hours": "" if data.escalate_hours is None else str(data.escalate_hours),
        "active": "yes" if rule.active else "",
    }


def _rule_in(values: dict[str, str]) -> RuleIn:
    approver = values["approver"]
    name = values["approver_name"].strip() or None
    fields: dict[str, Any] = {
        "name": values["name"],
        "record_type": RecordType.QUOTE,
        "condition": parse_condition(values["condition"]),
        "tier": values["tier"] or "1",
        "sla_hours": values["sla_hours"] or None,
        "reminder_hours": values["reminder_hours"] or None,
        "smart": bool(values.get("smart")),
        "escalate_hours": values.get("escalate_hours") or None,
    }
    # Escalation goes to a role when the text names one (as the people form spells roles),
    # else to the user of that login.
    target = values.get("escalate_to", "").strip()
    role = role_called(target) if target else None
    fields |= {"escalate_to_role": role, "escalate_to_login": None if role else target or None}
    if approver == "user":
        fields |= {"approver_kind": ApproverKind.USER, "approver_login": name}
    elif approver == "group":
        fields |= {"approver_kind": ApproverKind.GROUP, "approver_group": name}
    else:
        fields |= {"approver_kind": ApproverKind.ROLE_IN_SEGMENT, "approver_role": approver or None}
    return RuleIn.model_validate(fields)
