"""The rate-reduction wizard's screens, declared on the wizard kit.

The service declares the stages and who holds each (``services.retention.stages.RETENTION``);
this adds, for each stage a person works on, its step screen and the use case its typed input
goes to. ``run_wizard`` (``screens.wizards.runner``) walks a case through them.
"""

from __future__ import annotations

from acctmgr.screens.retention.form_steps import (
    CloseStep,
    GoalsStep,
    OpportunityStep,
    PlaceholderStep,
)
from acctmgr.screens.retention.quote_step import QuoteStep
from acctmgr.screens.retention.review_steps import ReviewStep, SignatureStep, UsageStep
from acctmgr.screens.wizards.runner import Step, Wizard
from acctmgr.services.kernel.context import Context
from acctmgr.services.retention import closing, goals, quote_approval, sales_steps, usage, views
from acctmgr.services.retention.stages import RETENTION, Stage
from acctmgr.services.retention.views import CaseView, UsageReview
from acctmgr.services.sales import quotes
from acctmgr.services.sales.quote_views import QuoteView


def _usage_review(context: Context, case: CaseView) -> UsageReview:
    return usage.usage_review(context, case.id)


def _quote(context: Context, case: CaseView) -> QuoteView | None:
    return quotes.get_quote(context, case.quote_id) if case.quote_id else None


RETENTION_SCREENS: Wizard[CaseView] = Wizard(
    spec=RETENTION,
    load=views.get_case,
    steps={
        Stage.USAGE: Step(UsageStep, usage.complete_usage_review, load=_usage_review),
        Stage.OPPORTUNITY: Step(OpportunityStep, sales_steps.create_opportunity),
        Stage.PLACEHOLDER: Step(PlaceholderStep, sales_steps.submit_placeholder),
        Stage.GOALS: Step(GoalsStep, goals.confirm_goals),
        # The quote step saves the quote through its editor, then finishes the step itself.
        Stage.QUOTE: Step(QuoteStep, load=_quote),
        Stage.REVIEW: Step(ReviewStep, quote_approval.submit_for_approval, load=_quote),
        # Two use cases in one step: sending the contract, then recording the signature.
        Stage.SIGNATURE: Step(SignatureStep),
        Stage.CLOSE: Step(CloseStep, closing.close_case),
    },
)
