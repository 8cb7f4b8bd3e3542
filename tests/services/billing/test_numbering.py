"""Invoice numbers are gap-free per kind and year: taken at approval, given again when the
approval rolls back, never shared by two invoices."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from acctmgr.domain.billing import InvoiceKind
from acctmgr.models import NumberSequence
from acctmgr.services.billing.numbering import next_number
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import UnitOfWork, use_case

DAY = date(2026, 12, 6)


@use_case("tests.number", needs_actor=False)
def _number(uow: UnitOfWork, kind: InvoiceKind, on: date, *, fail: bool = False) -> str:
    number = next_number(uow, kind, on)
    if fail:
        raise RuntimeError("the approval went wrong after the number was taken")
    return number


def test_numbers_count_up_per_kind_and_year(admin: Context) -> None:
    assert _number(admin, InvoiceKind.INVOICE, DAY) == "INV-2026-000001"
    assert _number(admin, InvoiceKind.INVOICE, DAY) == "INV-2026-000002"
    assert _number(admin, InvoiceKind.CREDIT_NOTE, DAY) == "CN-2026-000001"
    assert _number(admin, InvoiceKind.INVOICE, date(2027, 1, 1)) == "INV-2027-000001"


def test_a_number_taken_by_a_rolled_back_approval_is_given_again(admin: Context) -> None:
    assert _number(admin, InvoiceKind.INVOICE, DAY) == "INV-2026-000001"
    with pytest.raises(RuntimeError):
        _number(admin, InvoiceKind.INVOICE, DAY, fail=True)
    assert _number(admin, InvoiceKind.INVOICE, DAY) == "INV-2026-000002"


def test_approvals_at_once_never_share_a_number(admin: Context) -> None:
    taken: list[str] = []

    def approve() -> None:
        for _ in range(10):
            taken.append(_number(admin, InvoiceKind.INVOICE, DAY))

    threads = [threading.Thread(target=approve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == [f"INV-2026-{value:06d}" for value in range(1, 41)]

    @use_case("tests.sequences", write=False, needs_actor=False)
    def last(uow: UnitOfWork) -> int:
        return uow.session.scalars(select(NumberSequence.last_value)).one()

    assert last(admin) == 40
