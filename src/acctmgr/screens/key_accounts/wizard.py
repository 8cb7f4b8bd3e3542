"""The offer wizard's screens, declared on the wizard kit.

The service declares the stages and who holds each (``services.key_accounts.wizard``); this
adds, for each stage a person works on, its step screen and the use case its input goes to.
"""

from __future__ import annotations

from typing import Any

from acctmgr.screens.key_accounts.offer_steps import AnswerStep, DesignStep, SendStep
from acctmgr.screens.wizards.runner import Step, Wizard
from acctmgr.services.key_accounts import offer_views, sending
from acctmgr.services.key_accounts.offer_views import OfferView
from acctmgr.services.key_accounts.wizard import OFFER_WIZARD, OfferStage


def _signatures(offer: OfferView) -> Any:
    # Customer Services' step lives with the contract it finalises.
    from acctmgr.screens.key_accounts.finalise import FinaliseStep

    return FinaliseStep(offer)


def _orders(offer: OfferView) -> Any:
    # The contract's orders screen, as Customer Services' last step.
    from acctmgr.screens.key_accounts.orders_step import OrdersStep

    return OrdersStep(offer)


OFFER_SCREENS: Wizard[OfferView] = Wizard(
    spec=OFFER_WIZARD,
    load=offer_views.get_offer,
    steps={
        # The design step saves the quote and the offer's terms, then submits them itself.
        OfferStage.DESIGN: Step(DesignStep),
        OfferStage.SEND: Step(SendStep, sending.send_offer),
        # Two use cases in one step: accepting or declining.
        OfferStage.ANSWER: Step(AnswerStep),
        OfferStage.SIGNATURES: Step(_signatures),
        OfferStage.FULFILMENT: Step(_orders),
    },
)
