"""The loops of a day, in NumPy and, where Numba is installed, compiled.

A large group reads millions of posts a day, and NumPy spends that work in dozens of
passes over read-sized arrays, each with its temporaries; a small group's day is a few
hundred NumPy calls on short arrays, and their fixed cost of about a microsecond each
is most of its time. Each step here has a NumPy form (the reference) and a loop form
that Numba compiles: the whole of reading (``sim.model.reading.read_day``, compiled in
``sim.model.reading_loops``; its NumPy steps ``plan_reads``, ``place_reads``,
``read_posts``, ``payoff_sums`` and ``react`` are here, and ``plan_reads``'s own loop is
there too), the whole of writing and publishing (``sim.model.posting.write_posts`` and
``publish``, compiled in ``sim.model.writing_loops``), joining
(``sim.model.membership.newcomer_counts`` and ``newcomer_traits`` and
``sim.model.companies.Companies.assign``, compiled in ``sim.model.joining_loops``),
visiting (``sim.model.visits.visit``), leaving (``sim.model.membership.leaves``), the
authors' moving averages (``sim.model.feedback.move_averages``), the day's counts
(``sim.model.metrics.tally``), the feed's order (``sim.model.feed.Feed.ranked``) and
the model's buffer of uniform draws (``sim.model.draws.DrawBuffer``).

Both forms give the same results bit for bit. The loops do the same floating-point
operations in the same order (no fused multiply-add, sums in the order NumPy's
``bincount`` adds, integer sums where NumPy sums integers as floats exactly) and
leave every transcendental function of the model's (``exp``, ``cos``...) to NumPy,
outside the loops. The loops of writing, publishing, reading, joining and visiting draw NumPy's own
numbers in the NumPy form's order, from the model's generator in place
(``sim.model.bitstream``, ``sim.model.distributions``); the others draw nothing.

``select(members, rng)`` returns the set to use: the compiled one for groups of at
least ``COMPILED_FROM`` members when Numba can be imported (``pip install sim[fast]``)
and the model's generator is NumPy's default PCG64 from the NumPy series whose draws
``sim.model.distributions`` follows, else the NumPy one. A single small group stays on
NumPy: importing Numba and loading the compiled code would cost more than it saves. A
process that runs many groups (a sweep's worker) calls ``load()`` once, and every
later group uses the compiled loops. The environment variable ``SIM_KERNELS=numpy``
(or ``compiled``) forces one set (but for a generator the loops cannot draw from), for
tests and comparisons.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.model import (
    bitstream,
    distributions,
    joining_loops,
    prefetch,
    reading_loops,
    sorting,
    visits,
    writing_loops,
)
from sim.model.feed import ranked_loop
from sim.model.feedback import move_averages, move_averages_loop
from sim.model.membership import leaves, leaves_loop
from sim.model.metrics import tally, tally_loop

__all__ = ["COMPILED_FROM", "NUMPY", "Kernels", "compiled", "load", "relevance", "select"]

COMPILED_FROM = 20_000  # members from which the compiled loops pay for their loading


@dataclass(frozen=True)
class Kernels:
    """One implementation of each step that has two (see the NumPy forms for what each
    does)."""

    name: str
    plan_reads: Callable[..., tuple[np.ndarray, ...]]
    leaves: Callable[..., tuple[np.ndarray, np.ndarray]]
    move_averages: Callable[..., None]
    tally: Callable[..., tuple[Any, ...]]
    # the whole reading phase in one call (``sim.model.reading_loops``), or None: its
    # steps one by one (``sim.model.reading.read_day``)
    read_day: Callable[..., None] | None = None
    # the whole writing phase (``sim.model.writing_loops``), or None: its NumPy form
    # (``sim.model.posting.write_posts``)
    write_posts: Callable[..., dict[str, np.ndarray]] | None = None
    # publishing what the rules accept (``sim.model.writing_loops``), or None: its
    # NumPy form (``sim.model.posting.publish``)
    publish: Callable[..., None] | None = None
    # the feed's order (``sim.model.feed.ranked_loop``), or None: its NumPy form
    # (``sim.model.feed.Feed.ranked``)
    ranked: Callable[..., np.ndarray] | None = None
    # the day's newcomers and their traits (``sim.model.joining_loops``), or None: their
    # NumPy forms (``sim.model.membership.newcomer_counts`` and ``newcomer_traits``)
    newcomer_counts: Callable[..., tuple[int, int]] | None = None
    newcomer_traits: Callable[..., dict[str, np.ndarray]] | None = None
    # the newcomers' companies (``sim.model.joining_loops.assign``), or None: its NumPy
    # form (``sim.model.companies.Companies.assign``)
    assign: Callable[..., np.ndarray] | None = None
    # today's visitors (``sim.model.visits.visit_loop``), or None: its NumPy form
    # (``sim.model.visits.visit``)
    visit: Callable[..., tuple[np.ndarray, int]] | None = None
    # members' visit chances after their satisfaction changed (two loops around NumPy's
    # ``exp``), or None: its NumPy form (``sim.model.visits.refresh``)
    refresh: Callable[..., None] | None = None
    # uniform draws into the model's buffer (``sim.model.bitstream.fill``), or None:
    # NumPy's ``random``
    fill: Callable[[np.ndarray, np.ndarray], None] | None = None


# ------------------------------------------------------------------------ NumPy forms
def plan_reads(
    ranked: np.ndarray, age: np.ndarray, days_away: np.ndarray, budget: np.ndarray, share: float
) -> tuple[np.ndarray, ...]:
    """Each reader's list of posts it may read, and how many reads it has.

    Readers are grouped by days away (``days_away``, in a stable order); the group away
    for ``a`` days sees the ranked posts (``ranked``, ages ``age``) younger than ``a``
    days, in rank order, all groups' lists laid end to end in ``eligible``. Returns,
    for the readers who read at all (``who``, positions in ``days_away``), their reads
    ``k`` (their ``budget``, at most their list's length) and their list
    ``eligible[first : first + n]``; and for every reader the new posts its own feed
    offers (``share`` of its list).
    """
    order = _group_order(days_away)  # readers grouped by days away
    away = days_away[order]
    new_group = np.ones(len(away), dtype=bool)
    new_group[1:] = away[1:] != away[:-1]
    group = new_group.cumsum() - 1  # group of each reader, in ``order``
    eligible, first, n_eligible = _eligible_by_group(ranked, age, away[new_group])
    offered = np.empty(len(days_away))
    offered[order] = n_eligible[group] * share
    k = np.minimum(budget[order], n_eligible[group])
    keep = k > 0
    who, group, k = order[keep], group[keep], k[keep]
    return who, k, first[group], n_eligible[group], eligible, offered


def _group_order(days_away: np.ndarray) -> np.ndarray:
    """``np.argsort(days_away, kind="stable")``; days away are few and small, so as
    16-bit integers NumPy sorts them by radix, in one pass."""
    if len(days_away) and 0 <= days_away.min() and days_away.max() < 2**15:
        return np.argsort(days_away.astype(np.int16), kind="stable")
    return np.argsort(days_away, kind="stable")


def _eligible_by_group(
    ranked: np.ndarray, age: np.ndarray, away: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The posts each group of readers may read, as one flat array.

    Group ``j`` (readers away for ``away[j]`` days) sees the ranked posts younger
    than ``away[j]`` days, in rank order: ``eligible[first[j] : first[j] + n[j]]``.
    Building all groups at once costs a handful of array operations instead of a
    Python loop over the groups.
    """
    mask = age[None, :] < away[:, None]
    n = mask.sum(axis=1)
    eligible = np.broadcast_to(ranked, mask.shape)[mask]
    return eligible, np.cumsum(n) - n, n


def place_reads(
    gaps: np.ndarray,
    k: np.ndarray,
    who: np.ndarray,
    first: np.ndarray,
    n: np.ndarray,
    eligible: np.ndarray,
    author: np.ndarray,
    slot: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The reads that geometric ``gaps`` place in each reader's list.

    Reader ``j`` (position ``who[j]``) reads ``k[j]`` times; its list is
    ``eligible[first[j] : first[j] + n[j]]``, and its reads take the next ``k[j]``
    gaps in turn: the read lands ``gap - 1`` posts past the previous one. Reads past
    the list's end are dropped, and so are the reads of one's own posts (the reader
    at position ``w`` is the member in slot ``slot[w]``, post row ``p`` is by
    ``author[p]``): they are in one's feed, but one does not read them. Returns each
    read's reader and post row.
    """
    run = np.cumsum(gaps)  # 1 + position of each read, counted over all readers' lists
    starts = np.cumsum(k) - k
    shift = run[starts] - gaps[starts] + 1 - first
    owner = _owners(starts, len(gaps))  # the reader (position in ``who``) of each read
    index = run - shift[owner]
    ok = index < (first + n)[owner]  # not past the list's end
    reader, post = who[owner[ok]], eligible[index[ok]]
    own = author[post] == slot[reader]
    if own.any():
        reader, post = reader[~own], post[~own]
    return reader, post


def _owners(starts: np.ndarray, total: int) -> np.ndarray:
    """For each of ``total`` entries, the list it belongs to, lists starting at the
    increasing positions ``starts`` (the first at 0): ``np.repeat(arange, lengths)``
    in two fast passes instead of one slow copy per list."""
    marks = np.zeros(total, dtype=np.int64)
    marks[starts[1:]] = 1
    return np.cumsum(marks)


def read_posts(
    i: np.ndarray,
    post: np.ndarray,
    reader_topic: np.ndarray,
    quality: np.ndarray,
    topic: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For each read (reader position ``i``, post row ``post``): the post's quality and
    the angle from the reader's topic to the post's (whose cosine ``payoff_sums``
    needs)."""
    return quality[post], np.subtract(reader_topic[i], topic[post], dtype=np.float64)


def relevance(cosine: np.ndarray) -> np.ndarray:
    """How relevant a post is to a reader, from the cosine of the angle between their
    topics: ``((1 + cos) / 2) ** 2``, 1 on the reader's interest, 0 opposite."""
    closeness = cosine + 1.0
    closeness /= 2.0
    return np.square(closeness, out=closeness)


def payoff_sums(
    i: np.ndarray,
    post: np.ndarray,
    quality: np.ndarray,
    cosine: np.ndarray,
    promo: np.ndarray,
    cost: np.ndarray,
    n: int,
) -> tuple[np.ndarray, ...]:
    """Each read's value (its post's quality x ``relevance(cosine)``) and, for each of
    ``n`` readers: reads, promotions read, value and attention cost, summed (``promo``
    and ``cost`` are per post)."""
    value = quality * relevance(cosine)
    return (
        value,
        np.bincount(i, minlength=n),
        np.bincount(i, promo[post], minlength=n),
        np.bincount(i, value, minlength=n),
        np.bincount(i, cost[post], minlength=n),
    )


def react(
    u_like: np.ndarray,
    u_comment: np.ndarray,
    i: np.ndarray,
    post: np.ndarray,
    like_rate: np.ndarray,
    comment_rate: np.ndarray,
    value: np.ndarray,
    quality: np.ndarray,
    social: np.ndarray,
    question: np.ndarray,
    m: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Which reads end in a like or a comment, from the uniform draws ``u_like`` and
    ``u_comment`` (one per read): a like below the reader's like rate x the value, a
    comment below its comment rate x how engaging the post is (its value, or for
    social talk its quality) x ``question`` (2 for questions, else 1; per post).

    Returns the likes, comments and reads of each of the ``m`` posts, the position of
    the reader of each comment, the row of its post, and the number of likes.
    """
    engaging = np.where(social[post], quality, value)
    like = u_like < like_rate[i] * value
    comment = u_comment < comment_rate[i] * engaging * question[post]
    return (
        np.bincount(post[like], minlength=m),
        np.bincount(post[comment], minlength=m),
        np.bincount(post, minlength=m),
        i[comment],
        post[comment],
        int(np.count_nonzero(like)),
    )


NUMPY = Kernels(
    "numpy",
    plan_reads,
    leaves,
    move_averages,
    tally,
)


# ------------------------------------------------------------------------- loop forms
_COMPILED: Kernels | None = None


def compiled() -> Kernels | None:
    """The loop forms compiled by Numba (cached on disk), or None without Numba."""
    global _COMPILED
    if _COMPILED is None:
        try:
            import numba
        except ImportError:
            return None
        jit = numba.njit(cache=True, nogil=True)
        # The draws first. The uniform ones are inlined where they are called (integer
        # operations); the distributions are not: inlined with constant parameters,
        # LLVM rewrites C library calls (``pow(x, 2.0)`` as ``x * x``), which then
        # differ from NumPy's in the last bit.
        bitstream.compile(numba.njit(cache=True, nogil=True, inline="always"))
        distributions.compile(jit)
        prefetch.compile()  # before the reading's loops, which ask for memory ahead
        read_day, plan_reads = reading_loops.compile(jit)
        sorting.compile(jit)  # the ranking's radix sort
        _COMPILED = Kernels(
            "compiled",
            plan_reads,
            jit(leaves_loop),
            jit(move_averages_loop),
            jit(tally_loop),
            read_day,
            *writing_loops.compile(jit),
            jit(ranked_loop),
            *joining_loops.compile(jit),
            *visits.compile(jit),
            bitstream.fill,
        )
    return _COMPILED


def load() -> bool:
    """Use the compiled loops for every later group of this process, small ones
    included, if Numba is installed (and ``SIM_KERNELS`` does not ask for NumPy).

    A process that runs many groups (a sweep's worker) calls this once: importing
    Numba and loading the cached loops costs about a third of a second, which a single
    small group would not win back, but a few runs do. Returns whether they are used.
    """
    if os.environ.get("SIM_KERNELS", "auto") == "numpy":
        return False
    return compiled() is not None


def select(members: int, rng: np.random.Generator) -> Kernels:
    """The kernels for a group of ``members`` drawing from ``rng``: compiled from
    ``COMPILED_FROM`` members, or for any group once ``load`` has been called, if Numba
    is installed and the loops can draw from ``rng`` (NumPy's PCG64, its default:
    ``sim.model.bitstream.drawable``, from the NumPy series that
    ``sim.model.distributions`` follows); NumPy otherwise. ``SIM_KERNELS`` (``numpy`` or
    ``compiled``) overrides, but for a generator the loops cannot draw from."""
    wanted = os.environ.get("SIM_KERNELS", "auto")
    if wanted == "numpy" or not (bitstream.drawable(rng) and distributions.follows_numpy()):
        return NUMPY
    if wanted == "auto" and members < COMPILED_FROM and _COMPILED is None:
        return NUMPY
    return compiled() or NUMPY
