"""Reading: which posts each visiting member reads, what they are worth to it, and
how it reacts.

Reading is sampled as a flat list of (reader, post) pairs whose length is the
number of reads, never readers x posts; per-reader sums are ``np.bincount`` over
that list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sim.model import kernels
from sim.model.feed import Feed, Kind

__all__ = ["overload", "payoff", "read_costs", "relational", "relevance", "sample_reads"]


def relevance(member_topic: np.ndarray, post_topic: np.ndarray) -> np.ndarray:
    """How relevant a post is to a reader: 1 on the reader's interest, 0 opposite
    (``sim.model.kernels.relevance`` of the cosine of the angle between them)."""
    return kernels.relevance(np.cos(np.subtract(member_topic, post_topic, dtype=np.float64)))


def read_costs(params: dict[str, Any], feed: Feed) -> tuple[np.ndarray, np.ndarray]:
    """For each post in the feed: whether it is a promotion, and the attention it costs
    to read (promotion only: more if its affiliation is hidden or it is off-topic)."""
    p = params
    promo = feed.kind == Kind.PROMOTION
    cost = np.where(feed.disclosed, p["cost_disclosed"], p["cost_hidden"])
    return promo, promo * (cost + p["cost_offtopic"] * feed.offtopic)


def payoff(
    params: dict[str, Any],
    reads: np.ndarray,
    promos: np.ndarray,
    values: np.ndarray,
    costs: np.ndarray,
) -> np.ndarray:
    """Each reader's informational payoff: saturating value minus the attention cost of
    noise, from its reads, promotions read, value and cost summed over its reads
    (``sim.model.kernels.payoff_sums``)."""
    p = params
    noise = promos / np.maximum(reads, 1)
    gained = 1.0 - np.exp(-values / p["value_scale"])
    return gained - costs * (1.0 + p["noise_amplifier"] * noise)


def relational(params: dict[str, Any], care: np.ndarray) -> np.ndarray:
    """The benefit of being answered: saturating in the likes and comments received."""
    return params["care_value"] * (1.0 - np.exp(-care / params["care_scale"]))


def overload(params: dict[str, Any], offered: np.ndarray) -> np.ndarray:
    """The cost of sifting more new posts than one can handle (information overload)."""
    excess = np.log(np.maximum(offered, 1e-9) / params["overload_threshold"])
    return params["overload_cost"] * np.maximum(excess, 0.0)


def sample_reads(
    rng: np.random.Generator,
    ranked: np.ndarray,
    created: np.ndarray,
    day: int,
    days_away: np.ndarray,
    budget: np.ndarray,
    skip: float,
    share: float = 1.0,
    place: Callable[..., tuple[np.ndarray, np.ndarray]] = kernels.place_reads,
    plan: Callable[..., tuple[np.ndarray, ...]] = kernels.plan_reads,
    *,
    author: np.ndarray,
    slot: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample which posts each visiting reader reads.

    A reader's own feed holds each post of the group's ranking with probability
    ``share`` (the posts of the members it follows), in the group's order. The reader
    scrolls it from the top, looking only at posts created since its last visit,
    reads each with probability ``1 - skip`` and stops when its attention ``budget``
    is spent or the feed ends; its own posts are in its feed, but it does not read
    them. Readers therefore read different posts with a strong bias to the top,
    which avoids the all-or-nothing runs of a strict global top-k.
    Being in the feed and being read are both Bernoulli draws along the ranking, so
    the posts read are those at which a Bernoulli(``share x (1 - skip)``) succeeds:
    one geometric gap per read, whatever the group's size.

    Parameters
    ----------
    rng : numpy.random.Generator
        The model's generator.
    ranked : ndarray of int
        Visible post rows, best first.
    created : ndarray of int
        Creation day of every post row.
    day : int
        Today.
    days_away : ndarray of int
        For each reader, days since its last visit (large for a first visit).
    budget : ndarray of int
        For each reader, the most posts it reads.
    skip : float
        Probability of scrolling past a post.
    share : float
        Probability that a post of the group is in a given reader's feed.
    place, plan : callable
        ``sim.model.kernels.place_reads`` and ``plan_reads``, or their compiled forms
        (the same reads).
    author : ndarray of int
        Author (member slot) of every post row.
    slot : ndarray of int
        For each reader, its member slot.

    Returns
    -------
    reader, post : ndarray of int
        One entry per read: the reader's position in ``days_away`` and the post row.
    offered : ndarray of float
        For each reader, the new posts its feed held (expected): what it had to sift.
    """
    age = day - created[ranked]
    who, k, first, n, eligible, offered = plan(ranked, age, days_away, budget, share)
    total = int(k.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, offered
    # One geometric gap per read: the reader skips ``gap - 1`` posts before each read.
    hit = share * (1.0 - skip)
    gaps = rng.geometric(hit, size=total) if hit < 1.0 else np.ones(total, int)
    reader, post = place(gaps, k, who, first, n, eligible, author, slot)
    return reader, post, offered
