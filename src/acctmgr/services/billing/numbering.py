"""Gap-free invoice and credit-note numbers, one sequence per kind and year.

A number is taken in the transaction that approves the invoice, by an UPDATE of the sequence's
row: the row lock it takes makes a second approval wait for the first to commit or roll back,
so two invoices never share a number, and a number a rolled-back approval took is given again.
That is what "gap-free" means to an auditor: every number from 1 up is an invoice, sent or
cancelled, and none is missing. SQLite's write lock (``BEGIN IMMEDIATE``) does the same.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from acctmgr.domain.billing import InvoiceKind
from acctmgr.models import NumberSequence
from acctmgr.services.kernel.unit_of_work import UnitOfWork

PREFIXES = {InvoiceKind.INVOICE: "INV", InvoiceKind.CREDIT_NOTE: "CN"}


def sequence_name(kind: InvoiceKind, year: int) -> str:
    """``invoice:2026``, ``credit_note:2026``."""
    return f"{kind.value}:{year}"


def next_number(uow: UnitOfWork, kind: InvoiceKind, on: date) -> str:
    """The next number of the kind's sequence for the year of ``on``: ``INV-2026-000042``."""
    name = sequence_name(kind, on.year)
    session = uow.session
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # The year's first number makes its row; a concurrent first waits on the key, then counts on.
    session.execute(
        insert(NumberSequence)
        .values(name=name, last_value=0)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    value = session.execute(
        update(NumberSequence)
        .where(NumberSequence.name == name)
        .values(last_value=NumberSequence.last_value + 1)
        .returning(NumberSequence.last_value)
    ).scalar_one()
    return f"{PREFIXES[kind]}-{on.year}-{value:06d}"
