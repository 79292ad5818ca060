"""Facts computed from the hand-read annex files (tests/data), shared by the tests that need them."""
from __future__ import annotations

from collections import Counter

from tests.test_loaders import OWNER_CELLS


def workload(owners) -> tuple[Counter, Counter]:
    """(tasks per body, tasks it owns alone) from annex 1's owner cells; ``owners(n)`` lists task n's bodies."""
    total, sole = Counter(), Counter()
    for number in OWNER_CELLS:
        bodies = owners(number)
        for b in bodies:
            total[b] += 1
            sole[b] += len(bodies) == 1
    return total, sole
