"""Editing contacts and the billing address: the checks sending applies, versions, segments,
and the audit of each change."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from acctmgr.domain.records import RecordType
from acctmgr.errors import Conflict, InvalidInput, PermissionDenied
from acctmgr.services.accounts import billing_details
from acctmgr.services.accounts import records as account_service
from acctmgr.services.accounts import search as account_search
from acctmgr.services.accounts.billing_address import BillingAddressIn, update_billing_address
from acctmgr.services.accounts.records import AccountIn, AccountView, ContactIn
from acctmgr.services.accounts.search import AccountQuery
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.validation import invalid_input

ADDRESS = BillingAddressIn(
    billing_street="1 Market St",
    billing_city="San Francisco",
    billing_postal_code="94105",
    billing_country="us",
)


def _account(context: Context, segment: str = "SMB") -> AccountView:
    return account_service.create_account(
        context, AccountIn(name="Acme Corp", segment_code=segment)
    )


def _refusal(**fields: str) -> InvalidInput:
    with pytest.raises(ValidationError) as caught:
        BillingAddressIn(**fields)
    return invalid_input(caught.value)


def test_an_edited_contact_is_saved_audited_and_searched(admin: Context) -> None:
    """The contact's new values are stored, its update audited, and its new name found."""
    account = _account(admin)
    contact = account_service.add_contact(admin, account.id, ContactIn(name="Dana Scully"))
    edited = ContactIn(name="Dana Katherine Scully", email=" dana@acme.example ", title="CFO")
    saved = account_service.update_contact(admin.as_user("ae"), contact.id, edited, 1)
    assert (saved.name, saved.email, saved.title) == (
        "Dana Katherine Scully",
        "dana@acme.example",
        "CFO",
    )
    latest = audit.trail(admin, RecordType.CONTACT, contact.id)[0]
    assert latest.change == "update"
    assert latest.action == "contacts.update"
    assert latest.after is not None
    assert latest.after["email"] == "dana@acme.example"
    found = account_search.search_accounts(admin, AccountQuery(text="katherine"))
    assert [row.id for row in found.items] == [account.id]


def test_a_contact_edited_by_two_people_is_a_conflict(admin: Context) -> None:
    """The second save from the same version is refused with a sentence, not overwritten."""
    account = _account(admin)
    contact = account_service.add_contact(admin, account.id, ContactIn(name="Dana"))
    account_service.update_contact(admin, contact.id, ContactIn(name="Dana S"), contact.version)
    with pytest.raises(Conflict, match="Someone else saved this contact"):
        account_service.update_contact(admin, contact.id, ContactIn(name="Dana X"), contact.version)


def test_the_invoice_contact_keeps_an_email(admin: Context) -> None:
    """The contact who receives invoices cannot lose the e-mail address they go to."""
    account = _account(admin)
    payer = account_service.add_contact(
        admin, account.id, ContactIn(name="Pay Master", email="pay@acme.example")
    )
    version = account_service.get_account(admin, account.id).version
    account_service.set_invoice_contact(admin, account.id, payer.id, version)
    with pytest.raises(InvalidInput, match="receives this account's invoices") as caught:
        account_service.update_contact(admin, payer.id, ContactIn(name="Pay Master"), 1)
    assert caught.value.field == "email"


def test_contacts_of_another_segment_cannot_be_edited(admin: Context) -> None:
    """An Enterprise AE cannot edit a Small-business account's contact; a leader edits none."""
    account = _account(admin)
    contact = account_service.add_contact(admin, account.id, ContactIn(name="Dana"))
    with pytest.raises(PermissionDenied, match="another segment"):
        account_service.update_contact(admin.as_user("ae2"), contact.id, ContactIn(name="X"), 1)
    with pytest.raises(PermissionDenied, match="Only a"):
        account_service.update_contact(admin.as_user("leader"), contact.id, ContactIn(name="X"), 1)


@pytest.mark.parametrize("email", ["dana", "dana@acme", "dana smith@acme.example", "a@b.c"])
def test_a_contact_email_is_refused_with_a_sentence_when_it_is_not_an_address(email: str) -> None:
    """The shape sending checks is the shape a contact is saved with, said in one sentence."""
    with pytest.raises(ValidationError) as caught:
        ContactIn(name="Dana", email=email)
    refusal = invalid_input(caught.value)
    assert refusal.message == "An e-mail address looks like name@example.com."
    assert refusal.field == "email"


def test_a_contact_needs_a_name() -> None:
    """Spaces are not a name."""
    with pytest.raises(ValidationError, match="a contact needs a name"):
        ContactIn(name="   ")


def test_the_billing_address_is_saved_audited_and_ready_for_sending(admin: Context) -> None:
    """Saved with the country in capitals, audited as an update, and no longer a problem for
    sending; the city is searched."""
    account = _account(admin)
    saved = update_billing_address(admin.as_user("finance"), account.id, ADDRESS, 1)
    assert (saved.billing_city, saved.billing_country) == ("San Francisco", "US")
    assert saved.version == 2
    latest = audit.trail(admin, RecordType.ACCOUNT, account.id)[0]
    assert latest.action == "accounts.update_billing_address"
    assert latest.after is not None
    assert latest.after["billing_postal_code"] == "94105"
    # One change, one event: the search text is written with the address, not after it.
    assert len(audit.trail(admin, RecordType.ACCOUNT, account.id)) == 2
    fields = [field for field, _ in billing_details.sending_problems(admin, account.id, "US")]
    assert not any(field.startswith("billing") for field in fields)
    found = account_search.search_accounts(admin, AccountQuery(text="san franc"))
    assert [row.id for row in found.items] == [account.id]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        (
            {"billing_country": "US", "billing_postal_code": "941"},
            "billing_postal_code",
            "The billing postal code '941' is not a US ZIP code such as 94105.",
        ),
        (
            {"billing_country": "DE", "billing_postal_code": "1011"},
            "billing_postal_code",
            "The billing postal code '1011' is not a German postcode of five digits.",
        ),
        (
            {"billing_country": "France"},
            "billing_country",
            "The billing country is a two-letter code such as US, DE or FR.",
        ),
    ],
)
def test_a_malformed_address_is_refused_beside_its_field(
    fields: dict[str, str], field: str, words: str
) -> None:
    """The postal code fits its country, the country is a code, each said in one sentence."""
    refusal = _refusal(**fields)
    assert (refusal.field, refusal.message) == (field, words)


def test_a_stale_billing_address_is_a_conflict(admin: Context) -> None:
    """Saving over someone else's save of the account is refused."""
    account = _account(admin)
    account_service.update_account(
        admin, account.id, AccountIn(name="Acme Corporation", segment_code="SMB"), 1
    )
    with pytest.raises(Conflict, match="Someone else saved this account"):
        update_billing_address(admin, account.id, ADDRESS, 1)


def test_the_billing_address_respects_segments_and_roles(admin: Context) -> None:
    """Another segment's AE and a Segment Leader are refused; the account is unchanged."""
    account = _account(admin)
    with pytest.raises(PermissionDenied, match="another segment"):
        update_billing_address(admin.as_user("ae2"), account.id, ADDRESS, 1)
    with pytest.raises(PermissionDenied, match="Only a"):
        update_billing_address(admin.as_user("leader"), account.id, ADDRESS, 1)
    assert account_service.get_account(admin, account.id).billing_city == ""


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"locale": "english"}, "locale", "A locale is a language and a country"),
        ({"currency": "usd"}, "currency", "A currency is a three-letter code in capitals"),
        ({"billing_country": "France"}, "billing_country", "The billing country is a two-letter"),
        ({"name": "   "}, "name", "An account needs a name."),
    ],
)
def test_the_account_form_is_refused_in_sentences(
    fields: dict[str, str], field: str, words: str
) -> None:
    """Locale, currency, country and a blank name are refused in our words, beside their
    field."""
    with pytest.raises(ValidationError) as caught:
        AccountIn.model_validate({"name": "Acme", "segment_code": "SMB", **fields})
    refusal = invalid_input(caught.value)
    assert refusal.field == field
    assert refusal.message.startswith(words)


def test_an_account_is_put_only_in_a_segment_its_maker_works_in(admin: Context) -> None:
    """A Small-business AE is told, beside the segment, that Enterprise is not theirs."""
    with pytest.raises(PermissionDenied, match="another segment than Enterprise") as caught:
        _account(admin.as_user("ae"), segment="ENT")
    assert caught.value.field == "segment_code"
