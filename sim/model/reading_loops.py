"""The day's reading as a few compiled loops: ``sim.model.reading.read_day``, fused.

A 1,000-member group's reading is about a hundred NumPy calls on arrays of a few
hundred entries, and each call costs about a microsecond whatever its size: most of
the phase's time. Here the same phase is five calls of loops that Numba compiles, with
only what must stay in NumPy to give the same bits between them: the transcendental
functions (``np.cos``, ``np.exp`` and ``np.log``, whose last bits differ from the C
library's), called on arrays of the same lengths as in the NumPy form. The loops draw
NumPy's own numbers from the model's generator in place, in the NumPy form's order
(``sim.model.bitstream``), and an array passed from one loop to the next within a call
never becomes a Python object (about 0.35 us each). The loops do the same floating-point
operations in the same order as the NumPy form (no fused multiply-add, sums in the
order ``np.bincount`` adds), so the results are the same bit for bit; the tests and
``benchmarks/same_results.py`` compare the two.

``compile(jit)`` compiles the loops and returns ``read_day`` and the plan of reads;
``sim.model.kernels`` puts them in the compiled set of kernels.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.model import bitstream, budget, distributions, placing_loops, visits
from sim.model.constants import FEEDBACK_WEIGHT, VISIT_BOOST
from sim.model.events import DayEvents
from sim.model.feed import Feed, Kind
from sim.model.feedback import credit
from sim.model.logs import Logs
from sim.model.population import Population
from sim.model.scrolling import INVERTED_ABOVE, feed_share, read_chance
from sim.model.strategies import COMMENT, HONEST, LIKE

__all__ = ["compile", "read_day"]

_LOOPS: dict[str, Callable[..., Any]] = {}  # the compiled loops, by name
# plain integers: Numba types an enum member afresh on every call, at a cost of ~10 µs
_PROMOTION, _QUESTION = int(Kind.PROMOTION), int(Kind.QUESTION)
# What the loops need of a post read, in one byte: read at random, one byte a post
# stays in the processor's cache far better than four columns at a million members.
PROMO, DISCLOSED, OFFTOPIC, SOCIAL, QUESTION = 1, 2, 4, 8, 16


def compile(
    jit: Callable[[Callable[..., Any]], Callable[..., Any]],
) -> tuple[Callable[..., None], Callable[..., tuple[np.ndarray, ...]]]:
    """Compile the loops with ``jit`` (Numba's ``njit``); returns ``read_day`` and the
    compiled plan of reads (``sim.model.kernels.plan_reads``'s loop form)."""
    if not _LOOPS:  # the loops that others call are compiled in place of their plain forms
        module = globals()
        for name in ("_readers_loop", "_bits_loop", "_plan_loop"):
            module[name] = jit(module[name])
        _LOOPS.update(
            place=placing_loops.compile(jit),
            honest=jit(_honest_loop),
            sample=jit(_drawn_sample_loop),
            payoff=jit(_payoff_loop),
            satisfy=jit(_satisfaction_loop),
            react=jit(_react_loop),
        )
    return read_day, _plan_loop


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
    """``sim.model.reading.read_day`` (same arguments, same results) in five compiled
    calls; ``loops`` is the compiled set of kernels, whose moving averages it uses."""
    p, s, f = params, state, feed
    st = bitstream.stream(rng)
    readers, rates, (bits, table), (i, post, quality, angle), offered = _sample(
        st, p, s, f, day, visitors, ranked, members
    )
    cosine = np.cos(angle, out=angle)
    # likes and comments of each post (its reads are in ``table``): looked up at random,
    # as 4-byte integers
    counts = np.zeros((2, len(f)), np.int32 if len(i) < 2**31 else np.int64)
    # the commenter and post of each comment, and the post of each like
    comments = np.empty((3, len(i)), np.int64)
    reader = np.empty(len(i), np.int64)  # each read's reader's slot
    sums, x, likes, said = _LOOPS["payoff"](
        i, post, quality, cosine, bits,
        (p["cost_disclosed"], p["cost_hidden"], p["cost_offtopic"]),
        readers, s.care, offered, (p["value_scale"], p["care_scale"], p["overload_threshold"]),
        (st, rates, counts, comments, s.contributions, s.since_promo, reader),
    )  # fmt: skip
    np.exp(x[:2], out=x[:2])  # the payoff's and the relational benefit's
    np.log(x[2], out=x[2])  # the overload's
    gap = _LOOPS["satisfy"](
        readers, x, sums, (p["noise_amplifier"], p["care_value"], p["overload_cost"]),
        p["satisfaction_weight"], s.satisfaction, s.standard, s.unhappy, p["visit_width"],
    )  # fmt: skip
    np.exp(gap, out=gap)
    reacted = (counts, table, comments, likes, said)
    _react(p, s, f, loops, day, readers, bits, gap, reacted, events, logs)
    s.last_visit[visitors] = day
    events.record_reads(reader, post, quality)


def _sample(
    st: np.ndarray,
    params: dict[str, Any],
    state: Population,
    feed: Feed,
    day: int,
    visitors: np.ndarray,
    ranked: np.ndarray,
    members: int,
) -> tuple[Any, ...]:
    """``sim.model.reading.sample_reads`` and ``read_posts`` for the honest visitors,
    drawing from ``st``: the readers, their like and comment rates, the posts' bits,
    each read's reader position, post row, quality and angle, and what each reader had
    to sift; the posts' bits come with their table of what a read looks up, whose last
    column counts their reads. The reads' memory is checked first; the rest is one
    compiled call, so that the plan's arrays never become Python objects."""
    p, s, f = params, state, feed
    readers, total = _LOOPS["honest"](visitors, s.strategy, HONEST, s.attention)
    budget.check_reads(p, s.n, len(f), readers, float(total), len(ranked))
    share = feed_share(p, members)
    return _LOOPS["sample"](
        st, read_chance(share, p["scan_depth"]), share, visitors, readers,
        (s.strategy, HONEST, s.last_visit, s.attention, s.topic, LIKE, COMMENT),
        day, p["post_lifetime"] + 1, ranked,
        (f.kind, f.disclosed, f.offtopic, f.by_spammer, f.quality, f.topic, f.created, f.author),
    )  # fmt: skip


def _react(
    params: dict[str, Any],
    state: Population,
    feed: Feed,
    loops: Any,
    day: int,
    readers: np.ndarray,
    bits: np.ndarray,
    gap: np.ndarray,
    reacted: tuple[np.ndarray, np.ndarray, np.ndarray, int, int],
    events: DayEvents,
    logs: Logs | None,
) -> None:
    """The visit chance from ``gap`` (its exponential), then the rest of
    ``sim.model.reading._react`` from what the loops counted (``reacted``: each post's
    likes and comments, the table whose last column holds its reads, the commenter and
    post of each comment, the likes and the comments)."""
    p, s, f = params, state, feed
    counts, table, comments, n_likes, n_comments = reacted
    today = np.empty((3, len(f)), np.int64)  # reads, likes + comments, promotion reads
    visiting = (s.base_visit, VISIT_BOOST, p["visit_floor"], s.visit_chance)
    totals = (f.likes, f.comments, f.reads)
    _LOOPS["react"](
        readers, gap, visiting, bits, f.author, totals, (counts, table), today, s.first_reply, day
    )
    credit(s, f.author, today[1], today[2], FEEDBACK_WEIGHT, loops.move_averages)
    commenter, on = comments[0, :n_comments], comments[1, :n_comments]
    if logs is not None:
        logs.replies(day, commenter, f.id[on], f.author[on])
    events.likes, events.post_reads, events.comments = n_likes, today[0], n_comments


# ------------------------------------------------------------------------------ loops
# Each is the NumPy form's steps, named in its comment, in the same arithmetic.
def _readers_loop(
    visitors,
    m,
    strategy,
    honest,
    last_visit,
    attention,
    topic,
    like,
    comment,
    day,
    cap,
    ranked,
    created,
):  # type: ignore[no-untyped-def]  # noqa: E501
    # the ``m`` honest visitors (``_honest_loop`` counted them); their days away (at most
    # ``cap``), attention, topic and like and comment rates, kept by reader so that the
    # loops over reads find them close together; the posts' ages
    readers, away, most = np.empty(m, np.int64), np.empty(m, np.int64), np.empty(m, np.int64)
    interest, rates = np.empty(m), np.empty((2, m))
    j = 0
    for v in visitors:
        if honest[strategy[v]]:
            readers[j] = v
            a = day - last_visit[v]
            away[j] = a if a < cap else cap
            most[j] = attention[v]
            interest[j] = topic[v]
            rates[0, j] = like[strategy[v]]
            rates[1, j] = comment[strategy[v]]
            j += 1
    age = np.empty(len(ranked), np.int64)
    for q in range(len(ranked)):
        age[q] = day - created[ranked[q]]
    return readers, away, most, interest, rates, age


def _honest_loop(visitors, strategy, honest, attention):  # type: ignore[no-untyped-def]
    # how many visitors read (the honest ones) and their attention: the most reads
    m = 0
    total = 0
    for v in visitors:
        if honest[strategy[v]]:
            m += 1
            total += attention[v]
    return m, total


def _drawn_sample_loop(st, hit, share, visitors, m, members, day, cap, ranked, posts):  # type: ignore[no-untyped-def]  # noqa: E501
    """``_readers_loop`` (of ``m`` readers), ``_bits_loop``, ``_plan_loop`` and
    ``placing_loops.place`` in one, its gaps drawn from ``st`` as ``read_gaps`` draws them
    (``k.sum()`` of them, each post read with chance ``hit``, above 0 by the
    parameters' bounds: 1 from a chance of 1, by inversion of a standard exponential
    below 1/3, else NumPy's geometric draw). Returns ``_sample``'s arrays."""
    strategy, honest, last_visit, attention, topic, like, comment = members
    kind, disclosed, offtopic, by_spammer, quality, post_topic, created, author = posts
    readers, away, most, interest, rates, age = _readers_loop(
        visitors, m, strategy, honest, last_visit, attention, topic, like, comment, day,
        cap, ranked, created,
    )  # fmt: skip
    bits, looked_up = _bits_loop(
        kind, disclosed, offtopic, by_spammer, _PROMOTION, _QUESTION, quality, post_topic, author
    )
    who, k, first, n, eligible, offered = _plan_loop(ranked, age, away, most, share)
    gaps = np.empty(k.sum(), np.int64)
    inverted, scale = INVERTED_ABOVE < hit < 1.0 / 3.0, -math.log1p(-hit)
    for g in range(len(gaps)):
        if hit >= 1.0:
            gaps[g] = 1
        elif inverted:
            gaps[g] = np.int64(math.ceil(distributions.standard_exponential(st) / scale))
        else:
            gaps[g] = distributions.geometric(st, hit)
    # reader positions in 4 bytes: 2^31 readers would need 860 GB (budget.BYTES_PER_MEMBER)
    i, post = np.empty(len(gaps), np.int32), np.empty(len(gaps), np.int64)
    read_quality, angle = np.empty(len(gaps)), np.empty(len(gaps))
    reads = placing_loops.place(
        gaps, k, who, first, n, eligible, readers, interest, looked_up, i, post,
        read_quality, angle,
    )  # fmt: skip
    placed = (i[:reads], post[:reads], read_quality[:reads], angle[:reads])
    return readers, rates, (bits, looked_up), placed, offered


def _plan_loop(ranked, age, days_away, most, share):  # type: ignore[no-untyped-def]
    # kernels.plan_reads (``most``: its ``budget``, each reader's most reads; the name
    # is this module's import). Readers in a stable order of days away: a counting
    # sort, as the days away are few and small (a stable argsort where they are not);
    # then one list per group of readers away for as many days, its size counted first
    # and its posts written without a branch (each post is written, and kept if it is
    # young enough).
    m = len(days_away)
    order = np.empty(m, np.int64)
    if m:
        low, high = days_away.min(), days_away.max()
    if m and high - low < 2**16:  # stable counting sort: the order of a stable argsort
        starts = np.zeros(high - low + 1, np.int64)
        for j in range(m):
            starts[days_away[j] - low] += 1
        total = 0
        for v in range(len(starts)):
            total, starts[v] = total + starts[v], total
        for j in range(m):
            v = days_away[j] - low
            order[starts[v]] = j
            starts[v] += 1
    elif m:
        order = np.argsort(days_away, kind="mergesort")
    listed = 0
    for j in range(m):
        if j == 0 or days_away[order[j]] != days_away[order[j - 1]]:
            for p in range(len(ranked)):
                listed += age[p] < days_away[order[j]]
    eligible = np.empty(listed + 1, ranked.dtype)
    offered = np.empty(m)
    who = np.empty(m, np.int64)
    k = np.empty(m, most.dtype)
    first = np.empty(m, np.int64)
    n = np.empty(m, np.int64)
    out = 0
    end = 0
    start = 0
    size = 0
    for j in range(m):
        r = order[j]
        if j == 0 or days_away[r] != days_away[order[j - 1]]:  # a new group: its list
            start = end
            d = days_away[r]
            for p in range(len(ranked)):
                eligible[end] = ranked[p]
                end += age[p] < d
            size = end - start
        offered[r] = size * share
        reads = min(most[r], size)
        if reads > 0:
            who[out] = r
            k[out] = reads
            first[out] = start
            n[out] = size
            out += 1
    return who[:out], k[:out], first[:out], n[:out], eligible[:end], offered


def _bits_loop(kind, disclosed, offtopic, by_spammer, promotion, question, quality, topic, author):  # type: ignore[no-untyped-def]  # noqa: E501
    # each post's PROMO, DISCLOSED, OFFTOPIC, SOCIAL (off-topic talk by a member, engaging
    # by its quality) and QUESTION bits; its quality, topic, author and the day's reads
    # side by side, in 32 bytes (the author's slot and the reads as floats: exact, as
    # both are far below 2^53)
    bits = np.empty(len(kind), np.uint8)
    read = np.empty((len(kind), 4))
    for p in range(len(kind)):
        b = PROMO if kind[p] == promotion else 0
        b |= DISCLOSED if disclosed[p] else 0
        b |= OFFTOPIC if offtopic[p] else 0
        b |= SOCIAL if offtopic[p] and not by_spammer[p] else 0
        b |= QUESTION if kind[p] == question else 0
        bits[p] = b
        read[p, 0] = quality[p]
        read[p, 1] = topic[p]
        read[p, 2] = author[p]
        read[p, 3] = 0.0
    return bits, read


def _payoff_loop(i, post, quality, cosine, bits, costs, readers, care, offered, scales, reacting):  # type: ignore[no-untyped-def]  # noqa: E501
    # kernels.payoff_sums with reading.read_costs: each reader's reads (counted exactly
    # in floats), promotions, value and cost as four rows; the arguments of payoff's and
    # relational's exp and of overload's log as three; the care taken is spent. In the
    # same pass over the reads (which a large group's memory holds, not its cache),
    # kernels.react's likes and comments and posting.contributed: they need the value
    # but nothing of the exp and log; and each read's reader's slot. Each read's two
    # uniform draws, NumPy's all likes' then all comments', are drawn here from ``st``
    # and from a state moved on by as many, so that they are never held in memory.
    # The pass only lists the likes and comments; what they add to at random (each
    # post's counts, each commenter's contributions: a million members' do not fit in
    # the cache) is added after it, in loops whose waits for memory overlap.
    m = len(readers)
    sums = np.zeros((4, m))
    cost_disclosed, cost_hidden, cost_offtopic = costs
    st, rates, counts, comments, contributions, since_promo, reader = reacting
    likes = st.copy()  # the likes' draws, one a read; the comments' are the next as many
    bitstream.advance(st, len(i))
    liked = comments[2]  # the post of each like
    n_likes = 0
    n_comments = 0
    for r in range(len(i)):
        closeness = (cosine[r] + 1.0) / 2.0
        v = quality[r] * (closeness * closeness)
        j = i[r]
        p = post[r]
        b = bits[p]
        me = readers[j]
        reader[r] = me
        promo = 1.0 if b & PROMO else 0.0
        sums[0, j] += 1.0
        sums[1, j] += promo
        sums[2, j] += v
        cost = cost_disclosed if b & DISCLOSED else cost_hidden
        sums[3, j] += promo * (cost + cost_offtopic * (1.0 if b & OFFTOPIC else 0.0))
        if bitstream.next_double(likes) < rates[0, j] * v:
            liked[n_likes] = p
            n_likes += 1
        bar = rates[1, j] * (quality[r] if b & SOCIAL else v)
        if b & QUESTION:  # questions draw twice the comments; x * 1.0 would be x
            bar = bar * 2.0
        if bitstream.next_double(st) < bar:
            comments[0, n_comments] = me
            comments[1, n_comments] = p
            n_comments += 1
    for k in range(n_likes):
        counts[0, liked[k]] += 1
    for k in range(n_comments):
        counts[1, comments[1, k]] += 1
        contributions[comments[0, k]] += 1
        since_promo[comments[0, k]] += 1
    value_scale, care_scale, threshold = scales
    x = np.empty((3, m))
    for j in range(m):
        slot = readers[j]
        x[0, j] = -sums[2, j] / value_scale
        x[1, j] = -care[slot] / care_scale
        care[slot] = 0.0
        x[2, j] = max(offered[j], 1e-9) / threshold
    return sums, x, n_likes, n_comments


def _satisfaction_loop(readers, x, sums, weights, w, satisfaction, standard, unhappy, width):  # type: ignore[no-untyped-def]  # noqa: E501
    # reading.payoff, relational and overload from their exp and log (``x``'s rows); the
    # satisfaction's moving average; visits.refresh up to its exp
    amplifier, care_value, overload_cost = weights
    keep = 1.0 - w
    gap = np.empty(len(readers))
    for j in range(len(readers)):
        noise = sums[1, j] / max(sums[0, j], 1.0)
        pay = (1.0 - x[0, j]) - sums[3, j] * (1.0 + amplifier * noise)
        excess = x[2, j]
        overload = excess if excess > 0.0 else 0.0
        gain = pay + (care_value * (1.0 - x[1, j]) - overload_cost * overload)
        slot = readers[j]
        satisfied = keep * satisfaction[slot] + w * gain
        satisfaction[slot] = satisfied
        g = satisfied - standard[slot]
        unhappy[slot] = g < 0.0
        gap[j] = visits.exponent(g, width)
    return gap


def _react_loop(readers, gap, visiting, bits, author, totals, counted, today, first_reply, day):  # type: ignore[no-untyped-def]  # noqa: E501
    # visits.refresh after its exp; from the counts of kernels.react (``_payoff_loop``'s
    # likes and comments, ``placing_loops.place``'s reads in the last column of ``table``), the
    # feed's counts, what credit needs and the first replies of reading._react
    base_visit, boost, floor, visit_chance = visiting
    feed_likes, feed_comments, feed_reads = totals
    counts, table = counted
    for j in range(len(readers)):
        slot = readers[j]
        visit_chance[slot] = visits.chance(base_visit[slot], boost, floor, gap[j])
    for p in range(counts.shape[1]):
        likes, said, reads = counts[0, p], counts[1, p], np.int64(table[p, 3])
        feed_likes[p] += likes
        feed_comments[p] += said
        feed_reads[p] += reads
        today[0, p] = reads
        today[1, p] = likes + said
        today[2, p] = reads if bits[p] & PROMO else 0
        if said > 0 and first_reply[author[p]] < 0:
            first_reply[author[p]] = day
