"""The steps the demo's offer stories are told in: who acts on which clock, and the wizard's
use cases as a Key Account Manager, Finance and Customer Services call them (``demo.key_accounts``
tells the stories)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from acctmgr.clock import AdjustableClock
from acctmgr.domain.approvals import Decision
from acctmgr.domain.contracts import RenewalType
from acctmgr.domain.sales import AcceptanceMethod
from acctmgr.services.approvals import decisions, inbox
from acctmgr.services.fulfilment import orders, split
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts import answers, offers, sending
from acctmgr.services.key_accounts.offer_views import OfferView
from acctmgr.services.sales import quote_builder

VALID_DAYS = 30  # an offer's validity, from the day it was made
# The finalised story's subscription starts as a trial ending this long after the seed's now:
# inside My day's "Trials ending" for the KAM.
TRIAL_LEFT = timedelta(days=10)
# Who signs contracts for the demo company (Customer Services records it).
OUR_SIGNER = ("Lena Fischer", "Head of Mid-market")
# Products offered: (SKU code, quantity, discount in percent; None takes the agreed price).
Lines = tuple[tuple[str, int, str | None], ...]


@dataclass(frozen=True)
class Cast:
    """Who acts, on one clock the stories move back and forth."""

    clock: AdjustableClock
    now: datetime
    kam: Context
    finance: Context
    custsvc: Context

    def at(self, days_ago: int) -> date:
        """Set the clock ``days_ago`` days before the seed's ``now``; returns that day."""
        self.clock.set(self.now - timedelta(days=days_ago))
        return self.clock.today()


@dataclass(frozen=True)
class KeyAccount:
    id: int
    signer_id: int  # a contact with an e-mail address
    signer_name: str
    signer_title: str


def opportunity(cast: Cast, account: KeyAccount, name: str) -> int:
    return offers.open_opportunity(cast.kam, offers.OpportunityIn(account_id=account.id, name=name))


def offer(
    cast: Cast,
    skus: dict[str, int],
    opportunity_id: int,
    title: str,
    lines: Lines,
    *,
    term_months: int = 12,
    renewal_type: RenewalType = RenewalType.STANDING_ORDER,
    starts_in_days: int | None = None,
) -> OfferView:
    """A draft offer with these lines, valid for a month, starting on the first of the month
    after the seed's now (or ``starts_in_days`` from the story's today): an offer the trainee
    opens is never dated in the past, whenever its story began."""
    today = cast.clock.today()
    if starts_in_days is None:
        seeded = cast.now.date()
        starts_on = (seeded.replace(day=1) + timedelta(days=32)).replace(day=1)
    else:
        starts_on = today + timedelta(days=starts_in_days)
    result = offers.new_offer(
        cast.kam,
        opportunity_id,
        offers.NewOfferIn(
            title=title,
            valid_until=today + timedelta(days=VALID_DAYS),
            starts_on=starts_on,
            term_months=term_months,
            renewal_type=renewal_type,
        ),
    )
    quote = result.offer.quote
    for code, quantity, discount in lines:
        quote = quote_builder.add_catalogue_line(
            cast.kam,
            quote.id,
            quote.version,
            quote_builder.CatalogueLineIn(
                sku_id=skus[code],
                quantity=quantity,
                discount_pct=None if discount is None else Decimal(discount),
            ),
        )
    # The lines change the offer's quote, not the offer: its version is still the one made.
    return result.offer


def submit(cast: Cast, offer: OfferView) -> OfferView:
    return sending.submit_offer(cast.kam, offer.id, offer.version)


def send(cast: Cast, account: KeyAccount, offer: OfferView, cover: str) -> OfferView:
    return sending.send_offer(
        cast.kam,
        offer.id,
        offer.version,
        sending.SendOfferIn(contact_ids=[account.signer_id], cover_text=cover),
    )


def approve(cast: Cast, offer: OfferView) -> None:
    """Finance approves what waits for it on the offer's quote."""
    for item in inbox.inbox(cast.finance):
        if offer.quote.number in item.record_label:
            decisions.decide(
                cast.finance, item.approval_id, Decision.APPROVE, "Fine for a key account."
            )


def accept(
    cast: Cast, account: KeyAccount, offer: OfferView, method: AcceptanceMethod
) -> OfferView:
    return answers.accept_offer(
        cast.kam,
        offer.id,
        offer.version,
        answers.AcceptIn(
            contact_id=account.signer_id,
            accepted_on=cast.clock.today(),
            method=method,
            signer_id=account.signer_id,
        ),
    )


def signed_pdf(line: str) -> bytes:
    """A one-page PDF saying ``line``: the scan of a signed contract, for the demo.

    Written by hand (each object's offset in the cross-reference table) so it is the same
    bytes every time and needs no renderer.
    """
    text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def order_in_two(cast: Cast, contract_id: int, later_by_days: int) -> None:
    """Customer Services orders the contract in two: its subscriptions from the contract's
    start, activated (they run; the first as a trial the customer has still to confirm), and
    its services ``later_by_days`` after it, left a draft to activate (My day's "Orders to
    activate")."""
    preview = split.split_preview(cast.custsvc, contract_id)
    running = [line.quote_line_id for line in preview.lines if line.is_subscription]
    rest = [line.quote_line_id for line in preview.lines if not line.is_subscription]
    made = orders.create_orders(
        cast.custsvc,
        contract_id,
        orders.OrdersIn(
            orders=[
                orders.OrderIn(
                    starts_on=preview.starts_on,
                    quote_line_ids=running,
                    trial_ends_on={running[0]: cast.now.date() + TRIAL_LEFT} if running else {},
                ),
                orders.OrderIn(
                    starts_on=preview.starts_on + timedelta(days=later_by_days),
                    quote_line_ids=rest,
                ),
            ]
        ),
    )
    first = next(order for order in made.orders if order.starts_on == preview.starts_on)
    orders.activate_order(cast.custsvc, first.order_id, first.version)
