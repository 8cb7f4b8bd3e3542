"""VAT: each category and rate's total is its taxable amount times the rate, rounded once; the
lines share it out exactly; untaxed categories are taxed at nought."""

from __future__ import annotations

from decimal import Decimal

from acctmgr.domain.billing import TaxCategory
from acctmgr.services.billing.tax import Taxable, breakdown, line_taxes, tax_of

STANDARD = TaxCategory.STANDARD


def test_tax_is_rounded_half_away_from_zero() -> None:
    assert tax_of(1_005, Decimal("10")) == 101  # 100.5 → 101
    assert tax_of(1_004, Decimal("10")) == 100
    assert tax_of(-1_005, Decimal("10")) == -101


def test_the_breakdown_rounds_each_category_once_and_the_lines_add_up_to_it() -> None:
    # Three lines of 0.33 at 19%: 0.0627 each; per line rounded they would be 0.18, the
    # category's 0.99 at 19% is 0.19, which the breakdown must show.
    lines = [Taxable(33, STANDARD, Decimal("19")) for _ in range(3)]
    (total,) = breakdown(lines)
    assert (total.taxable_minor, total.tax_minor) == (99, 19)
    shares = line_taxes(lines)
    assert sum(shares) == 19
    assert shares == [7, 6, 6]  # ties go to the earlier line


def test_categories_and_rates_are_kept_apart_and_untaxed_ones_pay_nothing() -> None:
    lines = [
        Taxable(10_000, STANDARD, Decimal("20")),
        Taxable(5_000, TaxCategory.REDUCED, Decimal("7")),
        Taxable(2_000, TaxCategory.REVERSE_CHARGE, Decimal("20")),
        Taxable(3_000, STANDARD, Decimal("20")),
    ]
    totals = {(total.category, total.rate): total for total in breakdown(lines)}
    assert totals[(STANDARD, Decimal("20"))].taxable_minor == 13_000
    assert totals[(STANDARD, Decimal("20"))].tax_minor == 2_600
    assert totals[(TaxCategory.REDUCED, Decimal("7"))].tax_minor == 350
    assert totals[(TaxCategory.REVERSE_CHARGE, Decimal(0))].tax_minor == 0
    assert line_taxes(lines) == [2_000, 350, 0, 600]
