"""Whole numbers people type that are not money (page views, hours, terms), and their bounds.

The columns that keep them are SQL INTEGER: PostgreSQL holds 32 bits (at most 2,147,483,647)
and SQLite 64, and past that a write ends in an OverflowError or a DataError instead of a
sentence. Each count people type is bounded here, at or below what its column holds and at what
makes sense for it, and the inputs refuse past the bound with one sentence naming it. Money has
its own bound (``money.MAX_MINOR``), and quantities and units theirs beside their inputs.
"""

from __future__ import annotations

# Page views (a usage SKU's included volume a month, where an overage tier starts): the round
# figure below the 32-bit column, about a thousand times the biggest package we sell.
MAX_PAGE_VIEWS = 2_000_000_000
# An approval's answer time or reminder, in hours: a year at most.
MAX_HOURS = 8_760
# A quote's terms (``services.sales.quotes``), lowest and highest: a term of ten years at most,
# a notice period of a year and half a year to pay an invoice. What the business finds too long
# is for its approval rules to flag, well within these (``payment_terms_days > 60``).
TERM_MONTHS = (1, 120)
NOTICE_DAYS = (0, 365)
PAYMENT_TERMS_DAYS = (0, 180)


def at_most(number: int, limit: int, sentence: str) -> int:
    """``number`` when it is at most ``limit``; else ValueError with ``sentence``, for a
    pydantic validator to report beside its field."""
    if number > limit:
        raise ValueError(sentence)
    return number


def whole_number(value: object, bounds: tuple[int, int], what: str) -> int:
    """``value`` (typed text or a number) as a whole number within ``bounds``; else ValueError
    with one sentence naming ``what`` and its bounds, for a pydantic validator to report."""
    low, high = bounds
    sentence = f"{what} is a whole number from {low:,} to {high:,}"
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(sentence) from None
    if not low <= number <= high:
        raise ValueError(sentence)
    return number
