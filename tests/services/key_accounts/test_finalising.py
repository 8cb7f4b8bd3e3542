"""Customer Services finalises a key account's contract: the checklist, both signatures, the
signed document, and the contract in effect from its start date."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from acctmgr.clock import AdjustableClock
from acctmgr.domain.contracts import SignatureMethod
from acctmgr.domain.records import RecordType
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.models import (
    Account,
    AuditEvent,
    Contract,
    ContractStatus,
    Document,
    Entitlement,
    Quote,
    Sku,
    SkuVersion,
)
from acctmgr.services.contracts import lifecycle
from acctmgr.services.kernel.context import Context
from acctmgr.services.key_accounts import finalising
from acctmgr.services.key_accounts.checklist import Checklist
from acctmgr.services.key_accounts.finalising import SignaturesIn
from tests.services.key_accounts.finalise_support import (
    TINY_PDF,
    Accepted,
    accepted_contract,
    both_signatures,
    contract_row,
    hire,
    signed_pdf,
)

TODAY = date(2026, 11, 23)


@pytest.fixture
def accepted(admin: Context) -> Accepted:
    hire(admin)
    return accepted_contract(admin)


def items(sheet: Checklist) -> dict[str, bool]:
    return {item.key: item.passed for item in sheet.items}


def reason(sheet: Checklist, key: str) -> str:
    return next(item.reason for item in sheet.items if item.key == key)


def ready(admin: Context, accepted: Accepted, tmp_path: Path) -> Checklist:
    """Both signatures recorded and the signed PDF attached: every item passes."""
    cs = admin.as_user("cs")
    sheet = finalising.checklist(cs, accepted.contract_id)
    finalising.record_signatures(cs, accepted.contract_id, sheet.version, both_signatures(TODAY))
    return finalising.attach_signed_document(cs, accepted.contract_id, signed_pdf(tmp_path))


def edit(admin: Context, model: type, record_id: int, **values: object) -> None:
    with admin.database.write_session() as session:
        row = session.get(model, record_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        session.commit()


def test_a_fresh_contract_fails_only_the_signatures_and_the_document(
    admin: Context, accepted: Accepted
) -> None:
    """As acceptance leaves it, billing, territory, SKUs and prices pass, each with its reason;
    the signatures and the signed document are still to come."""
    sheet = finalising.checklist(admin.as_user("cs"), accepted.contract_id)
    assert items(sheet) == {
        "billing": True,
        "territory": True,
        "skus": True,
        "prices": True,
        "signatures": False,
        "signed_document": False,
    }
    assert reason(sheet, "territory") == "The territory of use is Germany."
    assert reason(sheet, "prices") == "The prices are as accepted: 3,500.00 USD net."
    assert (
        reason(sheet, "skus") == "All 2 SKUs are current at the version offered."
    )  # the item outside the catalogue is no SKU to check
    assert reason(sheet, "signed_document") == "The signed document is not attached yet."
    assert reason(sheet, "signatures") == (
        "The customer's signature and our signature are still to be recorded."
    )
    assert not sheet.passed
    assert sheet.first_failure is not None
    assert sheet.first_failure.key == "signatures"


def test_every_item_passes_once_signed_and_attached(
    admin: Context, accepted: Accepted, tmp_path: Path
) -> None:
    """Signatures and the PDF make the checklist pass, every reason a sentence."""
    sheet = ready(admin, accepted, tmp_path)
    assert sheet.passed
    assert all(item.reason.endswith(".") for item in sheet.items)
    assert reason(sheet, "signatures") == (
        "Signed by Carla Buyer (CFO) on 2026-11-23 and for us by Sam Seller (Head of Sales) "
        "on 2026-11-23."
    )
    assert reason(sheet, "signed_document").startswith("The signed document signed.pdf is attached")


def test_a_signature_half_recorded_names_what_is_missing(
    admin: Context, accepted: Accepted
) -> None:
    """The customer's signature without its title, and ours not yet: each part named."""
    cs = admin.as_user("cs")
    version = finalising.checklist(cs, accepted.contract_id).version
    data = SignaturesIn(
        signer_name="Carla Buyer", signed_on=TODAY, signature_method=SignatureMethod.ELECTRONIC
    )
    sheet = finalising.record_signatures(cs, accepted.contract_id, version, data)
    assert reason(sheet, "signatures") == (
        "Their title and our signature are still to be recorded."
    )


def test_billing_details_fail_with_the_billing_rules_sentences(admin: Context) -> None:
    """An account without invoice contact or billing address fails the first item, naming
    each problem as the billing check words it."""
    hire(admin)
    made = accepted_contract(admin, complete=False)
    sheet = finalising.checklist(admin.as_user("cs"), made.contract_id)
    assert not items(sheet)["billing"]
    assert reason(sheet, "billing").startswith("The account has no invoice contact; the billing")
    assert items(sheet)["territory"]


def test_a_missing_territory_fails_its_item(admin: Context, accepted: Accepted) -> None:
    """No territory of use on the contract fails that item alone (billing still passes)."""
    edit(admin, Contract, accepted.contract_id, territory="")
    sheet = finalising.checklist(admin.as_user("cs"), accepted.contract_id)
    assert items(sheet)["billing"]
    assert not items(sheet)["territory"]
    assert reason(sheet, "territory") == "The territory of use is missing."


def test_a_retired_sku_fails(admin: Context, accepted: Accepted) -> None:
    """A SKU retired since the offer fails the SKU item, named by its code."""
    edit(admin, Sku, accepted.workshop, retired_at=admin.clock.now())
    sheet = finalising.checklist(admin.as_user("cs"), accepted.contract_id)
    assert not items(sheet)["skus"]
    assert reason(sheet, "skus") == (
        f"WORKSHOP-{accepted.account_id} has been retired from the catalogue."
    )


def test_a_sku_with_a_newer_version_fails(admin: Context, accepted: Accepted) -> None:
    """A SKU whose catalogue version moved on since the offer fails, naming the version."""
    with admin.database.write_session() as session:
        platform = session.get(Sku, accepted.platform)
        assert platform is not None
        newer = SkuVersion(
            sku_id=platform.id,
            number=2,
            name="Platform v2",
            kind=platform.versions[0].kind,
            created_at=admin.clock.now(),
        )
        session.add(newer)
        session.flush()
        platform.current_version_id = newer.id
        session.commit()
    sheet = finalising.checklist(admin.as_user("cs"), accepted.contract_id)
    assert reason(sheet, "skus") == (
        f"PLATFORM-{accepted.account_id} was offered at version 1, and the catalogue has a "
        "newer one."
    )


def test_prices_fail_when_the_quote_or_the_contract_moved(
    admin: Context, accepted: Accepted
) -> None:
    """The quote changed since acceptance, or the contract's value differs: prices fail."""
    edit(admin, Contract, accepted.contract_id, annual_value_minor=3_000_00)
    sheet = finalising.checklist(admin.as_user("cs"), accepted.contract_id)
    assert reason(sheet, "prices") == (
        "The contract's value 3,000.00 USD is not the 3,500.00 USD accepted."
    )
    edit(admin, Contract, accepted.contract_id, annual_value_minor=3_500_00)
    edit(admin, Quote, accepted.quote_id, net_total_minor=3_400_00)
    sheet = finalising.checklist(admin.as_user("cs"), accepted.contract_id)
    assert not items(sheet)["prices"]
    assert reason(sheet, "prices").startswith(
        f"The offer's quote Q-OF-{accepted.offer_id} has changed since it was accepted "
        "(version 2, accepted at version 1); the quote's total 3,400.00 USD"
    )


def test_a_contract_not_made_from_an_offer_fails_prices(admin: Context, accepted: Accepted) -> None:
    """A contract with no accepted offer behind it cannot pass the price check."""
    edit(admin, Quote, accepted.quote_id, offer_id=None)
    sheet = finalising.checklist(admin.as_user("cs"), accepted.contract_id)
    assert reason(sheet, "prices") == "The contract was not made from an accepted offer."


def test_finalising_is_refused_naming_the_first_failing_item(
    admin: Context, accepted: Accepted, tmp_path: Path
) -> None:
    """Each failing item refuses the finalising with its sentence, nothing saved."""
    cs = admin.as_user("cs")
    sheet = finalising.checklist(cs, accepted.contract_id)
    with pytest.raises(InvalidInput) as refused:
        finalising.finalise_contract(cs, accepted.contract_id, sheet.version)
    assert refused.value.message.startswith(
        f"Contract CT-OF-{accepted.offer_id} cannot be finalised yet (both signatures): the "
        "customer's signature and our signature are still to be recorded."
    )
    assert refused.value.field == "signatures"
    sheet = finalising.record_signatures(
        cs, accepted.contract_id, sheet.version, both_signatures(TODAY)
    )
    with pytest.raises(InvalidInput, match=r"\(signed document\): the signed document"):
        finalising.finalise_contract(cs, accepted.contract_id, sheet.version)
    finalising.attach_signed_document(cs, accepted.contract_id, signed_pdf(tmp_path))
    # Checked again in the transaction: the territory went missing after the screen was read.
    edit(admin, Contract, accepted.contract_id, territory="")
    version = contract_row(admin, accepted.contract_id).version
    with pytest.raises(InvalidInput, match=r"\(territory of use\): the territory of use is"):
        finalising.finalise_contract(cs, accepted.contract_id, version)
    assert contract_row(admin, accepted.contract_id).status is ContractStatus.SENT_FOR_SIGNATURE


def test_a_contract_starting_today_is_active_at_once(admin: Context, tmp_path: Path) -> None:
    """Finalised on its start date, the contract is in effect; nothing runs before its orders
    are activated (fulfilment's tests hold what they start)."""
    hire(admin)
    made = accepted_contract(admin, starts_on=TODAY)
    cs = admin.as_user("cs")
    sheet = finalising.checklist(cs, made.contract_id)
    sheet = finalising.record_signatures(
        cs, made.contract_id, sheet.version, both_signatures(TODAY)
    )
    finalising.attach_signed_document(cs, made.contract_id, signed_pdf(tmp_path))
    done = finalising.finalise_contract(cs, made.contract_id, sheet.version)
    assert done.status is ContractStatus.ACTIVE
    row = contract_row(admin, made.contract_id)
    assert row.finalised_at == admin.clock.now()
    with admin.database.read_session() as session:
        assert row.finalised_by_id == session.scalar(
            select(func.min(AuditEvent.actor_id)).where(
                AuditEvent.action == "key_accounts.finalise_contract:finalised"
            )
        )
        entitled = session.scalar(
            select(func.count()).where(Entitlement.contract_id == made.contract_id)
        )
    assert entitled == 0  # the workshop becomes an entitlement when its order is activated


def test_a_future_start_stays_signed_until_the_worker(
    admin: Context, accepted: Accepted, tmp_path: Path, clock: AdjustableClock
) -> None:
    """Finalised before its start, the contract is signed; take_effect activates it then."""
    sheet = ready(admin, accepted, tmp_path)
    done = finalising.finalise_contract(admin.as_user("cs"), accepted.contract_id, sheet.version)
    assert done.status is ContractStatus.SIGNED
    assert lifecycle.take_effect(admin) == 0
    clock.advance(timedelta(days=(date(2027, 1, 1) - TODAY).days))
    assert lifecycle.take_effect(admin) == 1
    assert contract_row(admin, accepted.contract_id).status is ContractStatus.ACTIVE
    with pytest.raises(InvalidInput, match="is active, not out for signature"):
        finalising.finalise_contract(
            admin.as_user("cs"),
            accepted.contract_id,
            contract_row(admin, accepted.contract_id).version,
        )


def test_finalising_is_audited(admin: Context, accepted: Accepted, tmp_path: Path) -> None:
    """The finalising and the signatures are in the audit trail, with who did them."""
    sheet = ready(admin, accepted, tmp_path)
    finalising.finalise_contract(admin.as_user("cs"), accepted.contract_id, sheet.version)
    with admin.database.read_session() as session:
        actions = set(
            session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.entity_type == RecordType.CONTRACT.value,
                    AuditEvent.entity_id == accepted.contract_id,
                )
            )
        )
    assert {
        "key_accounts.record_signatures",
        "key_accounts.finalise_contract",
        "key_accounts.finalise_contract:finalised",
    } <= actions


def test_only_customer_services_signs_and_finalises(
    admin: Context, accepted: Accepted, tmp_path: Path
) -> None:
    """The KAM may bring in the signed document; only Customer Services records signatures and
    finalises. An Account Executive of another segment may not even read the checklist."""
    kam = admin.as_user("kam")
    version = finalising.checklist(kam, accepted.contract_id).version
    with pytest.raises(PermissionDenied, match="Only a Customer Services"):
        finalising.record_signatures(kam, accepted.contract_id, version, both_signatures(TODAY))
    with pytest.raises(PermissionDenied, match="Only a Customer Services"):
        finalising.finalise_contract(kam, accepted.contract_id, version)
    finalising.attach_signed_document(kam, accepted.contract_id, signed_pdf(tmp_path))
    with pytest.raises(PermissionDenied, match="Only a Customer Services or"):
        finalising.attach_signed_document(
            admin.as_user("ae"), accepted.contract_id, signed_pdf(tmp_path)
        )
    with pytest.raises(PermissionDenied, match="another segment"):
        finalising.checklist(admin.as_user("ae2"), accepted.contract_id)


def test_a_stale_version_is_a_conflict(admin: Context, accepted: Accepted, tmp_path: Path) -> None:
    """Signatures or finalising from a copy older than the contract are refused."""
    cs = admin.as_user("cs")
    old = finalising.checklist(cs, accepted.contract_id).version
    finalising.record_signatures(cs, accepted.contract_id, old, both_signatures(TODAY))
    with pytest.raises(Conflict):
        finalising.record_signatures(cs, accepted.contract_id, old, both_signatures(TODAY))
    finalising.attach_signed_document(cs, accepted.contract_id, signed_pdf(tmp_path))
    with pytest.raises(Conflict):
        finalising.finalise_contract(cs, accepted.contract_id, old)


def test_signature_dates_follow_the_contract_signature_rule(
    admin: Context, accepted: Accepted
) -> None:
    """Neither signature may be dated tomorrow nor before the contract was sent."""
    cs = admin.as_user("cs")
    version = finalising.checklist(cs, accepted.contract_id).version
    for field, day, sentence in (
        ("signed_on", TODAY + timedelta(days=1), "cannot be in the future"),
        ("our_signed_on", TODAY + timedelta(days=1), "cannot be in the future"),
        ("signed_on", TODAY - timedelta(days=1), "before the contract was sent"),
        ("our_signed_on", TODAY - timedelta(days=1), "before the contract was sent"),
    ):
        data = both_signatures(TODAY).model_copy(update={field: day})
        with pytest.raises(InvalidInput, match=sentence) as refused:
            finalising.record_signatures(cs, accepted.contract_id, version, data)
        assert refused.value.field == field
    assert contract_row(admin, accepted.contract_id).signer_name == ""


def test_a_dated_signature_needs_its_signer() -> None:
    """A date without the name of who signed, or the customer's without how, is refused."""
    with pytest.raises(InvalidInput, match="Name the customer's signer"):
        SignaturesIn(signed_on=TODAY, signature_method="wet_ink")
    with pytest.raises(InvalidInput, match="how the customer signed"):
        SignaturesIn(signer_name="Carla", signed_on=TODAY)
    with pytest.raises(InvalidInput, match="who signed for us"):
        SignaturesIn(our_signed_on=TODAY)


def test_a_signed_document_must_be_a_pdf_file_of_at_most_20_mb(
    admin: Context, accepted: Accepted, tmp_path: Path
) -> None:
    """Missing, a folder, empty, too large, not a PDF: each refused in its sentence."""
    cs = admin.as_user("cs")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    text = tmp_path / "scan.pdf"
    text.write_bytes(b"GIF89a not a pdf")
    large = tmp_path / "large.pdf"
    with large.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        out.truncate(20 * 1024 * 1024 + 1)
    for path, sentence in (
        (tmp_path / "nowhere.pdf", "There is no file at"),
        (tmp_path, "is a folder or device, not a file"),
        (empty, "empty.pdf is empty"),
        (large, "large.pdf is 20.0 MB; a signed document may be 20 MB at most"),
        (text, r"scan.pdf is not a PDF \(it does not start with %PDF-\)"),
    ):
        with pytest.raises(InvalidInput, match=sentence) as refused:
            finalising.attach_signed_document(cs, accepted.contract_id, path)
        assert refused.value.field == "path"
    with admin.database.read_session() as session:
        assert session.scalar(select(func.count()).where(Document.kind == "signed_contract")) == 0


def test_attaching_again_keeps_both_and_the_latest_counts(
    admin: Context, accepted: Accepted, tmp_path: Path
) -> None:
    """A second signed document is kept beside the first, with its hash; it is the one shown."""
    cs = admin.as_user("cs")
    finalising.attach_signed_document(cs, accepted.contract_id, signed_pdf(tmp_path, "first.pdf"))
    sheet = finalising.attach_signed_document(
        cs, accepted.contract_id, signed_pdf(tmp_path, "second.pdf")
    )
    assert sheet.signed_document == "second.pdf"
    with admin.database.read_session() as session:
        kept = session.execute(
            select(Document.filename, Document.record_type, Document.sha256)
            .where(Document.kind == "signed_contract")
            .order_by(Document.id)
        ).all()
    assert [row.filename for row in kept] == ["first.pdf", "second.pdf"]
    assert {row.record_type for row in kept} == {RecordType.CONTRACT}
    import hashlib

    assert kept[0].sha256 == hashlib.sha256(TINY_PDF).hexdigest()


def test_my_day_lists_contracts_to_finalise_for_customer_services(
    admin: Context, accepted: Accepted, clock: AdjustableClock
) -> None:
    """Customer Services sees the offers' contracts out for signature, oldest first; the KAM's
    day has no such section; a finalised one leaves it."""
    from acctmgr.services.my_day import day as my_day_service

    clock.advance(timedelta(hours=1))
    later = accepted_contract(admin, name="Later AG")
    day = my_day_service.my_day(admin.as_user("cs"))
    assert [item.record_id for item in day.items("finalise")] == [
        accepted.contract_id,
        later.contract_id,
    ]
    assert day.items("finalise")[0].detail == "to finalise, starts 01 Jan 2027"
    assert "finalise" not in {s.key for s in my_day_service.my_day(admin.as_user("kam")).sections}
    with admin.database.write_session() as session:
        account = session.get(Account, later.account_id)
        assert account is not None
    edit(admin, Contract, later.contract_id, status=ContractStatus.SIGNED)
    day = my_day_service.my_day(admin.as_user("cs"))
    assert [item.record_id for item in day.items("finalise")] == [accepted.contract_id]
