"""A usage file as it is read: a CSV with a header, one account's metric in one month a line.

The columns are ``account`` (the account's iSeries number) or ``account_id`` (its acctmgr id),
``metric`` (one acctmgr measures, ``MEASURED``; page views when absent or blank), ``month``
(``YYYY-MM``) and ``quantity`` (a whole number, 0 or more). Everything a line alone can get
wrong is found here, each with a sentence naming its line; an unknown account needs the
database, so the import finds those.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from acctmgr.errors import InvalidInput
from acctmgr.services.kernel.counts import MAX_PAGE_VIEWS

PAGE_VIEWS = "page_views"
# The metrics acctmgr measures (and prices): a file's other metric, a misspelt one above all,
# would be stored under a name nothing ever reads.
MEASURED = (PAGE_VIEWS,)
MAX_FILE_BYTES = 200 * 1024 * 1024  # a month of every account is a few megabytes
MONTH = re.compile(r"(\d{4})-(\d{2})")
# Past this many digits a number is no account id nor volume (and converting a few thousand
# digits is refused by Python itself).
MAX_DIGITS = 15
SHOWN = 40  # characters of a wrong value a rejection quotes
METRIC = re.compile(r"[a-z][a-z0-9_]{0,39}")
# What a caller hands the import: a file, or rows already read (a screen's, a test's).
UsageSource = Path | str | Sequence[Mapping[str, str]]


@dataclass(frozen=True)
class UsageLine:
    """One valid line: the account as the file names it, and what it used in a month."""

    line: int
    account: str  # the iSeries number, or the acctmgr id as text (``by_id``)
    metric: str
    month: date  # its first day
    quantity: int


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str  # one sentence


@dataclass(frozen=True)
class UsageFile:
    name: str
    sha256: str
    by_id: bool  # the account column is acctmgr's id rather than the iSeries number
    lines: list[UsageLine]
    rejected: list[Rejection]


def read_usage(source: UsageSource) -> UsageFile:
    """The file's lines, valid and rejected (a month twice for one account and metric is
    rejected on its second line).

    Raises InvalidInput for a file that cannot be read, or whose header lacks a column.
    """
    if isinstance(source, Path | str):
        text = _file_text(Path(source))
        name = str(source)
    else:
        text = _as_csv(source)
        name = "rows"
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [column.strip().lower() for column in reader.fieldnames or []]
    except csv.Error:
        raise InvalidInput(_unreadable(1)) from None
    by_id = "account_id" in header
    _check_header(header, by_id)
    reader.fieldnames = header
    account_column = "account_id" if by_id else "account"
    lines: list[UsageLine] = []
    rejected: list[Rejection] = []
    seen: dict[tuple[str, str, date], int] = {}
    # Line 1 is the header; a quoted value over several lines still counts as one row here.
    for number, row in _rows(reader):
        parsed = _line(number, row, account_column, by_id)
        if isinstance(parsed, Rejection):
            rejected.append(parsed)
            continue
        key = (parsed.account, parsed.metric, parsed.month)
        first = seen.setdefault(key, number)
        if first != number:
            rejected.append(
                Rejection(
                    number,
                    f"Line {number}: account {parsed.account} has {parsed.metric} for "
                    f"{parsed.month:%Y-%m} on line {first} already.",
                )
            )
            continue
        lines.append(parsed)
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return UsageFile(name, sha256, by_id, lines, rejected)


def _rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, str | None]]]:
    """The rows numbered from 2. A quote left open swallows the rest of the file into one
    field until the csv module gives up: the file's fault, said in a sentence."""
    number = 1
    try:
        for number, row in enumerate(reader, start=2):
            yield number, row
    except csv.Error:
        raise InvalidInput(_unreadable(number + 1)) from None


def _unreadable(number: int) -> str:
    return (
        f'Line {number}: a quote (") is left open, or a value is far too long; nothing from '
        "there on can be read."
    )


def _file_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput(f"{path} is over {MAX_FILE_BYTES // 1024 // 1024} MB; split it.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"There is no usage file {path}.") from None
    except OSError as error:
        raise InvalidInput(f"Cannot read {path}: {error.strerror or error}.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not a UTF-8 text file.") from None


def _as_csv(rows: Sequence[Mapping[str, str]]) -> str:
    """Rows as the CSV they would have come in, so they are read, and hashed, as a file is."""
    columns = list(dict.fromkeys(column for row in rows for column in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _check_header(header: list[str], by_id: bool) -> None:
    missing = [column for column in ("month", "quantity") if column not in header]
    if not by_id and "account" not in header:
        missing.insert(0, "account")
    if missing:
        raise InvalidInput(
            f"The usage file's header has no {' or '.join(missing)} column; it needs account "
            "(or account_id), month and quantity, and may have metric."
        )


def _line(
    number: int, row: dict[str, str | None], account_column: str, by_id: bool
) -> UsageLine | Rejection:
    def value(column: str) -> str:
        found = row.get(column)
        return found.strip() if isinstance(found, str) else ""

    account = value(account_column)
    if not account:
        return Rejection(number, f"Line {number}: the account is missing.")
    if by_id and not _is_number(account):
        return Rejection(
            number, f"Line {number}: the account id {_shown(account)} is not a number."
        )
    metric = value("metric").lower() or PAGE_VIEWS
    if not METRIC.fullmatch(metric):
        return Rejection(
            number, f"Line {number}: the metric {_shown(metric)} is not a name like page_views."
        )
    if metric not in MEASURED:
        return Rejection(
            number,
            f"Line {number}: acctmgr does not measure the metric {_shown(metric)}; it knows "
            f"{', '.join(MEASURED)}.",
        )
    month = _month(value("month"))
    if month is None:
        return Rejection(
            number,
            f"Line {number}: the month {_shown(value('month'))} is not a month written YYYY-MM.",
        )
    quantity = _quantity(value("quantity"))
    if quantity is None:
        return Rejection(
            number,
            f"Line {number}: the quantity {_shown(value('quantity'))} is not a whole number "
            f"from 0 to {MAX_PAGE_VIEWS:,}.",
        )
    return UsageLine(number, str(int(account)) if by_id else account, metric, month, quantity)


def _shown(text: str) -> str:
    """A wrong value as a sentence quotes it: cut short, as a value of thousands of characters
    (a quote left open swallows the lines after it) would bury the sentence."""
    return repr(text if len(text) <= SHOWN else text[:SHOWN] + "…")


def _month(text: str) -> date | None:
    matched = MONTH.fullmatch(text)
    if matched is None:
        return None
    year, month = int(matched.group(1)), int(matched.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 9999):
        return None
    return date(year, month, 1)


def _quantity(text: str) -> int | None:
    # "1,200" and "1 200" are how people write thousands; "12.5" or "-3" are not volumes.
    cleaned = text.replace(",", "").replace("_", "").replace(" ", "")
    if not _is_number(cleaned):
        return None
    quantity = int(cleaned)
    return quantity if quantity <= MAX_PAGE_VIEWS else None


def _is_number(text: str) -> bool:
    # isdigit alone takes "²" and other digits int() refuses; ASCII digits only.
    return text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS
