"""A kept document out of acctmgr: a copy in a folder, the desktop's viewer, sent again."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput, PermissionDenied
from acctmgr.models import Document, EmailAttachment, OutboxEmail
from acctmgr.services.documents import copies
from acctmgr.services.kernel.context import Context
from tests.retention_support import contract_sent, customer


def sent_contract_document(admin: Context) -> Document:
    """The PDF of Acme's new contract, sent for signature by e-mail."""
    contract_sent(admin, customer(admin))
    with admin.database.read_session() as session:
        return session.scalars(
            select(Document).where(
                Document.record_type == RecordType.CONTRACT,
                Document.media_type == "application/pdf",
            )
        ).one()


def test_a_copy_is_the_stored_bytes_and_never_overwrites_a_file(
    admin: Context, tmp_path: Path
) -> None:
    """The copy holds exactly what was sent; a second copy is named (2), the first untouched."""
    document = sent_contract_document(admin)
    cms = admin.as_user("cms")
    first = copies.save_copy(cms, document.id, str(tmp_path))
    second = copies.save_copy(cms, document.id, str(tmp_path))
    assert first.read_bytes() == document.content == second.read_bytes()
    assert first.name == document.filename
    assert second.name == f"{Path(document.filename).stem} (2){Path(document.filename).suffix}"


def test_a_copy_to_a_missing_folder_is_refused_beside_the_field(
    admin: Context, tmp_path: Path
) -> None:
    """A folder that does not exist is named in one sentence, and nothing is written."""
    document = sent_contract_document(admin)
    nowhere = tmp_path / "copies" / "nowhere"
    with pytest.raises(InvalidInput, match="There is no folder") as refused:
        copies.save_copy(admin.as_user("cms"), document.id, str(nowhere))
    assert refused.value.field == "folder"
    assert not (tmp_path / "copies").exists()


def test_another_segment_gets_no_copy(admin: Context, tmp_path: Path) -> None:
    """An Enterprise AE cannot take a copy of a Small business contract."""
    document = sent_contract_document(admin)
    with pytest.raises(PermissionDenied):
        copies.save_copy(admin.as_user("ae2"), document.id, str(tmp_path))


def test_without_a_desktop_the_viewer_is_refused_with_a_sentence(
    admin: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over SSH (or with no display) opening says to save a copy instead; nothing runs."""
    document = sent_contract_document(admin)
    monkeypatch.setattr("acctmgr.services.documents.copies.sys.platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(InvalidInput, match="no desktop viewer"):
        copies.open_in_viewer(admin.as_user("cms"), document.id)


def test_sending_again_queues_a_new_email_to_the_same_people_with_the_same_document(
    admin: Context,
) -> None:
    """A second e-mail with its own Message-ID, the same recipients and attachments."""
    document = sent_contract_document(admin)
    to = copies.resend_document(admin.as_user("cms"), document.id)
    with admin.database.read_session() as session:
        emails = session.scalars(
            select(OutboxEmail)
            .join(EmailAttachment, EmailAttachment.email_id == OutboxEmail.id)
            .where(EmailAttachment.document_id == document.id)
            .order_by(OutboxEmail.id)
        ).all()
        assert len(emails) == 2
        first, again = emails
        assert again.message_id != first.message_id
        assert again.to_addresses == first.to_addresses == ", ".join(to)
        assert [a.document_id for a in again.attachments] == [
            a.document_id for a in first.attachments
        ]


def test_only_those_who_send_documents_send_one_again(admin: Context) -> None:
    """Finance reads contracts but does not send them to customers."""
    document = sent_contract_document(admin)
    with pytest.raises(PermissionDenied):
        copies.resend_document(admin.as_user("finance"), document.id)
