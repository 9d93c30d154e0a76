"""What visiting members post, by strategy, before the rules see it.

An honest member writes Poisson(rate x activity x motivation) posts a visit; an
ethical promoter's first post of the day is a promotion once it has given enough;
a spammer posts promotion only, off-topic, reposted and undisclosed at its own rates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sim.model.companies import Companies
from sim.model.constants import MAX_POSTS_PER_VISIT, OFFTOPIC_NOISE, POST_TOPIC_NOISE
from sim.model.population import Population
from sim.model.strategies import HONEST, PROMOTER, SPAMMER, post_kinds, post_quality, posting_rates

__all__ = ["compose", "contributed", "expected_posts", "ledger", "shape_posts", "shape_posts_loop"]


def expected_posts(state: Population, params: dict[str, Any], visitors: np.ndarray) -> np.ndarray:
    """Each visitor's expected posts today: rate x activity x motivation for honest
    members, the rate alone for spammers; never more than ``MAX_POSTS_PER_VISIT``."""
    p, s = params, state
    strategy = s.strategy[visitors]
    rate = posting_rates(p)[strategy]
    motivation = 1.0 + p["motivation_gain"] * (np.tanh(s.feedback[visitors]) - 0.5)
    lam = np.where(HONEST[strategy], rate * s.activity[visitors] * motivation, rate)
    return np.minimum(lam, MAX_POSTS_PER_VISIT)


def compose(
    rng: np.random.Generator,
    state: Population,
    params: dict[str, Any],
    visitors: np.ndarray,
    lam: np.ndarray,
    companies: Companies,
    shape: Callable[..., tuple[np.ndarray, ...]] | None = None,
    number: Callable[..., np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Candidate posts of today's visitors (``lam``: their expected posts): one entry
    per post, in visitor order. ``shape`` and ``number`` are ``shape_posts`` and
    ``sim.model.companies.number_links`` or their compiled forms."""
    p, s = params, state
    author = np.repeat(visitors, np.minimum(rng.poisson(lam), MAX_POSTS_PER_VISIT))
    n = len(author)
    # one row of draws per use, in the order of the draws (a (2, n) draw is the same
    # numbers as two draws of n, one after the other)
    draws = np.concatenate(
        [
            rng.random((2, n)),  # spam off-topic, social talk
            rng.normal(0, POST_TOPIC_NOISE, (1, n)),
            rng.normal(0, OFFTOPIC_NOISE, (1, n)),
            rng.random((2, n)),  # hidden affiliation, repost
        ]
    )
    strategy, promo, offtopic, topic, disclosed, company, repost, violation = (
        shape or shape_posts
    )(
        author,
        draws,
        s.strategy,
        s.aware,
        s.since_promo,
        s.topic,
        s.company,
        companies.links,
        np.array([p[name] for name in _SHAPE_PARAMS], dtype=float),
    )
    quality = post_quality(rng, strategy, promo, p["skill_weight"] * s.skill[author])
    return {
        "author": author,
        "company": company,
        "kind": post_kinds(strategy, promo),
        "topic": topic,
        "quality": quality,
        "link": companies.link_ids(rng, company, promo, repost, number),
        "repost": repost,
        "offtopic": offtopic,
        "disclosed": disclosed,
        "violation": violation,
        "by_spammer": strategy == SPAMMER,
        "since_promo": s.since_promo[author],
    }


# The parameters that shape posts, in the order ``shape_posts`` reads them.
_SHAPE_PARAMS = (
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


def shape_posts_loop(author, draws, strategy, aware, since_promo, interest, company, links, params):  # type: ignore[no-untyped-def]  # noqa: E501
    """``shape_posts`` as one pass over the posts, for Numba."""
    own, group, spam_offtopic, offtopic_share, forbidden, spam_hidden, spam_repost = params
    n = len(author)
    st = np.empty(n, strategy.dtype)
    promo = np.empty(n, np.bool_)
    offtopic = np.empty(n, np.bool_)
    topic = np.empty(n)
    disclosed = np.empty(n, np.bool_)
    firm = np.empty(n, company.dtype)
    repost = np.empty(n, np.bool_)
    violation = np.empty(n, np.bool_)
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
        violation[i] = promo[i] and (repost[i] or offtopic[i] or not disclosed[i])
        if forbidden and social:
            violation[i] = True
    return st, promo, offtopic, topic, disclosed, firm, repost, violation


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
