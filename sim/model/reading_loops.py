"""The day's reading as a few compiled loops: ``sim.model.reading.read_day``, fused.

A 1,000-member group's reading is about a hundred NumPy calls on arrays of a few
hundred entries, and each call costs about a microsecond whatever its size: most of
the phase's time. Here the same phase is five loops that Numba compiles, with only
what must stay in NumPy to give the same bits between them: the random draws (the
model's generator, in the same order) and the transcendental functions (``np.cos``,
``np.exp`` and ``np.log``, whose last bits differ from the C library's), called on
arrays of the same lengths as in the NumPy form. The loops do the same floating-point
operations in the same order as the NumPy form (no fused multiply-add, sums in the
order ``np.bincount`` adds), so the results are the same bit for bit; the tests and
``benchmarks/same_results.py`` compare the two.

``compile(jit)`` compiles the loops and returns ``read_day``; ``sim.model.kernels``
puts it in the compiled set of kernels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sim.model import budget
from sim.model.constants import FEEDBACK_WEIGHT, VISIT_BOOST
from sim.model.events import DayEvents
from sim.model.feed import Feed, Kind
from sim.model.feedback import credit
from sim.model.logs import Logs
from sim.model.population import Population
from sim.model.scrolling import feed_share, read_gaps
from sim.model.strategies import COMMENT, HONEST, LIKE

__all__ = ["compile", "read_day"]

_LOOPS: dict[str, Callable[..., Any]] = {}  # the compiled loops, by name
_SMALL = 1 << 16  # fewer posts than this: their authors' slots stay as they are
# plain integers: Numba types an enum member afresh on every call, at a cost of ~10 µs
_PROMOTION, _QUESTION = int(Kind.PROMOTION), int(Kind.QUESTION)


def compile(jit: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Callable[..., None]:
    """Compile the loops with ``jit`` (Numba's ``njit``); returns ``read_day``."""
    _LOOPS.update(
        readers=jit(_readers_loop),
        place=jit(_place_loop),
        payoff=jit(_payoff_loop),
        satisfy=jit(_satisfaction_loop),
        react=jit(_react_loop),
    )
    return read_day


def read_day(
    rng: np.random.Generator,
    params: dict[str, Any],
    state: Population,
    feed: Feed,
    loops: Any,
    day: int,
    visitors: np.ndarray,
    ranked: np.ndarray,
    members: int,
    events: DayEvents,
    logs: Logs | None,
) -> None:
    """``sim.model.reading.read_day`` (same arguments, same results) in five loops;
    ``loops`` is the compiled set of kernels, whose plan of reads and moving averages
    it uses."""
    p, s, f = params, state, feed
    readers, away, attention, total, age = _LOOPS["readers"](
        visitors, s.strategy, HONEST, s.last_visit, s.attention, day, p["post_lifetime"] + 1,
        ranked, f.created,
    )  # fmt: skip
    budget.check_reads(p, s.n, len(f), len(readers), float(total), len(ranked))
    share = feed_share(p, members)
    who, k, first, n, eligible, offered = loops.plan_reads(ranked, age, away, attention, share)
    planned = int(k.sum())
    gaps = read_gaps(rng, share, p["scan_depth"], planned) if planned else np.zeros(0, int)
    i, post = np.empty(planned, np.int64), np.empty(planned, np.int64)
    quality, angle = np.empty(planned), np.empty(planned)
    author = f.author if len(f) < _SMALL else _narrow(f.author)
    reads = _LOOPS["place"](
        gaps, k, who, first, n, eligible, author, readers, s.topic, f.quality, f.topic,
        i, post, quality, angle,
    )  # fmt: skip
    i, post, quality, angle = i[:reads], post[:reads], quality[:reads], angle[:reads]
    u_like, u_comment = rng.random(reads), rng.random(reads)  # as the NumPy form draws
    cosine = np.cos(angle, out=angle)
    value, sums, exponents, ratio = _LOOPS["payoff"](
        i, post, quality, cosine, f.kind, _PROMOTION, f.disclosed, f.offtopic,
        (p["cost_disclosed"], p["cost_hidden"], p["cost_offtopic"]),
        readers, s.care, offered, (p["value_scale"], p["care_scale"], p["overload_threshold"]),
    )  # fmt: skip
    gained, related, excess = np.exp(exponents[0]), np.exp(exponents[1]), np.log(ratio)
    gap = _LOOPS["satisfy"](
        readers, gained, related, excess, sums,
        (p["noise_amplifier"], p["care_value"], p["overload_cost"]),
        p["satisfaction_weight"], s.satisfaction, s.standard, s.unhappy, p["visit_width"],
    )  # fmt: skip
    np.exp(gap, out=gap)
    today = np.zeros((5, len(f)), np.int64)  # likes, comments, reads, both, promotion reads
    comments = np.empty((2, reads), np.int64)  # commenter and post of each comment
    n_likes, n_comments = _LOOPS["react"](
        readers, gap, s.base_visit, VISIT_BOOST, p["visit_floor"], s.visit_chance,
        u_like, u_comment, i, post, value, quality, s.strategy, LIKE, COMMENT,
        f.kind, _QUESTION, _PROMOTION, f.offtopic, f.by_spammer, f.author,
        f.likes, f.comments, f.reads, today, comments, s.contributions, s.since_promo,
        s.first_reply, day,
    )  # fmt: skip
    credit(s, f.author, today[3], today[4], FEEDBACK_WEIGHT, loops.move_averages)
    commenter, on = comments[0, :n_comments], comments[1, :n_comments]
    if logs is not None:
        logs.replies(day, commenter, f.id[on], f.author[on])
    s.last_visit[visitors] = day
    events.likes, events.post_reads, events.comments = n_likes, today[2], n_comments
    events.reader, events.post = readers[i], post
    events.quality_read = float(quality.sum() / reads) if reads else float("nan")


def _narrow(values: np.ndarray) -> np.ndarray:
    """The same integers as 32-bit ones if they all fit, else ``values`` itself: looked
    up at random, in half the bytes more of them stay in cache."""
    small = np.iinfo(np.int32)
    if small.min <= values.min() and values.max() <= small.max:
        return values.astype(np.int32)
    return values


# ------------------------------------------------------------------------------ loops
# Each is the NumPy form's steps, named in its comment, in the same arithmetic.
def _readers_loop(visitors, strategy, honest, last_visit, attention, day, cap, ranked, created):  # type: ignore[no-untyped-def]  # noqa: E501
    # the honest visitors, their days away (at most ``cap``) and attention; the posts' ages
    m = 0
    for v in visitors:
        m += honest[strategy[v]]
    readers, away, budget = np.empty(m, np.int64), np.empty(m, np.int64), np.empty(m, np.int64)
    total = 0
    j = 0
    for v in visitors:
        if honest[strategy[v]]:
            readers[j] = v
            a = day - last_visit[v]
            away[j] = a if a < cap else cap
            budget[j] = attention[v]
            total += attention[v]
            j += 1
    age = np.empty(len(ranked), np.int64)
    for q in range(len(ranked)):
        age[q] = day - created[ranked[q]]
    return readers, away, budget, total, age


def _place_loop(
    gaps,
    k,
    who,
    first,
    n,
    eligible,
    author,
    readers,
    reader_topic,
    post_quality,
    post_topic,
    i,
    post,
    quality,
    angle,
):  # type: ignore[no-untyped-def]  # noqa: E501
    # kernels.place_reads and read_posts
    out = 0
    g = 0
    for j in range(len(k)):
        me = readers[who[j]]
        position = -1
        for _ in range(k[j]):
            position += gaps[g]
            g += 1
            if position < n[j]:
                p = eligible[first[j] + position]
                if author[p] != me:
                    i[out] = who[j]
                    post[out] = p
                    quality[out] = post_quality[p]
                    angle[out] = reader_topic[me] - post_topic[p]
                    out += 1
    return out


def _payoff_loop(
    i,
    post,
    quality,
    cosine,
    kind,
    promotion,
    disclosed,
    offtopic,
    costs,
    readers,
    care,
    offered,
    scales,
):  # type: ignore[no-untyped-def]  # noqa: E501
    # kernels.payoff_sums with reading.read_costs; the arguments of payoff's, relational's
    # and overload's exp and log; the care taken is spent
    m = len(readers)
    value = np.empty(len(i))
    reads, promos, values, spent = np.zeros(m, np.int64), np.zeros(m), np.zeros(m), np.zeros(m)
    cost_disclosed, cost_hidden, cost_offtopic = costs
    for r in range(len(i)):
        closeness = (cosine[r] + 1.0) / 2.0
        v = quality[r] * (closeness * closeness)
        value[r] = v
        j = i[r]
        p = post[r]
        promo = 1.0 if kind[p] == promotion else 0.0
        reads[j] += 1
        promos[j] += promo
        values[j] += v
        cost = cost_disclosed if disclosed[p] else cost_hidden
        spent[j] += promo * (cost + cost_offtopic * (1.0 if offtopic[p] else 0.0))
    value_scale, care_scale, threshold = scales
    exponents, ratio = np.empty((2, m)), np.empty(m)
    for j in range(m):
        slot = readers[j]
        exponents[0, j] = -values[j] / value_scale
        exponents[1, j] = -care[slot] / care_scale
        care[slot] = 0.0
        ratio[j] = max(offered[j], 1e-9) / threshold
    return value, (reads, promos, values, spent), exponents, ratio


def _satisfaction_loop(
    readers, gained, related, excess, sums, weights, w, satisfaction, standard, unhappy, width
):  # type: ignore[no-untyped-def]  # noqa: E501
    # reading.payoff, relational and overload from their exp and log; the satisfaction's
    # moving average; visits.refresh up to its exp
    reads, promos, values, spent = sums
    amplifier, care_value, overload_cost = weights
    keep = 1.0 - w
    gap = np.empty(len(readers))
    for j in range(len(readers)):
        noise = promos[j] / max(reads[j], 1)
        pay = (1.0 - gained[j]) - spent[j] * (1.0 + amplifier * noise)
        x = excess[j]
        gain = pay + (care_value * (1.0 - related[j]) - overload_cost * (x if x > 0.0 else 0.0))
        slot = readers[j]
        satisfied = keep * satisfaction[slot] + w * gain
        satisfaction[slot] = satisfied
        g = satisfied - standard[slot]
        unhappy[slot] = g < 0.0
        g = g / width
        if g < -700.0:
            g = -700.0
        elif g > 700.0:
            g = 700.0
        gap[j] = -g
    return gap


def _react_loop(
    readers,
    gap,
    base_visit,
    boost,
    floor,
    visit_chance,
    u_like,
    u_comment,
    i,
    post,
    value,
    quality,
    strategy,
    like,
    comment,
    kind,
    question,
    promotion,
    offtopic,
    by_spammer,
    author,
    feed_likes,
    feed_comments,
    feed_reads,
    today,
    comments,
    contributions,
    since_promo,
    first_reply,
    day,
):  # type: ignore[no-untyped-def]  # noqa: E501
    # visits.refresh after its exp; kernels.react; posting.contributed; the feed's counts,
    # what credit needs and the first replies of reading._react
    for j in range(len(readers)):
        slot = readers[j]
        chance = base_visit[slot] * boost
        chance = chance / (gap[j] + 1.0)
        visit_chance[slot] = floor if floor > chance else chance
    n_likes = 0
    n_comments = 0
    for r in range(len(i)):
        p = post[r]
        me = readers[i[r]]
        s = strategy[me]
        today[2, p] += 1
        if u_like[r] < like[s] * value[r]:
            today[0, p] += 1
            n_likes += 1
        engaging = quality[r] if offtopic[p] and not by_spammer[p] else value[r]
        threshold = comment[s] * engaging
        if kind[p] == question:  # x * 1.0 is x: the other posts skip the multiplication
            threshold = threshold * 2.0
        if u_comment[r] < threshold:
            today[1, p] += 1
            comments[0, n_comments] = me
            comments[1, n_comments] = p
            n_comments += 1
            contributions[me] += 1
            since_promo[me] += 1
    for p in range(today.shape[1]):
        feed_likes[p] += today[0, p]
        feed_comments[p] += today[1, p]
        feed_reads[p] += today[2, p]
        today[3, p] = today[0, p] + today[1, p]
        today[4, p] = today[2, p] if kind[p] == promotion else 0
        if today[1, p] > 0 and first_reply[author[p]] < 0:
            first_reply[author[p]] = day
    return n_likes, n_comments
