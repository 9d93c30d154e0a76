"""What authors get back from the day's reading: likes and comments (which move their
motivation and the benefit of being answered) and the reach of their promotion.

Every member's row carries these moving averages, but only the authors whose posts
were read today receive anything. The day's totals are summed post by post, then
author by author, and the decay of everyone's averages is one in-place
multiplication: a day costs one pass over the members plus work in proportion to
the posts read, instead of several member-sized arrays.
"""

from __future__ import annotations

import numpy as np

from sim.model.population import Population
from sim.model.strategies import PROMOTES, of_kind

__all__ = ["author_totals", "credit"]


def author_totals(
    author: np.ndarray, counts: np.ndarray, members: int
) -> tuple[np.ndarray, np.ndarray]:
    """The authors (sorted slots, of ``members``) of the posts with non-zero ``counts``
    and the sum of their posts' counts, as integers (summed as floats, exact below
    2**53)."""
    rows = counts.nonzero()[0]
    if len(rows) == 0:
        return rows, rows
    if members < 2**16:  # a small group: a bincount over every slot costs least
        total = np.bincount(author[rows], weights=counts[rows])
        slots = total.nonzero()[0]
        return slots, total[slots].astype(np.int64)
    slots, inverse = np.unique(author[rows], return_inverse=True)  # sort the authors read
    return slots, np.bincount(inverse, weights=counts[rows]).astype(np.int64)


def credit(
    state: Population,
    author: np.ndarray,
    received: np.ndarray,
    promotion_reads: np.ndarray,
    weight: float,
) -> None:
    """Move every member's feedback and (for members who promote) reach one day on.

    ``author``, ``received`` and ``promotion_reads`` have one entry per post in the
    feed: its author, the likes and comments it got today, and its reads today if it
    is a promotion (else 0). Feedback and reach are moving averages of weight
    ``weight``; the care a member gets (likes and comments since its last visit)
    adds up. A member who got nothing keeps ``(1 - weight) x`` its average, which is
    what ``(1 - weight) x average + weight x 0`` gives for the non-negative averages.
    """
    s, keep = state, 1.0 - weight
    slots, got = author_totals(author, received, s.n)
    fed = keep * s.feedback[slots] + weight * got
    np.multiply(s.feedback, keep, out=s.feedback)
    s.feedback[slots] = fed
    s.care[slots] += got
    promotes = of_kind(PROMOTES, s.strategy)
    slots, reach = author_totals(author, promotion_reads, s.n)
    mine = promotes[slots]  # authors who have stopped promoting keep their reach
    slots, reach = slots[mine], reach[mine]
    reached = keep * s.reach[slots] + weight * reach
    np.multiply(s.reach, keep, out=s.reach, where=promotes)
    s.reach[slots] = reached
