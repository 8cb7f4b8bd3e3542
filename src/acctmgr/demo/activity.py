"""Activities: what staff logged with customers lately, and everyone's tasks for today.

Customers have a few calls, e-mails, meetings and notes from the last four months, and now and
then a reminder to follow up. Every persona has open work to show on My day (two tasks overdue,
three due today, three later this week) about customers they would really work on, and every
colleague has a couple of tasks too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from acctmgr.demo.dates import instant
from acctmgr.demo.featured import ONBOARDING_FEATURED
from acctmgr.demo.load import Customer, DemoLoad, ParentAccount
from acctmgr.demo.staff import PERSONAS, STAFF
from acctmgr.models import ActivityKind

HISTORY: dict[ActivityKind, tuple[str, ...]] = {
    ActivityKind.CALL: (
        "Quarterly check-in call",
        "Call about the renewal",
        "Usage review call",
        "Call about the latest invoice",
        "Call to plan the next workshop",
    ),
    ActivityKind.EMAIL: (
        "Sent the monthly usage report",
        "Sent the renewal reminder",
        "Answered a question about page-view limits",
        "Sent workshop dates",
        "Confirmed the invoice address",
    ),
    ActivityKind.MEETING: (
        "Quarterly business review",
        "On-site visit",
        "Workshop debrief",
        "Roadmap presentation",
    ),
    ActivityKind.NOTE: (
        "Reviewing their budget for next year",
        "New head of digital started this month",
        "Interested in session replay",
        "Asked about volume discounts",
        "Happy with the support team",
        "Looking at a competitor",
    ),
}
HISTORY_KINDS = (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING, ActivityKind.NOTE)
HISTORY_CUM = (35, 70, 85, 100)
OUTCOMES = ("Positive", "Follow-up needed", "Left a voicemail", "Will confirm by e-mail", "")

# Each persona's open work: two overdue, three due today, three later this week. "{account}"
# and "{contact}" name a customer the persona would really work on.
PERSONA_TASKS: dict[str, tuple[str, ...]] = {
    "ae": (
        "Call {contact} at {account} about the renewal",
        "Send the usage summary to {account}",
        "Prepare the quarterly review for {account}",
        "Remind {contact} of the 60-day notice",
        "Log the outcome of the {account} call",
        "Check in with {account} after the workshop",
        "Ask {contact} who owns the new budget",
        "Update the account plan for {account}",
    ),
    "cms": (
        "Review usage and services of {account}",
        "Confirm goals with {contact} at {account}",
        "Chase the signature on the {account} contract",
        "Build the reduction quote for {account}",
        "Call {contact} about the placeholder request",
        "Check the notice deadline for {account}",
        "Send the revised offer to {account}",
        "Close the opportunity for {account}",
    ),
    "leader": (
        "Review the rate reduction for {account}",
        "Sign off the Mid-market forecast",
        "Decide on the discount for {account}",
        "One-to-one with Erin about {account}",
        "Review renewals in the notice window",
        "Coach Casey on the {account} negotiation",
        "Prepare the segment review",
        "Check the approval turnaround report",
    ),
    "kam": (
        "Follow up the offer sent to {contact}",
        "Check the order situation of {account}",
        "Present the upsell package to {account}",
        "Design the renewal package for {account}",
        "Send the offer e-mail to {contact}",
        "Review upsell potential of {account}",
        "Plan the executive visit to {account}",
        "Ask {contact} for feedback on the offer",
    ),
    "custsvc": (
        "Collect signatures for the {account} contract",
        "Check the invoice contact of {account}",
        "Finalise the contract of {account}",
        "Start the test subscription for {account}",
        "Check the billing address of {account}",
        "Split the {account} order by location",
        "Review the draft invoices of {account}",
        "Confirm the territory of use for {account}",
    ),
    "success": (
        "Answer the off-catalogue request from {account}",
        "Plan the workshop with {contact}",
        "Check unused audits at {account}",
        "Review the on-site support request of {account}",
        "Schedule the training for {account}",
        "Publish the updated service catalogue",
        "Call {contact} about the workshop deadline",
        "Review the statement of work for {account}",
    ),
    "presales": (
        "Write the statement of work for {account}",
        "Scope the on-site support for {account}",
        "Demo session replay to {contact}",
        "Estimate the audit effort for {account}",
        "Review the SOW with {contact}",
        "Prepare the technical answers for {account}",
        "Check the tagging plan of {account}",
        "Update the SOW templates",
    ),
    "finance": (
        "Chase the overdue invoice of {account}",
        "Review the draft invoices for this week",
        "Answer the payment question from {contact}",
        "Check the page-view overage of {account}",
        "Export the orders to the ERP",
        "Approve the credit note for {account}",
        "Reconcile payments received",
        "Check the invoice address of {account}",
    ),
    "im": (
        "Import the iSeries export for {account}",
        "Resolve the billing discrepancy at {account}",
        "Tell the SSM the data of {account} is ready",
        "Announce inventory loading for {account}",
        "Apply the account changes for {account}",
        "Check the dry-run diff for {account}",
        "Daily handoff call with the SSM",
        "Close the onboarding request for {account}",
    ),
    "ssm": (
        "Generate the first report for {account}",
        "Go through the transition checklist for {account}",
        "Daily handoff call with the IM",
        "Review open billing discrepancies at {account}",
        "Meet the NAM about {account}",
        "Check inventory loading for {account} bids",
        "Take over reporting for {account}",
        "Update the transition SOP",
    ),
    "nam": (
        "Send the new locations of {account} to the IM",
        "Review the performance of {account}",
        "Confirm the account list with {contact}",
        "Ask the IM for the status of {account}",
        "Plan the annual review of {account}",
        "Remove the closed location from {account}",
        "Call {contact} about the new sites",
        "Prepare the national agreement renewal for {account}",
    ),
    "admin": (
        "Review the access requests",
        "Check the outbox for failed e-mails",
        "Rotate the SSH key of the SSH gateway",
        "Add the new starter in Customer Services",
        "Replace the approver on leave",
        "Review the approval rules",
        "Update the invoice template",
        "Archive retired SKUs",
    ),
    "trainer": (
        "Prepare the Monday demo class",
        "Reset the training database",
        "Update the retention scenario checklist",
        "Run the approvals walkthrough",
        "Collect feedback from the new starters",
        "Rehearse the onboarding handoff tour",
        "Write the KAM scenario",
        "Book the room for Friday's session",
    ),
}
# When each persona task is due, in PERSONA_TASKS order: (days from today, hour, minute).
TASK_SLOTS: tuple[tuple[int, int, int], ...] = (
    (-3, 10, 0),
    (-1, 15, 0),
    (0, 9, 0),
    (0, 13, 30),
    (0, 16, 0),
    (1, 11, 0),
    (3, 10, 0),
    (5, 14, 0),
)


def log_activity(
    load: DemoLoad,
    kind: ActivityKind,
    subject: str,
    info: Customer | ParentAccount | None,
    *,
    created_by: int,
    at: datetime,
    assigned_to: int | None = None,
    due_at: datetime | None = None,
    record: tuple[str, int] | None = None,
    notes: str = "",
    outcome: str = "",
) -> None:
    """An activity on the account (or on nobody's account): done ``at`` then, or due at ``due_at``.

    It is assigned to whoever created it unless ``assigned_to`` says otherwise; ``record`` is the
    (type, id) of the case or request it is about.
    """
    writer = load.writer
    done = due_at is None
    writer.add(
        "activities",
        {
            "id": writer.new_id("activities"),
            "kind": kind,
            "subject": subject,
            "notes": notes,
            "outcome": outcome,
            "account_id": info.id if info else None,
            "contact_id": info.contact_id if info else None,
            "record_type": record[0] if record else None,
            "record_id": record[1] if record else None,
            "created_by_id": created_by,
            "assigned_to_id": assigned_to if assigned_to is not None else created_by,
            "due_at": due_at,
            "done_at": at if done else None,
            "created_at": at,
            "updated_at": None,
            "version": 1,
        },
    )


def log_history(load: DemoLoad, info: Customer) -> None:
    """About two logged calls, e-mails, meetings or notes from the last four months."""
    chance = load.chance
    for _ in range(chance.pick((1, 2, 2, 3))):
        kind = chance.weighted(HISTORY_KINDS, HISTORY_CUM)
        day = load.today - timedelta(days=chance.between(1, 120))
        by = info.kam_id if info.kam_id and chance.random() < 0.4 else info.owner_id
        talk = kind in (ActivityKind.CALL, ActivityKind.MEETING)
        log_activity(
            load,
            kind,
            chance.pick(HISTORY[kind]),
            info,
            created_by=by,
            at=instant(day, chance.between(8, 17), chance.between(0, 59)),
            notes=f"With {info.contact_name}." if talk and info.contact_name else "",
            outcome=chance.pick(OUTCOMES) if talk else "",
        )
    if chance.random() < 0.03:
        due = instant(load.today + timedelta(days=chance.between(8, 45)), 10)
        log_activity(
            load,
            ActivityKind.REMINDER,
            f"Follow up with {info.contact_name or info.name}",
            info,
            created_by=info.owner_id,
            at=load.now - timedelta(days=chance.between(1, 20)),
            due_at=due,
        )


def assign_tasks(load: DemoLoad) -> None:
    """Every persona's open tasks and reminders, and a couple for each colleague."""
    chance = load.chance
    segment_accounts = load.featured
    onboarding: list[Customer | ParentAccount] = [load.parents[0], load.parents[1]]
    onboarding += [load.featured[index] for index in ONBOARDING_FEATURED]
    for login, (_name, _roles, segment) in PERSONAS.items():
        user_id = load.staff.user_ids[login]
        if segment is not None:
            accounts: list[Customer | ParentAccount] = list(segment_accounts)
        elif login in ("im", "ssm", "nam"):
            accounts = list(onboarding)
        else:
            accounts = list(load.pool or segment_accounts)
        for position, template in enumerate(PERSONA_TASKS[login]):
            days, hour, minute = TASK_SLOTS[position]
            named = "{account}" in template or "{contact}" in template
            info = chance.pick(accounts) if named else None
            subject = template.format(
                account=info.name if info else "",
                contact=info.contact_name if info and info.contact_name else "the customer",
            )
            log_activity(
                load,
                ActivityKind.TASK if position % 2 == 0 else ActivityKind.REMINDER,
                subject,
                info,
                created_by=user_id,
                at=load.now - timedelta(days=7 - position % 3),
                due_at=instant(load.today + timedelta(days=days), hour, minute),
            )
    for login, _name, _roles, _segment in STAFF:
        user_id = load.staff.user_ids[login]
        info = load.first_by_owner.get(user_id)
        for days, subject in (
            (0, "Plan this week's customer calls"),
            (2, "Update the forecast"),
        ):
            log_activity(
                load,
                ActivityKind.TASK,
                f"Call {info.contact_name} at {info.name}" if info and days == 0 else subject,
                info if days == 0 else None,
                created_by=user_id,
                at=load.now - timedelta(days=3),
                due_at=instant(load.today + timedelta(days=days), 11),
            )
