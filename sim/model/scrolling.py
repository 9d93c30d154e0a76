"""How a reader scrolls its feed: the share of the group's posts its own feed holds,
and the gaps between the posts it reads.

Both forms of the day's reading (``sim.model.reading.read_day`` and its compiled form
in ``sim.model.reading_loops``) take these from here, so that they draw the same
numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["feed_share", "read_gaps"]


def feed_share(params: dict[str, Any], members: int) -> float:
    """Probability that a post of the group is in a given reader's own feed: the
    ``feed_reach`` members it follows, out of the ``members - 1`` others."""
    return min(1.0, params["feed_reach"] / max(members - 1, 1))


def read_gaps(rng: np.random.Generator, share: float, skip: float, total: int) -> np.ndarray:
    """``total`` geometric gaps between reads along a reader's feed: a post is read when
    it is in the feed (``share``) and not scrolled past (``skip``)."""
    hit = share * (1.0 - skip)
    return rng.geometric(hit, size=total) if hit < 1.0 else np.ones(total, int)
