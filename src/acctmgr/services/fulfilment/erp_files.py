"""The ERP drop folder: each export as a JSON file and a CSV file, whole or not at all.

A file is written under a hidden temporary name in the folder itself, flushed to disk and then
renamed over its real name (``os.replace``, atomic within one file system), so whoever reads the
folder sees either no file or the whole of it. The CSV goes first and the JSON last: a reader
that waits for the JSON finds the CSV complete too.

A file already there is never overwritten with other content: the same bytes mean an earlier
worker wrote it and died before saying so (it is not written again); other bytes mean someone
else's file, which is reported and left alone.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class NotWritten(Exception):
    """The files cannot be written (the folder refuses them, or holds others by their names);
    the message is one sentence saying why."""


@dataclass(frozen=True)
class ExportFiles:
    """What one export becomes in the drop folder."""

    stem: str  # "order_SO-000012_1"
    json_text: str  # the payload exactly as stored, whose SHA-256 the export row keeps
    csv_text: str

    @property
    def json_name(self) -> str:
        return f"{self.stem}.json"

    @property
    def csv_name(self) -> str:
        return f"{self.stem}.csv"


def export_files(idempotency_key: str, payload: str) -> ExportFiles:
    """The files of the export with this key and payload (``order:SO-1:2`` → ``order_SO-1_2``)."""
    return ExportFiles(UNSAFE.sub("_", idempotency_key), payload, payload_csv(payload))


def payload_csv(payload: str) -> str:
    """One row per entry of the payload's ``lines``, each with the document's own fields
    (nested ones as ``account.name``) before the line's (as ``line.sku``); a payload without
    lines is one row of the document's fields."""
    document: dict[str, Any] = json.loads(payload)
    lines = document.pop("lines", None)
    header = _flat(document)
    rows = [_flat(line, "line.") for line in lines if isinstance(line, dict)] if lines else []
    names = list(header)
    for row in rows:
        names += [name for name in row if name not in names]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    for row in rows or [{}]:
        writer.writerow({**header, **row})
    return out.getvalue()


def _flat(values: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, dict):
            flat |= _flat(value, f"{prefix}{name}.")
        else:
            flat[f"{prefix}{name}"] = _cell(value)
    return flat


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_export(folder: Path, files: ExportFiles) -> int:
    """Put both files in ``folder`` unless they are already there, byte for byte; the number
    of files written (0 when an earlier worker wrote both).

    Raises NotWritten when the folder is missing or refuses the files, or already holds
    one of them with other content.
    """
    if not folder.is_dir():
        raise NotWritten(
            f"The ERP drop folder {folder} "
            + ("is not a folder." if folder.exists() else "does not exist.")
        )
    written = 0
    for name, text in ((files.csv_name, files.csv_text), (files.json_name, files.json_text)):
        data = text.encode("utf-8")
        try:
            there = _existing(folder / name)
            if there is not None and there != sha256(data):
                raise NotWritten(
                    f"The ERP drop folder {folder} already holds {name} with other content, "
                    "which acctmgr will not overwrite."
                )
            if there is None:
                replace_atomically(folder, name, data)
                written += 1
        except OSError as error:
            raise NotWritten(_sentence(folder, error)) from error
    return written


def _existing(path: Path) -> str | None:
    """The SHA-256 of the file at ``path``, or None when there is none."""
    try:
        return sha256(path.read_bytes())
    except FileNotFoundError:
        return None


def replace_atomically(folder: Path, name: str, data: bytes) -> None:
    """Write ``data`` as ``folder/name`` so that no reader ever sees part of it."""
    # Hidden, so that a reader of *.json or *.csv never picks it up; unique per writer.
    temporary = folder / f".{name}.{uuid.uuid4().hex[:12]}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, folder / name)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    # The rename itself reaches the disk only when the folder does; not every system lets a
    # folder be opened for that, and the file is whole either way.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _sentence(folder: Path, error: OSError) -> str:
    """What is wrong with the folder, in one sentence naming it."""
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"The ERP drop folder {folder} is read-only: acctmgr may not write in it."
    if error.errno == errno.EROFS:
        return f"The ERP drop folder {folder} is on a read-only file system."
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"The ERP drop folder {folder} is full."
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return f"The ERP drop folder {folder} does not exist."
    reason = (error.strerror or str(error)).rstrip(".")
    return f"The ERP drop folder {folder} cannot be written: {reason}."
