"""What the ERP is to be told, queued in the transaction that made it.

Each document goes out once per revision: its export row is written beside the change it
reports (an activated order, a new revision of one), keyed by document and revision (a unique
key the ERP deduplicates on too), with the SHA-256 of the payload kept. The worker writes it to
the drop folder later (``erp_export``); a change that rolls back takes its export with it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from acctmgr.domain.records import RecordType
from acctmgr.models import ErpExport, ExportStatus
from acctmgr.services.kernel.unit_of_work import UnitOfWork


def export_key(document_type: RecordType, number: str, revision: int) -> str:
    """The idempotency key: ``order:SO-000012:2``."""
    return f"{document_type.value}:{number}:{revision}"


def canonical(payload: dict[str, Any]) -> str:
    """The payload as written: JSON with sorted keys, so its SHA-256 is stable."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, indent=1, default=str)


def queue_export(
    uow: UnitOfWork,
    document_type: RecordType,
    document_id: int,
    number: str,
    revision: int,
    payload: dict[str, Any],
    *,
    replaces_key: str | None = None,
) -> ErpExport:
    """Queue one document at one revision for the ERP; the payload names its key and the
    revision it replaces, so the ERP can tell a new revision from a repeat."""
    key = export_key(document_type, number, revision)
    text = canonical({**payload, "idempotency_key": key, "replaces": replaces_key})
    return uow.add(
        ErpExport(
            document_type=document_type,
            document_id=document_id,
            revision=revision,
            idempotency_key=key,
            replaces_key=replaces_key,
            payload=text,
            payload_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            status=ExportStatus.QUEUED,
        )
    )
