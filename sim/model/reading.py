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

from sim.model import budget, kernels, visits
from sim.model.constants import FEEDBACK_WEIGHT
from sim.model.events import DayEvents
from sim.model.feed import Feed, Kind
from sim.model.feedback import credit
from sim.model.logs import Logs
from sim.model.population import Population
from sim.model.posting import contributed
from sim.model.scrolling import feed_share, read_gaps
from sim.model.strategies import COMMENT, HONEST, LIKE, of_kind

__all__ = [
    "overload",
    "payoff",
    "read_costs",
    "read_day",
    "relational",
    "relevance",
    "sample_reads",
]


def read_day(
    rng: np.random.Generator,
    params: dict[str, Any],
    state: Population,
    feed: Feed,
    loops: kernels.Kernels,
    day: int,
    visitors: np.ndarray,
    ranked: np.ndarray,
    members: int,
    events: DayEvents,
    logs: Logs | None,
) -> None:
    """The day's reading: honest ``visitors`` read the ``ranked`` feed; their
    satisfaction follows what they read, the answers their posts got, and how much
    they had to sift; they like and comment, which their authors are credited with.

    ``members`` is the group's size that sets a reader's share of the feed; ``loops``
    a set of kernels, whose plan of reads and moving averages are used. The day's
    reads and counts go to ``events``. ``sim.model.reading_loops.read_day`` is the
    same phase in a few compiled loops (the compiled set's ``read_day``).
    """
    p, s = params, state
    readers = visitors[of_kind(HONEST, s.strategy[visitors])]
    away = np.minimum(day - s.last_visit[readers], p["post_lifetime"] + 1)
    attention = s.attention[readers]
    budget.check_reads(p, s.n, len(feed), len(readers), float(attention.sum()), len(ranked))
    share = feed_share(p, members)
    i, post, offered = sample_reads(
        rng,
        ranked,
        feed.created,
        day,
        away,
        attention,
        p["scan_depth"],
        share,
        plan=loops.plan_reads,
        author=feed.author,
        slot=readers,
    )
    quality, angle = kernels.read_posts(i, post, s.topic[readers], feed.quality, feed.topic)
    promo, cost = read_costs(p, feed)
    cosine = np.cos(angle, out=angle)  # NumPy's cosine on either path: the same bits
    value, *sums = kernels.payoff_sums(i, post, quality, cosine, promo, cost, len(readers))
    gain = payoff(p, *sums)
    gain += relational(p, s.care[readers]) - overload(p, offered)
    s.care[readers] = 0.0
    w = p["satisfaction_weight"]
    s.satisfaction[readers] = (1 - w) * s.satisfaction[readers] + w * gain
    visits.refresh(p, s, readers)
    _react(rng, s, feed, loops, day, readers, i, post, value, quality, events, logs)
    s.last_visit[visitors] = day
    events.record_reads(readers[i], post, quality)


def _react(
    rng: np.random.Generator,
    state: Population,
    feed: Feed,
    loops: kernels.Kernels,
    day: int,
    readers: np.ndarray,
    i: np.ndarray,
    post: np.ndarray,
    value: np.ndarray,
    quality: np.ndarray,
    events: DayEvents,
    logs: Logs | None,
) -> None:
    """Likes and comments by strategy and value; authors' motivation and reach.

    One entry per read: the reader's position in ``readers``, the post's row, the
    value the post gave and the post's quality."""
    s = state
    strategy = s.strategy[readers]
    u_like, u_comment = rng.random(len(i)), rng.random(len(i))
    likes, comments, reads, commenter, on, n_likes = kernels.react(
        u_like,
        u_comment,
        i,
        post,
        LIKE[strategy],
        COMMENT[strategy],
        value,
        quality,
        feed.offtopic & ~feed.by_spammer,  # social talk: engaging by its quality
        1.0 + (feed.kind == Kind.QUESTION),  # questions draw twice the comments
        len(feed),
    )
    feed.likes += likes
    feed.comments += comments
    feed.reads += reads
    commenter = readers[commenter]
    contributed(s, commenter)
    promotion_reads = np.where(feed.kind == Kind.PROMOTION, reads, 0)
    credit(s, feed.author, likes + comments, promotion_reads, FEEDBACK_WEIGHT, loops.move_averages)
    if logs is not None:
        logs.replies(day, commenter, feed.id[on], feed.author[on])
    answered = feed.author[comments > 0]
    answered = answered[s.first_reply[answered] < 0]  # repeated slots: the same day
    s.first_reply[answered] = day
    events.likes = n_likes
    events.post_reads = reads
    events.comments = len(commenter)


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
    plan : callable
        ``sim.model.kernels.plan_reads`` or its compiled form (the same plan).
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
    gaps = read_gaps(rng, share, skip, total)
    reader, post = kernels.place_reads(gaps, k, who, first, n, eligible, author, slot)
    return reader, post, offered
