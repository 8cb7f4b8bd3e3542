"""The steps of an offer the Key Account Manager works: design it, send it, record the answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Checkbox, Static

from acctmgr.domain.contracts import RenewalType
from acctmgr.domain.records import RecordType
from acctmgr.domain.sales import (
    ANOTHER_ACCEPTED,
    DECLINE_REASONS,
    AcceptanceMethod,
    OfferStatus,
)
from acctmgr.errors import InvalidInput
from acctmgr.screens.dialog import ConfirmScreen
from acctmgr.screens.retention.steps import parse_day
from acctmgr.screens.sales.quote_dialogs import QUOTE_DIALOGS
from acctmgr.screens.wizards.step import DraftKey, StepScreen
from acctmgr.services.kernel.money import format_money
from acctmgr.services.kernel.validation import Problems
from acctmgr.services.key_accounts import answers, offers, sending
from acctmgr.services.key_accounts.offer_views import OfferSummary, OfferView
from acctmgr.services.key_accounts.wizard import OFFER_WIZARD
from acctmgr.widgets.form import Form, FormField
from acctmgr.widgets.quote_editor import QuoteEditor
from acctmgr.widgets.step_indicator import StepState
from acctmgr.widgets.text import day, fields, prose

RENEWALS = [
    ("Standing order: renews itself", RenewalType.STANDING_ORDER.value),
    ("Fixed term: ends", RenewalType.FIXED_TERM.value),
]
METHODS = [
    ("E-mail", AcceptanceMethod.EMAIL.value),
    ("Signed PDF", AcceptanceMethod.SIGNED_PDF.value),
    ("Phone", AcceptanceMethod.PHONE.value),
]
ANSWERS = [("Accepted", "accepted"), ("Declined", "declined")]


def stage_words(offer: OfferView | OfferSummary) -> str:
    """Where an offer stands, in words: its answer once given, else its wizard stage."""
    if offer.status in (OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.EXPIRED):
        return offer.status.value
    return OFFER_WIZARD.label(offer.stage).lower()


class OfferStep(StepScreen):
    """A step of one offer: its indicator, its draft, and the offer as it was loaded."""

    def __init__(self, offer: OfferView) -> None:
        super().__init__(
            f"{offer.title} · {offer.account_name}",
            DraftKey(RecordType.OFFER, offer.id, offer.stage.value),
            offer.draft,
        )
        self.offer = offer

    def steps(self) -> tuple[list[StepState], str]:
        return list(self.offer.stages), self.offer.holder

    def today(self) -> date:
        return self.context.clock.now().date()

    def money(self, minor: int) -> str:
        return format_money(minor, self.offer.quote.currency)

    def offer_facts(self) -> list[tuple[str, str]]:
        offer = self.offer
        quote = offer.quote
        return [
            ("Offer", f"{offer.title} · quote {quote.number} · {stage_words(offer)}"),
            (
                "Total",
                f"{self.money(quote.net_total_minor)} (list {self.money(quote.list_total_minor)})",
            ),
            ("Valid until", day(offer.valid_until)),
            ("Opportunity", f"{offer.opportunity_name} · {len(offer.alternatives)} offer(s)"),
        ]


class DesignStep(OfferStep):
    """The offer's title, validity and renewal, and its lines in the quote editor; Ctrl+S saves
    both and asks for the approvals its rules demand (at once approved when none apply)."""

    SUBMIT_LABEL = "Save and get the approvals · Ctrl+N add from catalogue"
    # The quote's keys work from the offer's own fields too, not only inside the editor.
    BINDINGS = [
        Binding("ctrl+n", "editor('add_from_catalogue')", "Add from catalogue", priority=True),
        Binding("ctrl+o", "editor('add_outside')", "Item outside catalogue", priority=True),
    ]

    def __init__(self, offer: OfferView) -> None:
        super().__init__(offer)
        self.form_fields = [
            FormField("title", "Title"),
            FormField("valid_until", "Valid until", placeholder="YYYY-MM-DD"),
            FormField("renewal_type", "Renewal", "choice", choices=RENEWALS),
            FormField(
                "template",
                "Written as",
                "choice",
                choices=[(label, name) for name, label in offers.OFFER_TEMPLATES.items()],
            ),
        ]
        self.editor = QuoteEditor(offer.quote, self, QUOTE_DIALOGS, typed=self.draft())

    def action_editor(self, action: str) -> None:
        getattr(self.editor, f"action_{action}")()

    def intro(self) -> Any:
        # The editor below shows the totals as typed; the stored total would lag behind them.
        parts = [fields([fact for fact in self.offer_facts() if fact[0] != "Total"])]
        if self.offer.quote.approver_comment:
            parts.insert(
                0,
                Content.from_markup(
                    "[b $text-error]Rejected:[/] $comment",
                    comment=self.offer.quote.approver_comment,
                ),
            )
        return Content("\n").join(parts)

    def defaults(self) -> dict[str, str]:
        offer = self.offer
        return {
            "title": offer.title,
            "valid_until": offer.valid_until.isoformat() if offer.valid_until else "",
            "renewal_type": offer.renewal_type.value,
            "template": offer.template,
        }

    def compose_after(self) -> ComposeResult:
        yield self.editor

    async def save_draft(self, values: dict[str, str]) -> None:
        await super().save_draft({**values, **self.editor.values()})

    def has_unsaved_work(self) -> bool:
        return super().has_unsaved_work() or self.editor.has_unsaved_changes()

    def build_input(self, values: dict[str, str]) -> offers.OfferTermsIn:
        problems = Problems()
        valid = problems.parse(lambda: parse_day(values["valid_until"], "valid_until"))
        data = problems.build(
            offers.OfferTermsIn,
            {
                "title": values["title"],
                "valid_until": valid or self.today(),
                "renewal_type": values["renewal_type"] or RenewalType.STANDING_ORDER.value,
                "template": values["template"] or self.offer.template,
            },
        )
        problems.check()
        assert data is not None
        return data

    async def done(self, values: dict[str, str]) -> bool:
        terms = self.build_input(values)
        async with self.editor.one_at_a_time():
            if not await self.editor.save_typed():
                return False
            offer: OfferView = await self.run_service(
                offers.update_offer, self.offer.id, self.offer.version, terms
            )
            # Kept before submitting: a refused submission is tried again from this version.
            self.offer = offer
            offer = await self.run_service(sending.submit_offer, offer.id, offer.version)
        self.offer = offer
        if offer.stage.value == "approval":
            self.notify(f"Submitted: waiting for {offer.holder}.")
        else:
            self.notify("Approved at once: no approval rule applies to this offer.")
        return True


class SendStep(OfferStep):
    """Whom the offer goes to (each contact with an e-mail address), its cover text, and when
    to follow it up."""

    SUBMIT_LABEL = "Send the offer"

    def __init__(self, offer: OfferView) -> None:
        super().__init__(offer)
        self.recipients = [c for c in offer.contacts if c.email]
        self.form_fields = [FormField(f"to_{c.id}", c.name, "check") for c in self.recipients] + [
            FormField("cover_text", "Cover text", "area"),
            FormField("follow_up_days", "Follow up in", placeholder="working days, e.g. 3"),
        ]

    def intro(self) -> Any:
        silent = [c.name for c in self.offer.contacts if not c.email]
        text = [fields(self.offer_facts())]
        text.append(prose("\nThe offer goes out as a PDF with an e-mail to each contact ticked:"))
        text += [prose(f"  {c.name} <{c.email}>{_title(c.title)}") for c in self.recipients]
        if silent:
            text.append(prose(f"Without an e-mail address: {', '.join(silent)}."))
        return Content("\n").join(text)

    def defaults(self) -> dict[str, str]:
        first = self.recipients[0].id if self.recipients else None
        values = {f"to_{c.id}": "yes" if c.id == first else "" for c in self.recipients}
        return {
            **values,
            "cover_text": self.offer.cover_text,
            "follow_up_days": str(sending.FOLLOW_UP_DAYS),
        }

    def compose_after(self) -> ComposeResult:
        yield Static("", id="send-to")

    def on_mount(self) -> None:
        self._show_recipients()

    @on(Checkbox.Changed)
    def _ticked(self) -> None:
        self._show_recipients()

    def _chosen(self, values: dict[str, str]) -> list[str]:
        return [c.name for c in self.recipients if values.get(f"to_{c.id}") == "yes"]

    def _show_recipients(self) -> None:
        # A tick box's state is only a colour; the names it adds up to are said in words.
        names = self._chosen(self.query_one(Form).values())
        self.query_one("#send-to", Static).update(
            prose(f"Goes to: {', '.join(names)}" if names else "Goes to: nobody yet; tick someone.")
        )

    async def done(self, values: dict[str, str]) -> bool:
        data = self.build_input(values)
        names = ", ".join(self._chosen(values)) or "nobody"
        question = f'Send "{self.offer.title}" to {names} now?'
        detail = "It goes out by e-mail with the offer's PDF attached."
        if not await self.app.push_screen_wait(ConfirmScreen(question, detail)):
            return False
        await self.hand_in_data(data)
        return True

    async def hand_in_data(self, data: sending.SendOfferIn) -> None:
        assert self.submit is not None, "the wizard runner wires the send step"
        await self.submit(data)

    def build_input(self, values: dict[str, str]) -> sending.SendOfferIn:
        chosen = [c.id for c in self.recipients if values.get(f"to_{c.id}") == "yes"]
        days = values["follow_up_days"].strip() or str(sending.FOLLOW_UP_DAYS)
        if not days.isdigit():
            raise InvalidInput(
                "Give the follow-up as a number of working days.", field="follow_up_days"
            )
        return sending.SendOfferIn(
            contact_ids=chosen, cover_text=values["cover_text"], follow_up_days=int(days)
        )


def _title(title: str) -> str:
    return f", {title}" if title else ""


class AnswerStep(OfferStep):
    """The customer's answer: accepted (by whom, when, how, and who signs the contract), or
    declined with a reason."""

    SUBMIT_LABEL = "Record the answer"

    def __init__(self, offer: OfferView) -> None:
        super().__init__(offer)
        everyone = [(c.name, str(c.id)) for c in offer.contacts]
        signers = [(f"{c.name} <{c.email}>", str(c.id)) for c in offer.contacts if c.email]
        self.form_fields = [
            FormField("answer", "Answer", "choice", choices=ANSWERS),
            FormField("contact", "Accepted by", "choice", choices=everyone),
            FormField("accepted_on", "Accepted on", placeholder="YYYY-MM-DD"),
            FormField("method", "How", "choice", choices=METHODS),
            FormField("signer", "Contract signer", "choice", choices=signers),
            FormField(
                "reason",
                "Declined because",
                "choice",
                choices=[(r, r) for r in DECLINE_REASONS if r != ANOTHER_ACCEPTED],
            ),
        ]

    def intro(self) -> Any:
        others = [o for o in self.offer.alternatives if o.id != self.offer.id]
        text = [fields(self.offer_facts())]
        if others:
            text.append(
                prose(
                    "\nAccepting this offer declines the others of the opportunity: "
                    + ", ".join(o.title for o in others)
                    + "."
                )
            )
        text.append(
            prose(
                "Accepted: the contract is made and e-mailed to its signer, and Customer "
                "Services are told to collect the signatures. Declined: only the reason below "
                "is read.\n"
            )
        )
        return Content("\n").join(text)

    def defaults(self) -> dict[str, str]:
        first = self.offer.contacts[0].id if self.offer.contacts else ""
        signer = next((c.id for c in self.offer.contacts if c.email), "")
        return {
            "answer": "accepted",
            "contact": str(first),
            "signer": str(signer),
            "accepted_on": self.today().isoformat(),
            "method": AcceptanceMethod.EMAIL.value,
        }

    async def done(self, values: dict[str, str]) -> bool:
        offer = self.offer
        if values["answer"] == "declined":
            if not values["reason"]:
                raise InvalidInput("Choose why the customer declined.", field="reason")
            await self.run_service(
                answers.decline_offer,
                offer.id,
                offer.version,
                answers.DeclineIn(reason=values["reason"]),
            )
            self.notify("Declined; its reminders are closed.")
            return True
        problems = Problems()
        accepted_on = problems.parse(lambda: parse_day(values["accepted_on"], "accepted_on"))
        for name, what in (("contact", "who accepted"), ("signer", "who signs the contract")):
            if not values[name]:
                problems.refuse(f"Choose {what}.", field=name)
        problems.check()
        assert accepted_on is not None
        accepted: OfferView = await self.run_service(
            answers.accept_offer,
            offer.id,
            offer.version,
            answers.AcceptIn(
                contact_id=int(values["contact"]),
                accepted_on=accepted_on,
                method=AcceptanceMethod(values["method"] or AcceptanceMethod.EMAIL.value),
                signer_id=int(values["signer"]),
            ),
        )
        self.notify(
            f"Accepted: contract {accepted.contract_number} went to its signer; "
            "Customer Services were told."
        )
        return True
