"""VAT on invoice lines: per line, and per category and rate for the invoice's tax totals.

Each category and rate's tax is its taxable amount times the rate, rounded once (half away from
zero) to the minor unit, which is what an e-invoice's VAT breakdown must show (Peppol's
BR-S-09 and its siblings). The lines' own tax shares that total out by the largest remainder,
so the lines always add up to the breakdown and the breakdown to the invoice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from acctmgr.domain.billing import TaxCategory

HUNDRED = Decimal(100)
# Categories whose rate is always nought, whatever the SKU says.
UNTAXED = (TaxCategory.ZERO, TaxCategory.EXEMPT, TaxCategory.REVERSE_CHARGE)


@dataclass(frozen=True)
class Taxable:
    """What a line brings to the tax: its net amount, category and rate (percent)."""

    net_minor: int
    category: TaxCategory
    rate: Decimal


@dataclass(frozen=True)
class TaxTotal:
    """One line of the VAT breakdown."""

    category: TaxCategory
    rate: Decimal
    taxable_minor: int
    tax_minor: int


def effective_rate(category: TaxCategory, rate: Decimal) -> Decimal:
    """The rate a line is taxed at: nought for the untaxed categories."""
    return Decimal(0) if category in UNTAXED else rate


def tax_of(taxable_minor: int, rate: Decimal) -> int:
    """``taxable x rate / 100``, rounded half away from zero to the minor unit."""
    exact = Decimal(abs(taxable_minor)) * rate / HUNDRED
    rounded = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return -rounded if taxable_minor < 0 else rounded


def breakdown(lines: Sequence[Taxable]) -> list[TaxTotal]:
    """The VAT breakdown: one total per category and rate, in the order first met."""
    sums: dict[tuple[TaxCategory, Decimal], int] = {}
    for line in lines:
        key = (line.category, effective_rate(line.category, line.rate))
        sums[key] = sums.get(key, 0) + line.net_minor
    return [
        TaxTotal(category, rate, taxable, tax_of(taxable, rate))
        for (category, rate), taxable in sums.items()
    ]


def line_taxes(lines: Sequence[Taxable]) -> list[int]:
    """Each line's tax, so that each category and rate's lines add up to its total exactly."""
    shares = [0] * len(lines)
    for total in breakdown(lines):
        members = [
            index
            for index, line in enumerate(lines)
            if (line.category, effective_rate(line.category, line.rate))
            == (total.category, total.rate)
        ]
        exact = [Decimal(lines[index].net_minor) * total.rate / HUNDRED for index in members]
        floors = [int(value.to_integral_value(rounding="ROUND_FLOOR")) for value in exact]
        left = total.tax_minor - sum(floors)
        # The remainders largest first (ties to the earlier line) take the cents left over.
        order = sorted(range(len(members)), key=lambda at: (-(exact[at] - floors[at]), at))
        for rank, at in enumerate(order):
            floors[at] += 1 if rank < left else 0
        for index, share in zip(members, floors, strict=True):
            shares[index] = share
    return shares
