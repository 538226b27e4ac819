"""A seeded source of randomness that gives the same numbers on every machine.

Python only promises that ``random.Random(seed).random()`` stays the same across versions;
``choice``, ``shuffle``, ``sample`` and friends may change their algorithm. Every helper here is
therefore built on ``random()`` alone, so the data sets stay byte-identical from one Python to
the next.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class Dice:
    """Random draws for one data file (``stream``), derived from the kit's seed.

    Each file gets its own stream, so changing how one file is generated does not reshuffle
    the others.
    """

    def __init__(self, seed: int, stream: str) -> None:
        digest = hashlib.sha256(f"{seed}/{stream}".encode()).digest()
        self._random = random.Random(int.from_bytes(digest[:8], "big"))

    def random(self) -> float:
        return self._random.random()

    def below(self, n: int) -> int:
        """A whole number in 0..n-1."""
        if n <= 0:
            raise ValueError(f"below() needs a positive bound, got {n}")
        return min(int(self.random() * n), n - 1)

    def between(self, low: int, high: int) -> int:
        """A whole number in low..high, both included."""
        return low + self.below(high - low + 1)

    def chance(self, probability: float) -> bool:
        return self.random() < probability

    def choice(self, options: Sequence[T]) -> T:
        return options[self.below(len(options))]

    def weighted(self, options: Sequence[tuple[T, float]]) -> T:
        """One of the options, each (value, weight) drawn in proportion to its weight."""
        total = sum(weight for _, weight in options)
        point = self.random() * total
        for value, weight in options:
            point -= weight
            if point < 0:
                return value
        return options[-1][0]

    def shuffled(self, items: Sequence[T]) -> list[T]:
        """A new list with the items in random order (Fisher-Yates)."""
        result = list(items)
        for i in range(len(result) - 1, 0, -1):
            j = self.below(i + 1)
            result[i], result[j] = result[j], result[i]
        return result

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        """k distinct items, in random order."""
        return self.shuffled(items)[:k]
