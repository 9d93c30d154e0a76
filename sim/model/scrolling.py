"""How a reader scrolls its feed: the share of the group's posts its own feed holds,
and the gaps between the posts it reads.

Both forms of the day's reading (``sim.model.reading.read_day`` and its compiled form
in ``sim.model.reading_loops``, which draws each gap as ``read_gaps`` does) take these
from here, so that they draw the same numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["INVERTED_ABOVE", "feed_share", "read_chance", "read_gaps"]

# Below this chance a gap could pass the largest 64-bit integer (a standard exponential
# stays under 750), where NumPy's geometric clips it: left to NumPy.
INVERTED_ABOVE = 1e-15


def feed_share(params: dict[str, Any], members: int) -> float:
    """Probability that a post of the group is in a given reader's own feed: the
    ``feed_reach`` members it follows, out of the ``members - 1`` others."""
    return min(1.0, params["feed_reach"] / max(members - 1, 1))


def read_chance(share: float, skip: float) -> float:
    """Chance that a post along a reader's feed is read: it is in the reader's own
    feed (``share``) and not scrolled past (``skip``)."""
    return share * (1.0 - skip)


def read_gaps(rng: np.random.Generator, share: float, skip: float, total: int) -> np.ndarray:
    """``total`` geometric gaps between reads along a reader's feed: a post is read when
    it is in the feed (``share``) and not scrolled past (``skip``).

    ``rng.geometric(hit, total)``, the same numbers. Below a chance of 1/3, NumPy draws
    each gap by inversion, ``ceil(-E / log1p(-hit))`` from a standard exponential
    ``E``; done here over the whole array, the same operations cost about a third less
    (a large group draws a million gaps a day)."""
    hit = read_chance(share, skip)
    if hit >= 1.0:
        return np.ones(total, int)
    if not INVERTED_ABOVE < hit < 1.0 / 3.0:  # NumPy's search, or a gap past int64
        return rng.geometric(hit, size=total)
    gaps = rng.standard_exponential(total)
    gaps /= -math.log1p(-hit)  # the C library's log1p, as NumPy's generator uses
    return np.ceil(gaps, out=gaps).astype(np.int64)
