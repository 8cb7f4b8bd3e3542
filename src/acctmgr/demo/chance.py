"""The demo load's random draws: every choice comes from one generator, in a fixed order."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from functools import cache
from typing import TypeVar

T = TypeVar("T")

POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@cache
def _compile_pattern(pattern: str) -> tuple[str, str]:
    """A format string with a slot per "#" or "@" of the pattern, and the kinds of the slots."""
    escaped = pattern.replace("{", "{{").replace("}", "}}")
    return escaped.replace("#", "{}").replace("@", "{}"), "".join(
        char for char in pattern if char in "#@"
    )


class Chance:
    """Picks, weighted picks, numbers and filled-in patterns drawn from one ``random.Random``.

    random() is several times cheaper than choice() and randint(), which matters a million
    times over; the results are just as deterministic.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.random = rng.random

    def pick(self, items: Sequence[T]) -> T:
        """One of the items, each as likely as the others."""
        return items[int(self.random() * len(items))]

    def weighted(self, items: Sequence[T], cumulative: Sequence[int]) -> T:
        """One of the items, as likely as its share of the cumulative weights."""
        return items[bisect(cumulative, self.random() * cumulative[-1])]

    def between(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included."""
        return low + int(self.random() * (high - low + 1))

    def fill(self, pattern: str) -> str:
        """A pattern with each "#" replaced by a random digit and each "@" by a letter."""
        template, slots = _compile_pattern(pattern)
        draw = self.random
        return template.format(
            *[
                "0123456789"[int(draw() * 10)]
                if slot == "#"
                else POSTCODE_LETTERS[int(draw() * 20)]
                for slot in slots
            ]
        )
