"""The customer's goals: reaching the customer, pulling the AE in, and confirming what they want.

Every attempt to reach the customer (an e-mail or a call) is logged with how it went; the goals
are confirmed only after one, and confirming them starts the quote.
"""

from __future__ import annotations

from datetime import date, datetime, time

from acctmgr.errors import InvalidInput
from acctmgr.models import ActivityKind, Contact, OpportunityStage, RetentionStep
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.text import free_text, single_line
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case
from acctmgr.services.retention import records, stages, views
from acctmgr.services.retention.inputs import ContactAttemptIn, GoalsIn
from acctmgr.services.retention.stages import Stage
from acctmgr.services.retention.views import CaseView
from acctmgr.services.sales import opportunities, quotes


@use_case("retention.log_contact")
def log_contact(uow: UnitOfWork, case_id: int, data: ContactAttemptIn) -> CaseView:
    """Log one attempt to reach the customer (an e-mail or a call) and how it went.

    An e-mail needs a contact with an e-mail address. Raises InvalidInput for another channel,
    a contact not the account's, or an e-mail to no address.
    """
    case = stages.holding(uow, case_id, None, RetentionStep.CUSTOMER_GOALS)
    if data.channel not in (ActivityKind.EMAIL, ActivityKind.CALL):
        raise InvalidInput("A contact attempt is an e-mail or a call.", field="channel")
    account = records.account(uow, case.account_id)
    contact = records.contact(uow, account, data.contact_id) if data.contact_id else None
    if data.channel is ActivityKind.EMAIL and (contact is None or not contact.email):
        who = contact.name if contact else "The contact"
        raise InvalidInput(
            f"{who} has no e-mail address; call instead, or add one first.", field="contact"
        )
    verb = "E-mailed" if data.channel is ActivityKind.EMAIL else "Called"
    records.log_activity(
        uow,
        case,
        data.channel,
        f"{verb} {contact.name if contact else 'the customer'}",
        notes=data.notes.strip(),
        outcome=data.outcome,
        contact=contact,
        done=True,
    )
    return views.case_view(uow, case)


@use_case("retention.switch_to_call")
def switch_to_call(uow: UnitOfWork, case_id: int, call_at: datetime, reason: str) -> CaseView:
    """The e-mail thread got confused: schedule a call with the customer instead.

    The call is a task on the CMS's day; it cannot be in the past (else InvalidInput).
    """
    case = stages.holding(uow, case_id, None, RetentionStep.CUSTOMER_GOALS)
    if call_at < uow.now:
        raise InvalidInput("The call cannot be scheduled in the past.", field="call_at")
    contact = uow.session.get(Contact, case.contact_id) if case.contact_id else None
    records.log_activity(
        uow,
        case,
        ActivityKind.CALL,
        f"Call {contact.name if contact else 'the customer'} instead of e-mailing",
        notes=free_text(reason, what="reason", field="reason").strip()
        or "The e-mail thread was getting confused.",
        contact=contact,
        due_at=call_at,
    )
    audit.record(uow, records.RECORD, case.id, "switched_to_call", {"call_at": call_at})
    return views.case_view(uow, case)


@use_case("retention.ask_ae")
def ask_account_executive(uow: UnitOfWork, case_id: int, subject: str, due_on: date) -> CaseView:
    """Pull the Account Executive in: a task for them on this case.

    The task says what is needed and is not due in the past (else InvalidInput); it is due at
    five in the afternoon of ``due_on``.
    """
    case = stages.holding(uow, case_id, None, RetentionStep.CUSTOMER_GOALS)
    subject = single_line(subject, what="task", field="subject")
    if not subject.strip():
        raise InvalidInput("Say what you need from the Account Executive.", field="subject")
    if due_on < uow.now.date():
        raise InvalidInput("The task cannot be due in the past.", field="due_on")
    records.log_activity(
        uow,
        case,
        ActivityKind.TASK,
        subject.strip(),
        assigned_to=case.opened_by_id,
        due_at=datetime.combine(due_on, time(17), tzinfo=uow.now.tzinfo),
    )
    return views.case_view(uow, case)


@use_case("retention.confirm_goals")
def confirm_goals(uow: UnitOfWork, case_id: int, expected_version: int, data: GoalsIn) -> CaseView:
    """The customer's goals are confirmed; the quote is started from the current subscriptions.

    At least one e-mail or call with its outcome must have been logged first (else
    InvalidInput). The quote starts on the earliest effective date, or today if that passed.
    """
    goals = data.goals
    case = stages.holding(uow, case_id, expected_version, RetentionStep.CUSTOMER_GOALS)
    if not goals.strip():
        raise InvalidInput("Write down the goals the customer confirmed.", field="goals")
    if not views.contact_attempts(uow, case):
        raise InvalidInput("Log at least one e-mail or call with the customer first.")
    records.log_activity(
        uow, case, ActivityKind.NOTE, "Customer's goals confirmed", notes=goals.strip()
    )
    opportunity = records.opportunity(uow, case)
    if opportunities.latest_quote(uow, opportunity.id) is None:
        starts_on = max(case.earliest_effective_date or uow.now.date(), uow.now.date())
        quotes.quote_from_contract(uow, opportunity, records.case_contract(uow, case), starts_on)
    opportunity.stage = OpportunityStage.PROPOSAL
    case.step = RetentionStep.QUOTE
    stages.step_done(uow, case, Stage.GOALS, {"goals": goals.strip()})
    return views.case_view(uow, case)
