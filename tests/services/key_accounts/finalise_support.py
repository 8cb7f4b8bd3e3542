"""A key account's contract made from its accepted offer, as acceptance leaves it, built with
the ORM (the acceptance use case is written beside this part): the account with its invoice
contact and billing address, two published SKUs, the offer and its accepted quote with lines,
the acceptance with the document the customer saw, and the contract out for signature."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from acctmgr.domain.records import RecordType
from acctmgr.models import (
    AcceptanceMethod,
    Account,
    Contact,
    Contract,
    ContractStatus,
    Document,
    Offer,
    OfferAcceptance,
    OfferStatus,
    Quote,
    QuoteLine,
    QuoteStatus,
    RenewalType,
    Role,
    SignatureMethod,
    Sku,
    SkuKind,
)
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts.finalising import SignaturesIn
from tests import factories
from tests.quote_support import new_customer, sku

STARTS = date(2027, 1, 1)
# The smallest file a PDF reader takes: enough for the %PDF- check and a person's viewer.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class Accepted:
    account_id: int
    offer_id: int
    quote_id: int
    contract_id: int
    platform: int  # SKU ids
    workshop: int


def hire(admin: Context) -> None:
    """Customer Services (of no segment: they serve every one) and a Key Account Manager."""
    factories.hire(
        admin,
        ("cs", "Cas Service", None, Role.CUSTOMER_SERVICES),
        ("kam", "Kim Keyaccount", "SMB", Role.KEY_ACCOUNT_MANAGER),
    )


def accepted_contract(
    admin: Context,
    *,
    name: str = "Nova GmbH",
    starts_on: date = STARTS,
    complete: bool = True,
    platform: int | None = None,
    workshop: int | None = None,
) -> Accepted:
    """A contract out for signature made from an accepted offer of a new key account (its
    billing details in order unless not ``complete``): 1,000.00 of platform and a 2,500.00
    workshop, 3,500.00 USD net, in Germany."""
    now = admin.clock.now()
    account_id = new_customer(admin, name, complete=complete)
    platform = platform or sku(admin, f"PLATFORM-{account_id}", SkuKind.SUBSCRIPTION, 1_000_00)
    workshop = workshop or sku(
        admin, f"WORKSHOP-{account_id}", SkuKind.SERVICE, 2_500_00, consumption_months=12
    )
    kam = factories.user_id(admin, "kam")
    with admin.database.write_session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        account.key_account_manager_id = kam
        versions = {}
        for sku_id in (platform, workshop):
            item = session.get(Sku, sku_id)
            assert item is not None
            assert item.current_version_id is not None
            versions[sku_id] = item.current_version_id
        offer = Offer(
            account_id=account_id,
            owner_id=kam,
            title="Platform with a workshop",
            status=OfferStatus.ACCEPTED,
            valid_until=date(2026, 12, 31),
            is_primary=True,
            sent_at=now,
            answered_at=now,
            created_at=now,
        )
        session.add(offer)
        session.flush()
        quote = Quote(
            number=f"Q-OF-{offer.id}",
            account_id=account_id,
            offer_id=offer.id,
            owner_id=kam,
            status=QuoteStatus.ACCEPTED,
            currency="USD",
            territory="DE",
            valid_until=date(2026, 12, 31),
            starts_on=starts_on,
            term_months=12,
            notice_days=60,
            list_total_minor=3_500_00,
            net_total_minor=3_500_00,
            created_at=now,
            lines=[
                QuoteLine(
                    position=1,
                    sku_version_id=versions[platform],
                    description="Platform",
                    quantity=1,
                    list_price_minor=1_000_00,
                    net_minor=1_000_00,
                ),
                QuoteLine(
                    position=2,
                    sku_version_id=versions[workshop],
                    description="Workshop",
                    quantity=1,
                    list_price_minor=2_500_00,
                    net_minor=2_500_00,
                    consume_by=date(2027, 12, 31),
                ),
                QuoteLine(
                    position=3,
                    sku_version_id=None,
                    description="Outside the catalogue: a tailored report, included",
                    quantity=1,
                    list_price_minor=0,
                    net_minor=0,
                ),
            ],
        )
        session.add(quote)
        session.flush()
        seen = Document(
            kind="offer",
            record_type=RecordType.OFFER,
            record_id=offer.id,
            record_version=offer.version,
            template_name="offer.html.j2",
            template_version=0,
            media_type="application/pdf",
            filename=f"{quote.number}.pdf",
            sha256=hashlib.sha256(TINY_PDF).hexdigest(),
            content=TINY_PDF,
            created_at=now,
        )
        session.add(seen)
        session.flush()
        assert account.invoice_contact_id is not None or not complete
        contact_id = account.invoice_contact_id or _any_contact(admin, session, account_id)
        session.add(
            OfferAcceptance(
                offer_id=offer.id,
                contact_id=contact_id,
                accepted_on=now.date(),
                method=AcceptanceMethod.SIGNED_PDF,
                document_id=seen.id,
                document_sha256=seen.sha256,
                quote_version=quote.version,
                net_total_minor=quote.net_total_minor,
                recorded_by_id=kam,
                created_at=now,
            )
        )
        contract = Contract(
            number=f"CT-OF-{offer.id}",
            account_id=account_id,
            quote_id=quote.id,
            status=ContractStatus.SENT_FOR_SIGNATURE,
            renewal_type=RenewalType.STANDING_ORDER,
            starts_on=starts_on,
            ends_on=date(starts_on.year + 1, starts_on.month, starts_on.day),
            term_months=12,
            notice_days=60,
            currency="USD",
            annual_value_minor=3_500_00,
            territory="DE",
            created_at=now,
        )
        session.add(contract)
        session.commit()
        return Accepted(account_id, offer.id, quote.id, contract.id, platform, workshop)


def _any_contact(admin: Context, session: Session, account_id: int) -> int:
    contact = Contact(account_id=account_id, name="Cora Buyer", created_at=admin.clock.now())
    session.add(contact)
    session.flush()
    return contact.id


def both_signatures(signed_on: date) -> SignaturesIn:
    """The customer's CFO and our head of sales, both on ``signed_on``."""
    return SignaturesIn(
        signer_name="Carla Buyer",
        signer_title="CFO",
        signed_on=signed_on,
        signature_method=SignatureMethod.WET_INK,
        our_signer_name="Sam Seller",
        our_signer_title="Head of Sales",
        our_signed_on=signed_on,
    )


def signed_pdf(folder: Path, name: str = "signed.pdf") -> Path:
    path = folder / name
    path.write_bytes(TINY_PDF)
    return path


def contract_row(admin: Context, contract_id: int) -> Contract:
    with admin.database.read_session() as session:
        found = session.scalars(select(Contract).where(Contract.id == contract_id)).one()
        session.expunge(found)
        return found
