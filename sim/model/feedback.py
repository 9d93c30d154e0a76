"""What authors get back from the day's reading: likes and comments (which move their
motivation and the benefit of being answered) and the reach of their promotion.

Every member's row carries these moving averages, but only the authors whose posts
were read today receive anything. The day's totals are summed post by post, then
author by author, and the decay of everyone's averages is one in-place
multiplication: a day costs one pass over the members plus work in proportion to
the posts read, instead of several member-sized arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model.population import Population
from sim.model.strategies import PROMOTES, of_kind

__all__ = ["author_totals", "credit", "move_averages", "move_averages_loop"]


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
    move: Callable[..., None] | None = None,
) -> None:
    """Move every member's feedback and (for members who promote) reach one day on.

    ``author``, ``received`` and ``promotion_reads`` have one entry per post in the
    feed: its author, the likes and comments it got today, and its reads today if it
    is a promotion (else 0). Feedback and reach are moving averages of weight
    ``weight``; the care a member gets (likes and comments since its last visit)
    adds up. A member who got nothing keeps ``(1 - weight) x`` its average, which is
    what ``(1 - weight) x average + weight x 0`` gives for the non-negative averages.
    ``move`` is ``move_averages`` or its compiled form (the same result).
    """
    s = state
    averages = s.feedback, s.care, s.reach, s.strategy
    counts = s.counters("credit", s.n, 2)
    (move or move_averages)(*averages, author, received, promotion_reads, weight, PROMOTES, counts)


def move_averages(
    feedback: np.ndarray,
    care: np.ndarray,
    reach: np.ndarray,
    strategy: np.ndarray,
    author: np.ndarray,
    received: np.ndarray,
    promotion_reads: np.ndarray,
    weight: float,
    promotes: np.ndarray,
    counts: np.ndarray | None = None,
) -> None:
    """``credit`` on the members' arrays (``promotes``: which strategies promote;
    ``counts``, the loop form's counters, is not needed here)."""
    keep = 1.0 - weight
    slots, got = author_totals(author, received, len(feedback))
    fed = keep * feedback[slots] + weight * got
    np.multiply(feedback, keep, out=feedback)
    feedback[slots] = fed
    care[slots] += got
    promoting = of_kind(promotes, strategy)
    slots, seen = author_totals(author, promotion_reads, len(feedback))
    mine = promoting[slots]  # authors who have stopped promoting keep their reach
    slots, seen = slots[mine], seen[mine]
    reached = keep * reach[slots] + weight * seen
    np.multiply(reach, keep, out=reach, where=promoting)
    reach[slots] = reached


def move_averages_loop(  # type: ignore[no-untyped-def]
    feedback, care, reach, strategy, author, received, promotion_reads, weight, promotes, counts
):
    """``move_averages`` for Numba: one pass over the members decays every average,
    then two passes over the posts that got something add it to their authors'.

    ``keep x average + weight x total`` is the same sum whether the product was taken
    before or not, so the result is ``move_averages``'s bit for bit. ``counts`` (two
    integer counters per slot, all zero, kept by the caller from day to day) sums
    each author's posts; the loop sets back to zero what it counted, so a day touches
    only the counters of the authors whose posts got something.
    """
    keep = 1.0 - weight
    for j in range(len(feedback)):
        feedback[j] *= keep
        average = reach[j]  # written either way: no branch, a pass the compiler vectorizes
        reach[j] = average * keep if promotes[strategy[j]] else average
    for p in range(len(author)):
        if received[p] != 0 or promotion_reads[p] != 0:
            counts[author[p], 0] += received[p]
            counts[author[p], 1] += promotion_reads[p]
    for p in range(len(author)):
        if received[p] != 0 or promotion_reads[p] != 0:
            j = author[p]
            got, seen = counts[j, 0], counts[j, 1]
            if got > 0:
                feedback[j] += weight * got
                care[j] += got
            if seen > 0 and promotes[strategy[j]]:
                reach[j] += weight * seen
            counts[j, 0] = 0
            counts[j, 1] = 0
