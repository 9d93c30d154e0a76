"""What visiting members post, by strategy, before the rules see it.

An honest member writes Poisson(rate x activity x motivation) posts a visit; an
ethical promoter's first post of the day is a promotion once it has given enough;
a spammer posts promotion only, off-topic, reposted and undisclosed at its own rates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.model.companies import Companies
from sim.model.constants import MAX_POSTS_PER_VISIT, OFFTOPIC_NOISE, POST_TOPIC_NOISE
from sim.model.population import Population
from sim.model.strategies import HONEST, PROMOTER, SPAMMER, post_kinds, post_quality, posting_rates

__all__ = ["compose", "expected_posts", "ledger"]


def expected_posts(state: Population, params: dict[str, Any], visitors: np.ndarray) -> np.ndarray:
    """Each visitor's expected posts today: rate x activity x motivation for honest
    members, the rate alone for spammers; never more than ``MAX_POSTS_PER_VISIT``."""
    p, s = params, state
    strategy = s.strategy[visitors]
    rate = posting_rates(p)[strategy]
    motivation = 1.0 + p["motivation_gain"] * (np.tanh(s.feedback[visitors]) - 0.5)
    lam = np.where(HONEST[strategy], rate * s.activity[visitors] * motivation, rate)
    return np.minimum(lam, MAX_POSTS_PER_VISIT)


def _ratio(params: dict[str, Any], aware: np.ndarray) -> np.ndarray | float:
    """Contributions an ethical promoter makes before a promotion: its own standard, or
    the group's give-before-take ratio if it knows the group has one."""
    own, group = params["promoter_ratio"], params["give_take_ratio"]
    return np.where(aware, group, own) if group > own else own


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
    n = len(author)
    st = s.strategy[author]
    first = np.ones(n, bool)
    first[1:] = author[1:] != author[:-1]
    spam = st == SPAMMER
    aware = s.aware[author]
    promo = spam | ((st == PROMOTER) & first & (s.since_promo[author] >= _ratio(p, aware)))
    offtopic = spam & (rng.random(n) < p["spam_offtopic"])
    # honest social talk; members who know the group forbids it keep to the topic
    social = (rng.random(n) < p["offtopic_share"]) & ~(spam | promo)
    if p["remove_offtopic"]:
        social &= ~aware
    offtopic |= social
    topic = np.where(spam, 0.0, s.topic[author]) + rng.normal(0, POST_TOPIC_NOISE, n)
    topic = np.where(offtopic, np.pi + rng.normal(0, OFFTOPIC_NOISE, n), topic)
    disclosed = ~spam | (rng.random(n) >= p["spam_hidden"])
    company = s.company[author]
    repost = spam & (rng.random(n) < p["spam_repost"])
    repost[repost] = companies.links[company[repost]] > 0  # a link of its company's to repost
    quality = post_quality(rng, st, promo, p["skill_weight"] * s.skill[author])
    return {
        "author": author,
        "company": company,
        "kind": post_kinds(st, promo),
        "topic": topic,
        "quality": quality,
        "link": companies.link_ids(rng, company, promo, repost),
        "repost": repost,
        "offtopic": offtopic,
        "disclosed": disclosed,
        "violation": _violation(p, promo, repost, offtopic, disclosed, social),
        "by_spammer": spam,
        "since_promo": s.since_promo[author],
    }


def _violation(
    params: dict[str, Any],
    promo: np.ndarray,
    repost: np.ndarray,
    offtopic: np.ndarray,
    disclosed: np.ndarray,
    social: np.ndarray,
) -> np.ndarray:
    """Posts that break a rule of the founding text: promotion reposted, off-topic or
    undisclosed, and, where the group forbids it, social talk."""
    broken = promo & (repost | offtopic | ~disclosed)
    if params["remove_offtopic"]:
        broken |= social
    return broken


def ledger(state: Population, author: np.ndarray, promo: np.ndarray, day: int) -> None:
    """Enter published posts (their authors, and which are promotions) in the authors'
    give/take ledgers: posts, promotions, contributions, contributions since the last
    promotion, and the day of a first post."""
    s = state
    s.since_promo[author[promo]] = 0
    np.add.at(s.posts, author, 1)
    np.add.at(s.promotions, author[promo], 1)
    giving = author[~promo]
    np.add.at(s.contributions, giving, 1)
    np.add.at(s.since_promo, giving, 1)
    new = author[s.first_post[author] < 0]  # repeated slots get the same day
    s.first_post[new] = day
