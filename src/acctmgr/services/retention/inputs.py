"""What people type into the retention wizard, checked before any use case runs.

The step screens build these from their forms; the use cases take them and check again what
needs the database (the current rate, the account's contacts).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator, model_validator

from acctmgr.domain.activities import ActivityKind
from acctmgr.domain.contracts import SignatureMethod
from acctmgr.domain.sales import CloseOutcome
from acctmgr.errors import InvalidInput
from acctmgr.services.kernel.money_fields import Amount
from acctmgr.services.kernel.text_fields import FreeText, SingleLine


class CaseIn(BaseModel):
    """What the Account Executive records when the customer asks for a lower rate."""

    account_id: int
    contract_id: int
    contact_id: int | None = None
    reason: FreeText = Field(max_length=2000)
    reduction_minor: Amount | None = None
    reduction_pct: Decimal | None = None
    customer_informed: bool = False

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say why the customer asks for a lower rate")
        return value.strip()

    @model_validator(mode="after")
    def _one_reduction(self) -> CaseIn:
        if (self.reduction_minor is None) == (self.reduction_pct is None):
            raise InvalidInput(
                "Give the reduction asked for as an amount or as a percentage (one of them).",
                field="reduction",
            )
        if self.reduction_pct is not None and not 0 < self.reduction_pct <= 100:
            raise InvalidInput(
                "A reduction is more than 0% and at most 100% of the current rate.",
                field="reduction",
            )
        if self.reduction_minor is not None and self.reduction_minor <= 0:
            raise InvalidInput("A reduction is an amount greater than zero.", field="reduction")
        return self


class ContactAttemptIn(BaseModel):
    """One e-mail or call to the customer, and how it went."""

    channel: ActivityKind  # EMAIL or CALL
    contact_id: int | None = None
    outcome: SingleLine = Field(max_length=200)
    notes: FreeText = Field(default="", max_length=4000)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say how the contact went")
        return value.strip()


class SignatureIn(BaseModel):
    """Who signed the new contract, when, and how."""

    signer_name: SingleLine = Field(max_length=200)
    signer_title: SingleLine = Field(default="", max_length=120)
    signed_on: date
    method: SignatureMethod

    @field_validator("signer_name")
    @classmethod
    def _signer(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name the person who signed")
        return value.strip()


# --- one input per step the CMS works, built by its step screen -------------------------------
# They hold the types and lengths of what was typed; the use cases check the rules that need
# the case (the current rate, the quote, the contacts), so a rule is written once, there.


class UsageReviewIn(BaseModel):
    """What the CMS found reviewing the account's usage and services."""

    notes: FreeText = Field(default="", max_length=4000)


class OpportunityIn(BaseModel):
    """The opportunity the case creates on the account."""

    name: SingleLine = Field(max_length=200)
    expected_close_on: date


class PlaceholderIn(BaseModel):
    """The placeholder request: the intent for a new contract, with the reduction expected."""

    estimated_reduction_minor: Amount
    notes: FreeText = Field(default="", max_length=4000)


class GoalsIn(BaseModel):
    """The goals the customer confirmed."""

    goals: FreeText = Field(max_length=4000)


class ReviewIn(BaseModel):
    """The reduction the CMS confirms, which must be the quote's."""

    confirmed_reduction_minor: Amount


class SendContractIn(BaseModel):
    """Who receives the new contract for signature."""

    contact_id: int


class CloseIn(BaseModel):
    """How the case ends, and why."""

    outcome: CloseOutcome
    reason: FreeText = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _reason_when_not_won(self) -> CloseIn:
        self.reason = self.reason.strip()
        if self.outcome is not CloseOutcome.WON and not self.reason:
            raise InvalidInput(f"Say why the case closes {self.outcome.value}.", field="reason")
        return self
