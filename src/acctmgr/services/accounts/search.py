"""Finding accounts: search as you type over name, iSeries number, city and contacts' names and
e-mail addresses, without regard to accents or case, in natural name order.

Every keystroke asks for one page, searched, ordered and paged in the database, so this is read
with plain SQL through the driver (``acctmgr.db.reader``): through the ORM, its session, actor
and row objects took 4-5 ms of each answer on 100,000 accounts, where this read takes half a
millisecond for most texts (benchmarks/search.py).

The text is folded as the stored one is (``kernel.text.folded``: "koln" and "KÖLN" find "Köln",
"strasse" finds "Straße"), then matched literally (``%``, ``_`` and ``/`` are not wildcards)
against the search column that ``accounts.refresh_search_text`` keeps. Accounts are listed by
``sort_name`` (``kernel.text.natural_name``: "#6" before "#11"), then id; on SQLite the covering
index of migration 0007 holds that order and the search column. Sorted by another column
(``SORTS``, ``kernel.sorting``), the matches are sorted in the database before the page is cut.
On SQLite an FTS5 trigram index (migration 0004) narrows the accounts to check when few hold
the text; PostgreSQL's trigram GIN index (migration 0002) serves the LIKE directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from acctmgr.db.reader import Reader
from acctmgr.errors import InvalidInput
from acctmgr.models import AccountKind
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.plain_reads import reading_actor, segment_clause
from acctmgr.services.kernel.sorting import Sort, sql_order
from acctmgr.services.kernel.text import folded, single_line

MAX_PAGE = 500
TRIGRAM = 3
# Above this many candidates, scanning accounts in name order finds a page of matches about as
# soon as sorting the candidates by name (~10 ms for 5,000 of 100,000 accounts) and mostly sooner.
FEW_CANDIDATES = 5000
LIKE_ESCAPE = "/"
COLUMNS = """
    SELECT acc.id, acc.name, acc.kind, acc.iseries_number, acc.billing_city,
           acc.billing_country, seg.name, parent.name, owner.name
    FROM accounts acc
    JOIN segments seg ON seg.id = acc.segment_id
    LEFT JOIN accounts parent ON parent.id = acc.parent_id
    LEFT JOIN users owner ON owner.id = acc.owner_id
"""
# The accounts whose search text holds every trigram of the text (SQLite, migration 0004).
TRIGRAM_MATCHES = "SELECT rowid FROM accounts_search WHERE accounts_search MATCH :trigrams"
# The columns the list sorts by (``kernel.sorting``), names by their natural order.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("acc.sort_name",),
    "kind": ("acc.kind",),
    "iseries": ("coalesce(acc.iseries_number, '')",),
    "city": ("lower(acc.billing_city)", "lower(acc.billing_country)"),
    "segment": ("lower(seg.name)",),
    "parent": ("coalesce(parent.sort_name, '')",),
}
BY_NAME = Sort("name")


@dataclass(frozen=True)
class AccountQuery:
    """What the accounts list asks for: the text typed, its filters, and which page."""

    text: str = ""
    segment_id: int | None = None
    parent_id: int | None = None
    offset: int = 0
    limit: int = 50
    count: bool = False  # also count every match (it costs a pass over them)
    sort: Sort = BY_NAME  # a column of SORTS

    def __post_init__(self) -> None:
        if self.offset < 0 or not 1 <= self.limit <= MAX_PAGE:
            raise InvalidInput(
                f"A page holds 1 to {MAX_PAGE} accounts and starts at 0 or later; "
                f"this one asked for {self.limit} from {self.offset}."
            )


@dataclass(frozen=True)
class AccountRow:
    """One line of the accounts list."""

    id: int
    name: str
    kind: AccountKind
    iseries_number: str | None
    billing_city: str
    billing_country: str
    segment_name: str
    parent_name: str | None
    owner_name: str | None


@dataclass(frozen=True)
class AccountPage:
    items: list[AccountRow]
    offset: int
    limit: int
    total: int | None  # every match, when the query asked for the count


def search_accounts(context: Context, query: AccountQuery) -> AccountPage:
    """Accounts in the user's segments whose name, iSeries number, city, or a contact's name or
    e-mail address contain the text, accents and case aside, in natural name order (the rule
    is ``kernel.text``'s) or by the column ``query.sort`` names, then by id.

    A text with a control character in it, or a sort by a column not in SORTS, is refused
    (InvalidInput).
    """
    order = sql_order(SORTS, query.sort, BY_NAME, tie_breaker="acc.id", what="accounts list")
    text = folded(single_line(query.text, what="search text", field="text")).strip()
    with context.reader() as reader:
        actor = reading_actor(reader, context.login)
        conditions = [segment_clause(actor, "acc.segment_id")]
        params: dict[str, object] = {"segment": actor.segment_id}
        if text:
            conditions.append(f"acc.search_text LIKE :pattern ESCAPE '{LIKE_ESCAPE}'")
            params["pattern"] = f"%{_escaped(text)}%"
            trigrams = _few_trigram_candidates(reader, text)
            if trigrams is not None:
                conditions.append(f"acc.id IN ({TRIGRAM_MATCHES})")
                params["trigrams"] = trigrams
        if query.segment_id is not None:
            conditions.append("acc.segment_id = :segment_id")
            params["segment_id"] = query.segment_id
        if query.parent_id is not None:
            conditions.append("acc.parent_id = :parent_id")
            params["parent_id"] = query.parent_id
        where = " AND ".join(conditions)
        rows = reader.rows(
            f"{COLUMNS} WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset",
            limit=query.limit,
            offset=query.offset,
            **params,
        )
        total = None
        if query.count:
            total = reader.rows(f"SELECT count(*) FROM accounts acc WHERE {where}", **params)[0][0]
    return AccountPage(
        items=[
            AccountRow(key, name, AccountKind(kind), iseries, city, country, segment, parent, owner)
            for key, name, kind, iseries, city, country, segment, parent, owner in rows
        ],
        offset=query.offset,
        limit=query.limit,
        total=total,
    )


def _escaped(text: str) -> str:
    """The text for a LIKE pattern in which it matches only itself."""
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return text


def _few_trigram_candidates(reader: Reader, text: str) -> str | None:
    """On SQLite, the FTS5 query for the accounts whose search text holds every trigram of
    ``text``; None when the text is too short or too common for narrowing to pay.

    ``LIKE '%text%'`` scans every account when few match. The trigram index answers in well
    under a millisecond; it only narrows, the LIKE still decides what matches.
    """
    if len(text) < TRIGRAM or not reader.sqlite:
        return None
    grams = sorted({text[i : i + TRIGRAM] for i in range(len(text) - TRIGRAM + 1)})
    # Each trigram as an FTS5 string, so that no character in it is read as query syntax.
    trigrams = " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)
    (few,) = reader.rows(
        f"SELECT count(*) FROM ({TRIGRAM_MATCHES} LIMIT :few) AS candidates",
        trigrams=trigrams,
        few=FEW_CANDIDATES,
    )[0]
    return trigrams if few < FEW_CANDIDATES else None
