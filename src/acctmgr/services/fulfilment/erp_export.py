"""Writing the ERP exports to the drop folder: each once, none lost, whatever the workers do.

``acctmgr worker`` calls ``write_due`` every pass. An export is first *claimed* with an atomic
compare-and-set (queued to writing, with this worker's name and a lease), committed before any
file is touched, so of several workers only one writes it. Its files are then written whole
(``erp_files``), and it is marked written in a second short transaction. A worker that dies
between the two leaves the export claimed; once the lease runs out another worker claims it,
finds the files with the payload's SHA-256 already there, and only marks it written: nothing
is written twice, and never with other content.

When the folder is missing, read-only or full, nothing is lost: the export goes back to the
queue with the reason in one sentence naming the folder (the exports screen shows it), and is
tried again after 1, 2, 5, 10 and then every 30 minutes, or at once when an admin says so
(``retry_export``). A queued export's ``lease_until`` is the time it waits for, if any.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from acctmgr.config import LoadedSettings
from acctmgr.domain.records import RecordType
from acctmgr.errors import InvalidInput
from acctmgr.models import ErpExport, ExportStatus, Role
from acctmgr.services.fulfilment import erp_files
from acctmgr.services.fulfilment.erp_files import NotWritten
from acctmgr.services.kernel import audit
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.permissions import require_role
from acctmgr.services.kernel.read_models import ReadModel
from acctmgr.services.kernel.sorting import Sort, orm_order
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

log = logging.getLogger("acctmgr.erp")

# The wait before the next try after n failures; the last one repeats for as long as it takes.
RETRY_DELAYS = tuple(timedelta(minutes=m) for m in (1, 2, 5, 10, 30))
# How long a claim holds: far longer than two small files take, short enough that an export a
# dead worker held goes out soon after.
LEASE = timedelta(minutes=2)
UNEXPECTED = "Something unexpected went wrong while writing it; the log has the details."


class ExportReport(ReadModel):
    written: int  # in the drop folder now (or found there, whole, from a worker that died)
    # Not in the drop folder after the pass: failed now, in a back-off from an earlier pass, or
    # held by another worker. Counted afresh, so the worker's line is true however it went.
    waiting: int


@dataclass(frozen=True)
class ClaimedExport:
    id: int
    idempotency_key: str
    payload: str
    payload_sha256: str


def write_due(
    context: Context, settings: LoadedSettings, *, worker: str, limit: int = 50
) -> ExportReport:
    """Write up to ``limit`` due exports to the drop folder in the settings.

    Safe to run in several workers at once: each export is claimed before it is written. A
    folder that cannot take the files never raises from here; the export waits, saying why.
    """
    folder = settings.erp_drop_folder
    if not settings.settings.erp_drop_folder:
        # The default folder is acctmgr's own, so a fresh install works; a configured one (a
        # share) is never made here, so that one which failed to mount is not filled locally.
        with contextlib.suppress(OSError):  # the export says why it waits
            folder.mkdir(parents=True, exist_ok=True)
    outcomes: list[str] = []
    for export_id, seen in _due(context, limit):
        claimed = _claim(context, export_id, seen, worker)
        if claimed is not None:  # else another worker has it
            outcomes.append(_write(context, folder, worker, claimed))
    return ExportReport(written=outcomes.count("written"), waiting=_waiting(context))


@use_case("erp.waiting", write=False, needs_actor=False)
def _waiting(uow: UnitOfWork) -> int:
    """How many exports are not written yet."""
    return int(
        uow.session.scalar(
            select(func.count())
            .select_from(ErpExport)
            .where(ErpExport.status.in_((ExportStatus.QUEUED, ExportStatus.WRITING)))
        )
        or 0
    )


def _write(context: Context, folder: Path, worker: str, claimed: ClaimedExport) -> str:
    """Write one claimed export: "written", "waiting", or "lost" (the claim)."""
    try:
        files = erp_files.export_files(claimed.idempotency_key, claimed.payload)
        if erp_files.sha256(files.json_text.encode("utf-8")) != claimed.payload_sha256:
            raise NotWritten(
                "Its payload no longer matches the SHA-256 it was queued with, "
                "so it is not written."
            )
        erp_files.write_export(folder, files)
    except NotWritten as problem:
        reason = str(problem)
    except Exception:
        # A bug must not hold the export (or the worker) forever: record it and move on.
        log.exception("unexpected failure writing ERP export %s", claimed.idempotency_key)
        reason = UNEXPECTED
    else:
        return "written" if _mark_written(context, claimed.id, worker, files.json_name) else "lost"
    _record_wait(context, claimed.id, worker, reason)
    return "waiting"


@use_case("erp.due", write=False, needs_actor=False)
def _due(uow: UnitOfWork, limit: int) -> list[tuple[int, int]]:
    """(id, version) of exports ready to write: queued and not waiting, or held by a claim
    that ran out; oldest first."""
    rows = uow.session.execute(
        select(ErpExport.id, ErpExport.version)
        .where(_claimable(uow.now))
        .order_by(ErpExport.created_at, ErpExport.id)
        .limit(limit)
    ).all()
    return [(row.id, row.version) for row in rows]


def _claimable(now: datetime) -> Any:
    return or_(
        and_(
            ErpExport.status == ExportStatus.QUEUED,
            or_(ErpExport.lease_until.is_(None), ErpExport.lease_until <= now),
        ),
        and_(ErpExport.status == ExportStatus.WRITING, ErpExport.lease_until < now),
    )


@use_case("erp.claim", needs_actor=False)
def _claim(uow: UnitOfWork, export_id: int, seen: int, worker: str) -> ClaimedExport | None:
    """Take the export for this worker, unless another worker changed it since it was seen."""
    result = uow.session.execute(
        update(ErpExport)
        .where(ErpExport.id == export_id, ErpExport.version == seen, _claimable(uow.now))
        .values(
            status=ExportStatus.WRITING,
            claimed_by=worker,
            lease_until=uow.now + LEASE,
            version=ErpExport.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = uow.session.execute(
        select(ErpExport.idempotency_key, ErpExport.payload, ErpExport.payload_sha256).where(
            ErpExport.id == export_id
        )
    ).one()
    return ClaimedExport(export_id, row.idempotency_key, row.payload, row.payload_sha256)


@use_case("erp.written", needs_actor=False)
def _mark_written(uow: UnitOfWork, export_id: int, worker: str, file_name: str) -> bool:
    """Mark the export written while this worker still holds it; False when it lost the claim
    (a worker that took over after the lease finds the files and marks it)."""
    marked = uow.session.execute(
        update(ErpExport)
        .where(ErpExport.id == export_id, _held_by(worker))
        .values(
            status=ExportStatus.WRITTEN,
            written_at=uow.now,
            file_name=file_name,
            claimed_by=None,
            lease_until=None,
            last_error="",
            updated_at=uow.now,
            version=ErpExport.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if not getattr(marked, "rowcount", 0):
        return False
    audit.record(uow, RecordType.ERP_EXPORT, export_id, "written", {"file": file_name})
    return True


@use_case("erp.wait", needs_actor=False)
def _record_wait(uow: UnitOfWork, export_id: int, worker: str, reason: str) -> None:
    """Queue the export again, to be tried after its back-off, with the reason."""
    attempts = uow.session.scalar(
        select(ErpExport.attempts).where(ErpExport.id == export_id, _held_by(worker))
    )
    if attempts is None:
        return  # the claim was lost (its lease ran out); the new holder records its own
    attempts += 1
    uow.session.execute(
        update(ErpExport)
        .where(ErpExport.id == export_id, _held_by(worker))
        .values(
            status=ExportStatus.QUEUED,
            attempts=attempts,
            lease_until=uow.now + RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1],
            claimed_by=None,
            last_error=reason,
            updated_at=uow.now,
            version=ErpExport.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    audit.record(
        uow, RecordType.ERP_EXPORT, export_id, "wait", {"attempts": attempts, "error": reason}
    )


def _held_by(worker: str) -> Any:
    return and_(ErpExport.status == ExportStatus.WRITING, ErpExport.claimed_by == worker)


# --- what admins see and do with the exports -----------------------------------------------------


class ExportRow(ReadModel):
    id: int
    version: int
    idempotency_key: str
    document_type: RecordType
    revision: int
    replaces_key: str | None
    status: ExportStatus
    attempts: int
    lease_until: datetime | None  # while queued after a failure: not tried before then
    last_error: str
    written_at: datetime | None
    file_name: str
    created_at: datetime

    @property
    def document(self) -> str:
        """The document and revision in words: "Order SO-000012, revision 2"."""
        number = self.idempotency_key.split(":")[1] if ":" in self.idempotency_key else ""
        kind = self.document_type.label.capitalize()
        return f"{kind} {number}, revision {self.revision}" if number else kind

    @property
    def waits_until(self) -> datetime | None:
        """When a queued export that failed is tried again (None: on the next pass)."""
        return self.lease_until if self.status is ExportStatus.QUEUED else None


# The columns the exports screen sorts by (``kernel.sorting``); "created" first, newest first.
SORTS: dict[str, tuple[Any, ...]] = {
    "created": (ErpExport.created_at,),
    "status": (ErpExport.status,),
    "key": (ErpExport.idempotency_key,),
    "attempts": (ErpExport.attempts,),
    "written": (ErpExport.written_at,),
    "error": (func.lower(ErpExport.last_error),),
}
NEWEST_FIRST = Sort("created", descending=True)


@use_case("erp.list", write=False)
def exports(
    uow: UnitOfWork,
    status: ExportStatus | None = None,
    limit: int = 50,
    offset: int = 0,
    sort: Sort = NEWEST_FIRST,
) -> list[ExportRow]:
    """The ERP exports, newest first or by the column ``sort`` names and then id, optionally
    only those in one status.

    Only an Admin can see them (PermissionDenied otherwise); a sort by a column not in SORTS is
    refused (InvalidInput).
    """
    require_role(uow.user, Role.ADMIN, to="see the ERP exports")
    order = orm_order(SORTS, sort, NEWEST_FIRST, tie_breaker=ErpExport.id, what="ERP exports")
    query = select(ErpExport).order_by(*order)
    if status is not None:
        query = query.where(ErpExport.status == status)
    rows = uow.session.scalars(query.limit(limit).offset(offset)).all()
    return [ExportRow.model_validate(row) for row in rows]


@use_case("erp.retry")
def retry_export(uow: UnitOfWork, export_id: int, expected_version: int) -> ExportRow:
    """Let a waiting export be written on the worker's next pass rather than after its
    back-off (once the drop folder is fixed, say).

    Only an Admin can. Refused with InvalidInput for an export that is not queued, and with
    Conflict when it changed since it was loaded.
    """
    require_role(uow.user, Role.ADMIN, to="retry ERP exports")
    record = uow.get(ErpExport, export_id, "ERP export")
    uow.expect_version(record, expected_version, "ERP export")
    if record.status is not ExportStatus.QUEUED:
        raise InvalidInput(
            f"Only a queued ERP export can be tried again; this one is {record.status.value}."
        )
    record.lease_until = None
    uow.session.flush()
    return ExportRow.model_validate(record)


@use_case("erp.orders_since", write=False)
def order_payloads(uow: UnitOfWork, since: date) -> list[str]:
    """The payload of every order export queued on or after ``since`` (UTC), whatever its
    status, oldest first: what ``acctmgr export orders`` prints for scripts.

    Only an Admin or Finance can read them (PermissionDenied otherwise).
    """
    require_role(uow.user, Role.ADMIN, Role.FINANCE, to="export the orders")
    start = datetime.combine(since, time.min, tzinfo=UTC)
    return list(
        uow.session.scalars(
            select(ErpExport.payload)
            .where(ErpExport.document_type == RecordType.ORDER, ErpExport.created_at >= start)
            .order_by(ErpExport.created_at, ErpExport.id)
        )
    )
