"""What visiting members post, by strategy, before the rules see it.

An honest member writes Poisson(rate x activity x motivation) posts a visit; an
ethical promoter's first post of the day is a promotion once it has given enough;
a spammer posts promotion only, off-topic, reposted and undisclosed at its own rates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.model import budget
from sim.model.companies import Companies
from sim.model.constants import MAX_POSTS_PER_VISIT, OFFTOPIC_NOISE, POST_TOPIC_NOISE
from sim.model.events import DayEvents
from sim.model.feed import Feed, Kind
from sim.model.population import Population
from sim.model.strategies import HONEST, PROMOTER, SPAMMER, post_kinds, post_quality, posting_rates

__all__ = [
    "BATCH",
    "SHAPE_PARAMS",
    "compose",
    "contributed",
    "expected_posts",
    "ledger",
    "post_draws",
    "publish",
    "published",
    "shape_posts",
    "write_posts",
]


def expected_posts(state: Population, params: dict[str, Any], visitors: np.ndarray) -> np.ndarray:
    """Each visitor's expected posts today: rate x activity x motivation for honest
    members, the rate alone for spammers; never more than ``MAX_POSTS_PER_VISIT``."""
    p, s = params, state
    strategy = s.strategy[visitors]
    rate = posting_rates(p)[strategy]
    motivation = 1.0 + p["motivation_gain"] * (np.tanh(s.feedback[visitors]) - 0.5)
    lam = np.where(HONEST[strategy], rate * s.activity[visitors] * motivation, rate)
    return np.minimum(lam, MAX_POSTS_PER_VISIT)


def write_posts(
    rng: np.random.Generator,
    state: Population,
    params: dict[str, Any],
    visitors: np.ndarray,
    companies: Companies,
    feed_size: int,
) -> dict[str, np.ndarray]:
    """Candidate posts of today's visitors, one entry per post in visitor order (the
    columns of ``BATCH`` and the quality), once the memory they need is known to fit
    beside the ``feed_size`` posts in the feed. The NumPy form; the compiled one is
    ``sim.model.writing_loops.write_posts``."""
    lam = expected_posts(state, params, visitors)
    budget.check(params["memory_limit"], state.n, int(feed_size + float(lam.sum())))
    return compose(rng, state, params, visitors, lam, companies)


# The columns of a day's candidate posts besides their quality, in order.
BATCH = (
    "author",
    "company",
    "kind",
    "topic",
    "link",
    "repost",
    "offtopic",
    "disclosed",
    "violation",
    "by_spammer",
    "since_promo",
)


def compose(
    rng: np.random.Generator,
    state: Population,
    params: dict[str, Any],
    visitors: np.ndarray,
    lam: np.ndarray,
    companies: Companies,
) -> dict[str, np.ndarray]:
    """Candidate posts of today's visitors (``lam``: their expected posts): one entry
    per post, in visitor order."""
    p, s = params, state
    author = np.repeat(visitors, np.minimum(rng.poisson(lam), MAX_POSTS_PER_VISIT))
    draws = post_draws(rng, len(author))
    strategy, promo, offtopic, topic, disclosed, company, repost, violation = shape_posts(
        author,
        draws,
        s.strategy,
        s.aware,
        s.since_promo,
        s.topic,
        s.company,
        companies.links,
        np.array([p[name] for name in SHAPE_PARAMS], dtype=float),
    )
    quality = post_quality(rng, strategy, promo, p["skill_weight"] * s.skill[author])
    link = companies.link_ids(rng, company, promo, repost)
    kind, by_spammer = post_kinds(strategy, promo), strategy == SPAMMER
    columns = (author, company, kind, topic, link, repost, offtopic, disclosed, violation)
    return {
        **dict(zip(BATCH, (*columns, by_spammer, s.since_promo[author]), strict=True)),
        "quality": quality,
    }


def post_draws(rng: np.random.Generator, n: int) -> np.ndarray:
    """The draws that shape ``n`` posts, one row per use, in the order of the draws (a
    (2, n) draw is the same numbers as two draws of n, one after the other): spam
    off-topic, social talk, topic noise, off-topic noise, hidden affiliation, repost."""
    return np.concatenate(
        [
            rng.random((2, n)),
            rng.normal(0, POST_TOPIC_NOISE, (1, n)),
            rng.normal(0, OFFTOPIC_NOISE, (1, n)),
            rng.random((2, n)),
        ]
    )


# The parameters that shape posts, in the order ``shape_posts`` reads them.
SHAPE_PARAMS = (
    "promoter_ratio",
    "give_take_ratio",
    "spam_offtopic",
    "offtopic_share",
    "remove_offtopic",
    "spam_hidden",
    "spam_repost",
)


def shape_posts(
    author: np.ndarray,
    draws: np.ndarray,
    strategy: np.ndarray,
    aware: np.ndarray,
    since_promo: np.ndarray,
    interest: np.ndarray,
    company: np.ndarray,
    links: np.ndarray,
    params: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """What each post of ``author`` is, from its draws (rows: spam off-topic, social
    talk, topic noise, off-topic noise, hidden affiliation, repost) and its author's
    state: an ethical promoter's first post of the day is a promotion once it has given
    enough; a spammer posts promotion only, off-topic, reposted and undisclosed at its
    own rates; honest members sometimes talk off-topic (unless they know the group
    forbids it). Returns, per post: its author's strategy, promotion, off-topic, topic,
    disclosed, company, repost, violation."""
    own, group, spam_offtopic, offtopic_share, forbidden, spam_hidden, spam_repost = params
    n = len(author)
    st = strategy[author]
    first = np.ones(n, bool)
    first[1:] = author[1:] != author[:-1]
    spam = st == SPAMMER
    knows = aware[author]
    # contributions before a promotion: its own standard, or the group's give-before-
    # take ratio if it knows the group has one
    ratio = np.where(knows, group, own) if group > own else own
    promo = spam | ((st == PROMOTER) & first & (since_promo[author] >= ratio))
    offtopic = spam & (draws[0] < spam_offtopic)
    social = (draws[1] < offtopic_share) & ~(spam | promo)
    if forbidden:
        social &= ~knows
    offtopic |= social
    topic = np.where(spam, 0.0, interest[author]) + draws[2]
    topic = np.where(offtopic, np.pi + draws[3], topic)
    disclosed = ~spam | (draws[4] >= spam_hidden)
    company = company[author]
    repost = spam & (draws[5] < spam_repost)
    repost[repost] = links[company[repost]] > 0  # a link of its company's to repost
    violation = promo & (repost | offtopic | ~disclosed)  # rules of the founding text
    if forbidden:
        violation |= social
    return st, promo, offtopic, topic, disclosed, company, repost, violation


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
    """Publish the candidate posts the rules did not refuse (``labelled``: those they
    labelled), credit their authors and count them in ``events``; colleagues in a
    company ring like each new post of theirs. A refusal teaches its author the rules.
    The NumPy form; the compiled one is ``sim.model.writing_loops.publish``."""
    promo = batch["kind"] == Kind.PROMOTION
    events.refused = int(np.count_nonzero(refused))
    keep = None  # no rules, or nothing refused: no copies
    if events.refused:
        spam = batch["by_spammer"]
        events.refused_legit = int(np.count_nonzero(promo & ~spam & refused))
        events.refused_spam = int(np.count_nonzero(spam & refused))
        labelled &= ~refused
        state.aware[batch["author"][refused]] = True
        keep, promo = ~refused, promo[~refused]
    events.labelled = int(np.count_nonzero(labelled))
    post = published(batch, keep)
    author, spam = post["author"], post["by_spammer"]
    k = len(author)
    rows = feed.add(**post, created=np.full(k, day), tiebreak=rng.random(k))
    ledger(state, author, promo, day)
    events.posts = k
    events.honest_posts = k - int(np.count_nonzero(spam))
    events.promotions = int(np.count_nonzero(promo))
    events.legit_promotions = int(np.count_nonzero(promo & ~spam))
    _ring_likes(rng, state, feed, companies, params["spam_visit"], rows[spam])


def published(batch: dict[str, np.ndarray], keep: np.ndarray | None) -> dict[str, np.ndarray]:
    """The feed's columns of the candidate posts published: those at ``keep`` (a mask
    or positions; None: all, without copies), without what only the rules read."""
    return {k: v if keep is None else v[keep] for k, v in batch.items() if k != "since_promo"}


def _ring_likes(
    rng: np.random.Generator,
    state: Population,
    feed: Feed,
    companies: Companies,
    visit: float,
    rows: np.ndarray,
) -> None:
    """Colleagues in a company ring like each new post of theirs (``rows``, spammers'
    posts), whatever it is: each present colleague with chance ``visit``."""
    if len(rows) == 0:
        return
    colleagues = companies.ring_colleagues(state, feed.company[rows])
    likes = rng.binomial(colleagues, visit)
    feed.likes[rows] += likes
    feed.likes_company[rows] += likes


def ledger(state: Population, author: np.ndarray, promo: np.ndarray, day: int) -> None:
    """Enter published posts (their authors, and which are promotions) in the authors'
    give/take ledgers: posts, promotions, contributions, contributions since the last
    promotion, and the day of a first post."""
    s = state
    s.since_promo[author[promo]] = 0
    np.add.at(s.posts, author, 1)
    np.add.at(s.promotions, author[promo], 1)
    contributed(s, author[~promo])
    new = author[s.first_post[author] < 0]  # repeated slots get the same day
    s.first_post[new] = day


def contributed(state: Population, slots: np.ndarray) -> None:
    """Count a contribution (a post that is not a promotion, or a comment) for each of
    ``slots`` (repeated slots count each time): it also counts toward the next promotion."""
    np.add.at(state.contributions, slots, 1)
    np.add.at(state.since_promo, slots, 1)
