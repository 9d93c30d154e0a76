"""The day's writing as two compiled loops (``sim.model.posting.write_posts``, fused),
and its publishing as one (``sim.model.posting.publish``).

A 1,000-member group writes a few dozen posts a day, and the NumPy form spends most of
the phase's time not on them but on its forty-odd NumPy calls of about a microsecond
each, and on its generator's calls of several: a day with no post at all costs nearly
as much. Here the phase is one loop for the visitors' expected posts and one for the
rest: the posts' draws, what each post is, its quality's odds and its link. The loops
draw from the model's generator in place (``sim.model.bitstream``), NumPy's numbers
in the NumPy form's order (``sim.model.distributions``). The transcendental functions
(``np.tanh``, ``np.log``, ``np.exp``) stay in NumPy, whose last bits can differ from
the C library's, on arrays of the same lengths as in the NumPy form. The loops do the
same floating-point operations in the same order, so the results are the same bit
for bit.

Publishing's loop draws the tie-breaks and the ring likes after it, in the NumPy
form's order.

``compile(jit)`` compiles the loops and returns ``write_posts`` and ``publish``;
``sim.model.kernels`` puts them in the compiled set of kernels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sim.model import bitstream, budget, distributions
from sim.model.companies import LINK_BASE, Companies
from sim.model.constants import MAX_POSTS_PER_VISIT, OFFTOPIC_NOISE, POST_TOPIC_NOISE
from sim.model.events import DayEvents
from sim.model.feed import Feed, Kind
from sim.model.population import Population
from sim.model.posting import BATCH, SHAPE_PARAMS, published
from sim.model.strategies import (
    BETA,
    HONEST,
    KIND,
    PROMOTER,
    QUALITY_CLIP,
    SPAMMER,
    posting_rates,
    skilled_quality,
)

__all__ = ["compile", "publish", "write_posts"]

_LOOPS: dict[str, Callable[..., Any]] = {}  # the compiled loops, by name
# the columns of ``BATCH`` the posts loop returns (all but the link), and where they stand
_LINK = BATCH.index("link")  # the write loop returns the link after the other columns
_NOISE = (POST_TOPIC_NOISE, OFFTOPIC_NOISE)  # the spreads of the posts' two normal draws
_PROMOTION = int(Kind.PROMOTION)  # a plain integer: Numba types enum members on each call


def compile(
    jit: Callable[[Callable[..., Any]], Callable[..., Any]],
) -> tuple[Callable[..., Any], Callable[..., None]]:
    """Compile the loops with ``jit`` (Numba's ``njit``); returns ``write_posts`` and
    ``publish``. The loops that others call are compiled in place of their plain
    forms, as Numba needs them (once: ``compile`` again changes nothing)."""
    if not _LOOPS:
        module = globals()
        for name in ("_posts_loop", "_links_loop", "_publish_loop"):
            module[name] = jit(module[name])
        _LOOPS.update(
            rates=jit(_rates_loop), write=jit(_write_loop), publish=jit(_drawn_publish_loop)
        )
    return write_posts, publish


def write_posts(
    rng: np.random.Generator,
    state: Population,
    params: dict[str, Any],
    visitors: np.ndarray,
    companies: Companies,
    feed_size: int,
) -> dict[str, np.ndarray]:
    """``sim.model.posting.write_posts`` (same arguments, same results) in two loops,
    which draw from ``rng`` (a PCG64) in place (``sim.model.bitstream``)."""
    p, s = params, state
    motivated = np.tanh(s.feedback[visitors])
    lam = _LOOPS["rates"](
        visitors, s.strategy, s.activity, motivated, posting_rates(p), HONEST,
        p["motivation_gain"], float(MAX_POSTS_PER_VISIT),
    )  # fmt: skip
    budget.check(p["memory_limit"], s.n, int(feed_size + float(lam.sum())))
    shape = np.array([p[name] for name in SHAPE_PARAMS], dtype=float)
    *columns, link, shift, odds = _LOOPS["write"](
        bitstream.stream(rng), lam, MAX_POSTS_PER_VISIT, _NOISE, visitors, s.strategy,
        s.aware, s.since_promo, s.topic, s.company, s.skill, companies.links, shape,
        p["skill_weight"], BETA, KIND, QUALITY_CLIP, LINK_BASE,
    )  # fmt: skip
    columns.insert(_LINK, link)
    return {**dict(zip(BATCH, columns, strict=True)), "quality": skilled_quality(odds, shift)}


def _rates_loop(visitors, strategy, activity, motivated, rate, honest, gain, most):  # type: ignore[no-untyped-def]  # noqa: E501
    """Each visitor's expected posts (``expected_posts``); ``motivated`` is the tanh of
    its feedback."""
    lam = np.empty(len(visitors))
    for j in range(len(visitors)):
        v = visitors[j]
        st = strategy[v]
        if honest[st]:
            lam[j] = rate[st] * activity[v] * (1.0 + gain * (motivated[j] - 0.5))
        else:
            lam[j] = rate[st]
        lam[j] = min(lam[j], most)
    return lam


def _write_loop(  # type: ignore[no-untyped-def]
    st, lam, most, noise, visitors, strategy, aware, since_promo, interest, company, skill,
    links, shape, skill_weight, beta, kinds, clip, link_base,
):  # fmt: skip
    """``compose`` from the visitors' expected posts ``lam``, drawing from ``st`` as
    the NumPy form draws from its generator, in its order: each visitor's Poisson
    count (at most ``most``), the posts' draws (``post_draws``; ``noise``: the spreads
    of its two normal rows), then what each post is (``_posts_loop``), its quality's
    Beta draw, and one uniform per repost for the links (``_links_loop``). Returns the
    columns of ``BATCH`` but the link, the link, each post's skill shift and its
    quality's odds."""
    counts = np.empty(len(lam), np.int64)
    for j in range(len(lam)):
        counts[j] = min(distributions.poisson(st, lam[j]), most)
    n = counts.sum()
    draws = np.empty((6, n))
    for row in range(6):
        if row == 2 or row == 3:
            for i in range(n):
                draws[row, i] = distributions.normal(st, 0.0, noise[row - 2])
        else:
            bitstream.fill(st, draws[row])
    (author, firm, kind, topic, repost, offtopic, disclosed, violation, by_spammer, owed,
     shift, ab, promo, reposts) = _posts_loop(
        visitors, counts, draws, strategy, aware, since_promo, interest, company, skill,
        links, shape, skill_weight, beta, kinds,
    )  # fmt: skip
    odds = np.empty(n)
    for i in range(n):
        odds[i] = distributions.beta(st, ab[0, i], ab[1, i])
    u = np.empty(reposts)
    bitstream.fill(st, u)
    link = _links_loop(odds, clip, promo, repost, firm, u, links, link_base)
    return (author, firm, kind, topic, repost, offtopic, disclosed, violation, by_spammer,
            owed, link, shift, odds)  # fmt: skip


def _posts_loop(  # type: ignore[no-untyped-def]
    visitors, counts, draws, strategy, aware, since_promo, interest, company, skill, links,
    shape, skill_weight, beta, kinds,
):  # fmt: skip
    """The posts of the day (``compose``): their authors from their counts (``counts``,
    at most ``MAX_POSTS_PER_VISIT`` each) and what each is (``shape_posts``) from its
    ``draws`` (``post_draws``). Returns the columns of ``BATCH`` but the link and the
    quality, then each post's skill shift, the parameters of its quality's Beta
    (``post_quality``), whether it is a promotion, and the number of reposts."""
    own, group, spam_offtopic, offtopic_share, forbidden, spam_hidden, spam_repost = shape
    n = counts.sum()
    author = np.empty(n, visitors.dtype)
    i = 0
    for j in range(len(visitors)):
        for _ in range(counts[j]):
            author[i] = visitors[j]
            i += 1
    st = np.empty(n, strategy.dtype)
    promo = np.empty(n, np.bool_)
    offtopic = np.empty(n, np.bool_)
    topic = np.empty(n)
    disclosed = np.empty(n, np.bool_)
    firm = np.empty(n, company.dtype)
    repost = np.empty(n, np.bool_)
    violation = np.empty(n, np.bool_)
    kind = np.empty(n, kinds.dtype)
    by_spammer = np.empty(n, np.bool_)
    owed = np.empty(n, since_promo.dtype)
    shift = np.empty(n)
    ab = np.empty((2, n))
    reposts = 0
    for i in range(n):
        a = author[i]
        st[i] = strategy[a]
        spam = st[i] == SPAMMER
        knows = aware[a]
        ratio = group if group > own and knows else own
        first = i == 0 or author[i - 1] != a
        promo[i] = spam or (st[i] == PROMOTER and first and since_promo[a] >= ratio)
        social = draws[1, i] < offtopic_share and not (spam or promo[i])
        if forbidden and knows:
            social = False
        offtopic[i] = (spam and draws[0, i] < spam_offtopic) or social
        topic[i] = (0.0 if spam else interest[a]) + draws[2, i]
        if offtopic[i]:
            topic[i] = np.pi + draws[3, i]
        disclosed[i] = not spam or draws[4, i] >= spam_hidden
        firm[i] = company[a]
        repost[i] = spam and draws[5, i] < spam_repost and links[firm[i]] > 0
        reposts += repost[i]
        violation[i] = promo[i] and (repost[i] or offtopic[i] or not disclosed[i])
        if forbidden and social:
            violation[i] = True
        p = np.int64(promo[i])
        kind[i] = kinds[p, st[i]]
        by_spammer[i] = spam
        owed[i] = since_promo[a]
        shift[i] = skill_weight * skill[a]
        ab[0, i] = beta[p, st[i], 0]
        ab[1, i] = beta[p, st[i], 1]
    return (author, firm, kind, topic, repost, offtopic, disclosed, violation, by_spammer,
            owed, shift, ab, promo, reposts)  # fmt: skip


def _links_loop(drawn, clip, promo, repost, firm, u, links, link_base):  # type: ignore[no-untyped-def]  # noqa: E501
    """``post_quality``'s odds from the Beta draws (``drawn``, turned into the odds in
    place) and the links (``number_links``, counting new links in ``links``; ``u``: one
    uniform per repost, in order)."""
    for i in range(len(drawn)):
        base = min(max(drawn[i], clip), 1.0 - clip)
        drawn[i] = base / (1.0 - base)
    link = np.full(len(drawn), -1, np.int64)
    r = 0
    for i in range(len(drawn)):  # a repost reuses one of its company's links
        if repost[i]:
            link[i] = firm[i] * link_base + np.int64(u[r] * links[firm[i]])
            r += 1
    for i in range(len(drawn)):  # a new promotion gets its company's next serial
        if promo[i] and not repost[i]:
            link[i] = firm[i] * link_base + links[firm[i]]
            links[firm[i]] += 1
    return link


def publish(
    rng: np.random.Generator,
    state: Population,
    feed: Feed,
    companies: Companies,
    params: dict[str, Any],
    day: int,
    batch: dict[str, np.ndarray],
    refused: np.ndarray,
    labelled: np.ndarray,
    events: DayEvents,
) -> None:
    """``sim.model.posting.publish`` (same arguments, same results) in one loop, which
    draws the tie-breaks and the ring likes from ``rng`` (a PCG64) in place."""
    s = state
    keep, counts, tiebreak, likes = _LOOPS["publish"](
        bitstream.stream(rng), params["spam_visit"], batch["author"], batch["kind"],
        batch["by_spammer"], batch["company"], refused, labelled, s.aware, s.since_promo,
        s.posts, s.promotions, s.contributions, s.first_post, s.strategy, s.present,
        s.company, len(companies), day, _PROMOTION, SPAMMER,
    )  # fmt: skip
    (events.refused, events.refused_legit, events.refused_spam, events.labelled,
     events.posts, events.honest_posts, events.promotions, events.legit_promotions,
     ) = counts.tolist()  # fmt: skip
    post = published(batch, keep)
    created = np.full(events.posts, day)
    feed.add(**post, created=created, tiebreak=tiebreak, likes=likes, likes_company=likes)


def _drawn_publish_loop(st, visit, *publishing):  # type: ignore[no-untyped-def]
    """``_publish_loop`` on ``publishing``, then its draws from ``st`` in the NumPy
    form's order: a tie-break for each post published, then the likes of each spammer's
    post, each present colleague's with chance ``visit``. Returns the posts kept (None:
    all), the day's counts, the tie-breaks and the likes."""
    keep, spam, colleagues, counts = _publish_loop(*publishing)
    tiebreak = np.empty(counts[4])
    bitstream.fill(st, tiebreak)
    likes = np.zeros(len(tiebreak), np.int64)
    for j in range(len(spam)):
        likes[spam[j]] = distributions.binomial(st, colleagues[j], visit)
    return keep, counts, tiebreak, likes


def _publish_loop(  # type: ignore[no-untyped-def]
    author, kind, by_spammer, company, refused, labelled, aware, since_promo, posts,
    promotions, contributions, first_post, strategy, present, member_company, companies,
    day, promotion, spammer,
):  # fmt: skip
    """Which posts are published (their positions), the authors' ledgers (``ledger``),
    the spammers' posts among those published (their positions) with each one's present
    colleagues, and the day's counts: refused, refused promotions of honest members and
    of spammers, labelled, published, honest, promotions, honest promotions."""
    counts = np.zeros(8, np.int64)
    keep = np.empty(len(author), np.int64)
    k = 0
    for i in range(len(author)):
        if refused[i]:
            counts[0] += 1
            counts[1] += kind[i] == promotion and not by_spammer[i]
            counts[2] += by_spammer[i]
            aware[author[i]] = True
        else:
            counts[3] += labelled[i]
            keep[k] = i
            k += 1
    keep = keep[:k]
    for j in range(k):  # the ledger, in the NumPy form's order
        if kind[keep[j]] == promotion:
            since_promo[author[keep[j]]] = 0
    for j in range(k):
        i, a = keep[j], author[keep[j]]
        posts[a] += 1
        promo = kind[i] == promotion
        promotions[a] += promo
        if not promo:
            contributions[a] += 1
            since_promo[a] += 1
        if first_post[a] < 0:
            first_post[a] = day
        counts[4] += 1
        counts[5] += not by_spammer[i]
        counts[6] += promo
        counts[7] += promo and not by_spammer[i]
    spam = np.empty(counts[4] - counts[5], np.int64)
    colleagues = np.empty(len(spam), np.int64)
    ring = np.zeros(companies, np.int64)  # present spammers by company
    s = 0
    for j in range(k):  # colleagues in its ring like a spammer's post (drawn after)
        i = keep[j]
        if by_spammer[i]:
            if s == 0:  # on the first spammer's post: most days have none
                for m in range(len(strategy)):
                    if strategy[m] == spammer and present[m]:
                        ring[member_company[m]] += 1
            spam[s] = j
            colleagues[s] = max(ring[company[i]] - 1, 0)
            s += 1
    return None if k == len(author) else keep, spam, colleagues, counts
