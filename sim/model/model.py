"""CommunityModel: a discussion group whose members share, care, promote or spam.

One step is one day, in the order of ``docs/ODD.md`` ("Process overview"):
visits, posting, rules at submission, ranking, reading, reactions, rules after the
fact, satisfaction, lurking and leaving, joining, imitation, data collection.
The per-member arithmetic is NumPy over the arrays in ``Population`` and ``Feed``;
Python-level work per day is proportional to events, not to members x posts.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.datacollection import DataCollector

from sim.model.agents import (
    COMMENT_PROPENSITY,
    LIKE_PROPENSITY,
    POST_QUALITY,
    Member,
    Strategy,
)
from sim.model.feed import Feed, Kind, sample_reads
from sim.model.metrics import DAILY, summarize, voice_concentration
from sim.model.params import STRATEGY_SHARES, resolve
from sim.model.population import Population
from sim.model.rules import build_policies

__all__ = ["CommunityModel"]

SHARER, CARER, PROMOTER, SPAMMER, LURKER = (int(s) for s in Strategy)
_LINK_BASE = 1 << 32  # link id = company x _LINK_BASE + serial within the company
_FEEDBACK_WEIGHT = 0.1  # moving-average weight of feedback and reach
_TOPIC_SPREAD = 0.6  # spread of members' interests around the group's topic (radians)
_POST_TOPIC_NOISE = 0.3  # spread of a post's topic around its author's interest
_DAY_COUNTS = ("posts", "promotions", "refused", "removed", "false_removals")  # per-day counters


class DailyCollector(DataCollector):
    """Mesa's ``DataCollector`` of the daily measures (``sim.metrics.DAILY``).

    It reads like the stock collector (``model_vars``,
    ``get_model_vars_dataframe()``) but records ``model.today`` directly: the stock
    ``collect`` calls a reporter and deep-copies its value for every measure, every
    day, about a tenth of a 1,000-member run, and copying protects nothing here
    because every measure is an immutable number.
    """

    def __init__(self) -> None:
        super().__init__(model_reporters={k: (lambda m, k=k: m.today[k]) for k in DAILY})

    def collect(self, model: CommunityModel) -> None:
        """Append today's measures, one value per daily measure."""
        self._collection_steps.append(model.time)
        today = model.today
        for name, values in self.model_vars.items():
            values.append(today[name])


class CommunityModel(mesa.Model):
    """A professional discussion group, one step per day.

    Parameters
    ----------
    rng : int or numpy.random.Generator, optional
        Seed of the model's random generator; one seed gives one result.
    scenario : optional
        Ignored. Mesa's SolaraViz passes its default scenario when it re-creates
        the model on Reset; this group is defined by its parameters and seed alone.
    **params
        Model parameters by name (``sim params`` lists them); the rest take their
        defaults. Unknown names, wrong types, values out of bounds and strategy
        shares that sum past 1 raise ``sim.params.ParamError``.

    Attributes
    ----------
    params : dict
        Every parameter value in force (preset applied).
    state : Population
        Member state arrays, indexed by slot.
    feed : Feed
        Posts currently in the feed.
    policies : list of Policy
        The rules switched on.
    today : dict
        The measures of the last day simulated (see ``sim.metrics.DAILY``).
    """

    SHARER, CARER, PROMOTER, SPAMMER, LURKER = SHARER, CARER, PROMOTER, SPAMMER, LURKER

    def __init__(
        self,
        rng: int | np.random.Generator | None = None,
        scenario: Any = None,
        **params: Any,
    ) -> None:
        values = resolve(params)
        super().__init__(rng=rng)
        self.seed = int(rng) if isinstance(rng, (int, np.integer)) else None
        self.params = values
        self.state = Population(capacity=int(values["n_members"] * 1.25) + 16)
        self.feed = Feed()
        self.policies = build_policies(values)
        self.counters: Counter[str] = Counter()
        self.members: list[Member] = []
        self.day = -values["warmup"]
        self.company_links = np.zeros(0, dtype=np.int64)
        self.reputation: float | None = None
        self.today: dict[str, float] = {}
        # The day's events, counted as they happen and reported by ``_measure``.
        self._likes_given = self._comments_given = 0
        self._joins = self._departures = self._bans = 0
        self._spawn(self._initial_strategies())
        self._warm_up()
        self.datacollector = DailyCollector()
        self.datacollector.collect(self)
        self.running = True

    # ------------------------------------------------------------------ set-up
    def _shares(self) -> list[float]:
        """Share of each strategy, in ``Strategy`` order; lurkers are the rest."""
        shares = [self.params[name] for name in STRATEGY_SHARES]
        return [*shares, 1.0 - sum(shares)]

    def _initial_strategies(self) -> np.ndarray:
        """Exact strategy counts from the shares, in random order."""
        n = self.params["n_members"]
        counts = [round(share * n) for share in self._shares()[:LURKER]]
        counts.append(max(n - sum(counts), 0))
        strategies = np.repeat(np.arange(5, dtype=np.int8), counts)[:n]
        return self.rng.permutation(strategies)

    def _honest_mix(self) -> np.ndarray:
        """Probabilities of each strategy for a newcomer who is not a spammer."""
        mix = np.clip(np.array(self._shares()), 0.0, None)
        mix[SPAMMER] = 0.0
        return mix / mix.sum() if mix.sum() > 0 else np.eye(5)[LURKER]

    def _draw_honest(self, k: int) -> np.ndarray:
        """Strategies of ``k`` honest newcomers, drawn from ``_honest_mix()``.

        The same draws as ``rng.choice(5, size=k, p=mix)`` (one uniform per newcomer,
        inverted through the cumulative mix), without that call's ~10 us of checks on
        ``p``, which ran every day even when nobody joined.
        """
        if k == 0:
            return np.zeros(0, dtype=np.int8)
        cdf = self._honest_mix().cumsum()
        cdf /= cdf[-1]
        return np.searchsorted(cdf, self.rng.random(k), side="right").astype(np.int8)

    def _spawn(self, strategies: np.ndarray) -> np.ndarray:
        """Create members with the given strategies; returns their slots."""
        p, rng, k = self.params, self.rng, len(strategies)
        if k == 0:
            return np.zeros(0, dtype=np.int64)
        sigma = p["activity_sigma"]
        mean_visit = p["visit_rate"]
        standard = rng.normal(p["standard_mean"], p["standard_sd"], k)
        spam = strategies == SPAMMER
        slots = self.state.add(
            present=np.ones(k, bool),
            strategy=strategies,
            company=self._companies_for(strategies),
            topic=rng.normal(0.0, _TOPIC_SPREAD, k),
            standard=standard,
            activity=rng.lognormal(0.0, sigma, k),
            base_visit=rng.beta(1.5, 1.5 * (1 - mean_visit) / mean_visit, k),
            attention=np.clip(
                np.rint(rng.lognormal(np.log(p["attention"]), 0.5, k)), 1, p["attention_cap"]
            ),
            satisfaction=standard + 0.2,
            reach=np.where(spam, 2.0 * p["spam_quit_reach"], 0.0),
            joined=np.full(k, self.day),
            ever_spammer=spam,
        )
        self.members.extend(Member(self, int(slot)) for slot in slots)
        return slots

    def _companies_for(self, strategies: np.ndarray) -> np.ndarray:
        """Affiliations: spammers fill company rings, each promoter has its own."""
        company = np.full(len(strategies), -1, dtype=np.int64)
        promoters = np.flatnonzero(strategies == PROMOTER)
        company[promoters] = self._new_companies(len(promoters))
        spammers = np.flatnonzero(strategies == SPAMMER)
        if len(spammers) == 0:
            return company
        s, size = self.state, self.params["ring_size"]
        active = s.present & (s.strategy == SPAMMER)
        counts = np.bincount(s.company[active], minlength=len(self.company_links))
        open_rings = np.flatnonzero((counts > 0) & (counts < size)).tolist()
        counts = counts.tolist()
        for i in spammers:
            if not open_rings:
                open_rings.append(self._new_company())
                counts.append(0)
            c = open_rings[0]
            company[i] = c
            counts[c] += 1
            if counts[c] >= size:
                open_rings.pop(0)
        return company

    def _new_companies(self, k: int) -> np.ndarray:
        """Ids of ``k`` new companies (with no links posted yet)."""
        first = len(self.company_links)
        self.company_links = np.concatenate([self.company_links, np.zeros(k, dtype=np.int64)])
        return np.arange(first, first + k)

    def _new_company(self) -> int:
        return int(self._new_companies(1)[0])

    def _warm_up(self) -> None:
        """Give the feed a history: honest members only, membership frozen."""
        qualities = []
        for day in range(-self.params["warmup"], 0):
            self.day = day
            self._day(warm=True)
            qualities.append(self.today["quality"])
        self.day = 0
        recent = np.array(qualities[-7:], dtype=float)
        recent = recent[np.isfinite(recent)]
        self.initial_quality = float(recent.mean()) if len(recent) else 0.0
        for name in ("posts", "contributions", "promotions", "removals"):
            getattr(self.state, name)[:] = 0
        self.counters.clear()
        self.today = self._measure(np.zeros(0, int), np.zeros(0, int), 0)
        self.today["quality"] = self.initial_quality

    # -------------------------------------------------------------------- a day
    def step(self) -> None:
        """Advance the group by one day."""
        self.day += 1
        self._day(warm=False)
        self.datacollector.collect(self)

    def run(self, days: int) -> CommunityModel:
        """Run ``days`` days; returns the model for chaining."""
        for _ in range(days):
            self.step()
        return self

    def _day(self, warm: bool) -> None:
        p, s, feed = self.params, self.state, self.feed
        self._joins = self._departures = self._bans = 0
        day_counts = self.counters.copy()
        feed.expire(self.day, p["post_lifetime"])
        visitors = self._visitors(warm)
        self._submit(self._compose_posts(visitors))
        ranked = self.ranked_feed()
        readers = visitors[s.strategy[visitors] != SPAMMER]
        reader, post = self._read(readers, ranked)
        for rule in self.policies:
            rule.on_read(self, reader, post)
        s.last_visit[visitors] = self.day
        if not warm:  # the warm-up freezes membership: no removals, bans or departures
            for rule in self.policies:
                rule.after_reading(self)
            self._update_membership()
            self._join()
            self._imitate()
        feed.close_day()
        self.today = self._measure(reader, post, len(visitors), day_counts)

    def ranked_feed(self) -> np.ndarray:
        """Rows of the visible posts in the order the feed shows them today, best first.

        Engagement ranking counts the likes the rules let count (see ``RankingDefence``).
        """
        p, feed = self.params, self.feed
        likes = feed.rank_likes
        for rule in self.policies:
            likes = rule.ranking_likes(feed, likes)
        return feed.ranked(self.day, p["feed_ranking"], p["comment_weight"], likes)

    def _visitors(self, warm: bool) -> np.ndarray:
        """Slots of today's visitors; satisfaction drives honest members' visits."""
        p, s = self.params, self.state
        gap = (s.satisfaction - s.standard) / p["visit_width"]
        prob = np.maximum(p["visit_floor"], s.base_visit * 2.0 / (1.0 + np.exp(-gap)))
        spam = s.strategy == SPAMMER
        prob = np.where(spam, 0.0 if warm else p["spam_visit"], prob)
        return np.flatnonzero(s.present & (self.rng.random(s.n) < prob))

    def _compose_posts(self, visitors: np.ndarray) -> dict[str, np.ndarray]:
        """Candidate posts of today's visitors, by strategy (before the rules)."""
        p, s, rng = self.params, self.state, self.rng
        strategy = s.strategy[visitors]
        rate = np.array(
            [p["rate_sharer"], p["rate_carer"], p["rate_promoter"], p["spam_rate"], 0.0]
        )[strategy]
        motivation = 1.0 + p["motivation_gain"] * (np.tanh(s.feedback[visitors]) - 0.5)
        honest = strategy != SPAMMER
        lam = np.where(honest, rate * s.activity[visitors] * motivation, rate)
        author = np.repeat(visitors, rng.poisson(lam))
        n = len(author)
        st = s.strategy[author]
        first = np.ones(n, bool)
        first[1:] = author[1:] != author[:-1]
        spam = st == SPAMMER
        promo = spam | ((st == PROMOTER) & first & (s.since_promo[author] >= p["promoter_ratio"]))
        kind = np.where(promo, Kind.PROMOTION, np.where(st == CARER, Kind.QUESTION, Kind.SHARE))
        offtopic = spam & (rng.random(n) < p["spam_offtopic"])
        topic = np.where(spam, 0.0, s.topic[author]) + rng.normal(0, _POST_TOPIC_NOISE, n)
        topic = np.where(offtopic, np.pi + rng.normal(0, 0.5, n), topic)
        a, b = POST_QUALITY[np.where(spam, 3, kind)].T
        disclosed = ~spam | (rng.random(n) >= p["spam_hidden"])
        company = s.company[author]
        known = np.zeros(n, dtype=np.int64)
        known[spam] = self.company_links[company[spam]]
        repost = spam & (rng.random(n) < p["spam_repost"]) & (known > 0)
        return {
            "author": author,
            "company": company,
            "kind": kind.astype(np.int8),
            "topic": topic,
            "quality": rng.beta(a, b),
            "link": self._links(company, promo, repost),
            "repost": repost,
            "offtopic": offtopic,
            "disclosed": disclosed,
            "violation": promo & (repost | offtopic | ~disclosed),
            "by_spammer": spam,
            "since_promo": s.since_promo[author],
        }

    def _links(self, company: np.ndarray, promo: np.ndarray, repost: np.ndarray) -> np.ndarray:
        """Link ids: a repost reuses one of its company's links, a promotion gets a new one."""
        link = np.full(len(company), -1, dtype=np.int64)
        if not promo.any():
            return link
        old = np.flatnonzero(repost)
        known = self.company_links[company[old]]
        link[old] = company[old] * _LINK_BASE + (self.rng.random(len(old)) * known).astype(int)
        new = np.flatnonzero(promo & ~repost)
        c = company[new]
        order = np.argsort(c, kind="stable")
        ranked = np.empty(len(c), dtype=np.int64)
        ranked[order] = np.arange(len(c)) - np.searchsorted(c[order], c[order])
        link[new] = c * _LINK_BASE + self.company_links[c] + ranked
        self.company_links += np.bincount(c, minlength=len(self.company_links))
        return link

    def _submit(self, batch: dict[str, np.ndarray]) -> None:
        """Apply the rules at submission and publish what they accept."""
        feed = self.feed
        accepted = np.ones(len(batch["author"]), dtype=bool)
        for rule in self.policies:
            accepted &= rule.on_submit(self, batch)
        promo = batch["kind"] == Kind.PROMOTION
        spam = batch["by_spammer"]
        self.counters["refused_legit"] += int(np.count_nonzero(promo & ~spam & ~accepted))
        self.counters["refused_spam"] += int(np.count_nonzero(spam & ~accepted))
        n_accepted = int(np.count_nonzero(accepted))
        self.counters["refused"] += len(accepted) - n_accepted
        everything = len(accepted) == n_accepted  # no rules, or nothing refused: no copies
        post = {k: v if everything else v[accepted] for k, v in batch.items() if k != "since_promo"}
        n = len(post["author"])
        rows = feed.add(**post, created=np.full(n, self.day), tiebreak=self.rng.random(n))
        self._ledger(post)
        self._ring_likes(rows)

    def _ledger(self, post: dict[str, np.ndarray]) -> None:
        """Credit the authors' give/take ledgers for what they published."""
        s = self.state
        author = post["author"]
        promo = post["kind"] == Kind.PROMOTION
        s.since_promo[author[promo]] = 0
        np.add.at(s.posts, author, 1)
        np.add.at(s.promotions, author[promo], 1)
        np.add.at(s.contributions, author[~promo], 1)
        np.add.at(s.since_promo, author[~promo], 1)
        self.counters["legit_promotions"] += int(np.count_nonzero(promo & ~post["by_spammer"]))
        self.counters["posts"] += len(author)
        self.counters["promotions"] += int(np.count_nonzero(promo))

    def _ring_likes(self, rows: np.ndarray) -> None:
        """Colleagues in a company ring like each new post of theirs, whatever it is."""
        feed, s = self.feed, self.state
        rows = rows[feed.by_spammer[rows]]
        if len(rows) == 0:
            return
        spam = s.present & (s.strategy == SPAMMER)
        ring = np.bincount(s.company[spam], minlength=len(self.company_links))
        colleagues = np.maximum(ring[feed.company[rows]] - 1, 0)
        likes = self.rng.binomial(colleagues, self.params["spam_visit"])
        feed.likes[rows] += likes
        feed.likes_company[rows] += likes

    def _read(self, readers: np.ndarray, ranked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Readers read the feed; satisfaction, reactions and reach follow.

        Returns one entry per read: the reader's slot and the post's row.
        """
        p, s, feed = self.params, self.state, self.feed
        away = np.minimum(self.day - s.last_visit[readers], p["post_lifetime"] + 1)
        i, post = sample_reads(
            self.rng, ranked, feed.created, self.day, away, s.attention[readers], p["scan_depth"]
        )
        own = feed.author[post] == readers[i]
        i, post = i[~own], post[~own]
        reader = readers[i]
        value = feed.quality[post] * _relevance(s.topic[reader], feed.topic[post])
        payoff = self._payoff(i, post, value, len(readers))
        w = p["satisfaction_weight"]
        s.satisfaction[readers] = (1 - w) * s.satisfaction[readers] + w * payoff
        self._react(reader, post, value)
        return reader, post

    def _payoff(self, i: np.ndarray, post: np.ndarray, value: np.ndarray, n: int) -> np.ndarray:
        """Each reader's payoff: saturating value minus the attention cost of noise."""
        p, feed = self.params, self.feed
        promo = feed.kind[post] == Kind.PROMOTION
        cost = np.where(feed.disclosed[post], p["cost_disclosed"], p["cost_hidden"])
        cost = promo * (cost + p["cost_offtopic"] * feed.offtopic[post])
        reads = np.bincount(i, minlength=n)
        noise = np.bincount(i, promo, minlength=n) / np.maximum(reads, 1)
        gained = 1.0 - np.exp(-np.bincount(i, value, minlength=n) / p["value_scale"])
        return gained - np.bincount(i, cost, minlength=n) * (1.0 + p["noise_amplifier"] * noise)

    def _react(self, reader: np.ndarray, post: np.ndarray, value: np.ndarray) -> None:
        """Likes and comments by strategy and value; authors' motivation and reach."""
        s, feed, rng = self.state, self.feed, self.rng
        strategy = s.strategy[reader]
        question = 1.0 + (feed.kind[post] == Kind.QUESTION)
        like = rng.random(len(post)) < LIKE_PROPENSITY[strategy] * value
        comment = rng.random(len(post)) < COMMENT_PROPENSITY[strategy] * value * question
        m = len(feed)
        feed.likes += np.bincount(post[like], minlength=m)
        feed.comments += np.bincount(post[comment], minlength=m)
        feed.reads += np.bincount(post, minlength=m)
        np.add.at(s.contributions, reader[comment], 1)
        np.add.at(s.since_promo, reader[comment], 1)
        author = feed.author[post]
        received = np.bincount(author, like + comment, minlength=s.n)
        w = _FEEDBACK_WEIGHT
        s.feedback = (1 - w) * s.feedback + w * received
        promo = feed.kind[post] == Kind.PROMOTION
        reach = np.bincount(author[promo], minlength=s.n)
        promoting = (s.strategy == PROMOTER) | (s.strategy == SPAMMER)
        s.reach = np.where(promoting, (1 - w) * s.reach + w * reach, s.reach)
        self._likes_given = int(np.count_nonzero(like))
        self._comments_given = int(np.count_nonzero(comment))

    # ------------------------------------------------------- after the fact
    def remove_posts(self, rows: np.ndarray) -> None:
        """Moderators remove posts; mistaken removals cost their honest authors."""
        if len(rows) == 0:
            return
        s, feed = self.state, self.feed
        feed.removed[rows] = True
        author = feed.author[rows]
        mistaken = ~feed.violation[rows]
        self.counters["removed"] += len(rows)
        self.counters["removed_violation"] += int((~mistaken).sum())
        self.counters["false_removals"] += int(mistaken.sum())
        np.subtract.at(s.satisfaction, author[mistaken], self.params["removal_penalty"])
        np.add.at(s.removals, author, 1)
        for rule in self.policies:
            rule.on_removal(self, author)

    def ban(self, slots: np.ndarray) -> None:
        """Remove members from the group for good."""
        slots = slots[self.state.present[slots]]
        if len(slots) == 0:
            return
        self.state.banned[slots] = True
        self.counters["bans"] += len(slots)
        self.counters["honest_banned"] += int((~self.state.ever_spammer[slots]).sum())
        self._bans += len(slots)
        self._leave(slots)

    def _leave(self, slots: np.ndarray) -> None:
        s = self.state
        s.present[slots] = False
        s.left[slots] = self.day
        for slot in slots:
            self.members[slot].remove()
        self._departures += len(slots)

    # ------------------------------------------------------------ membership
    def _update_membership(self) -> None:
        """Dissatisfied contributors lurk, dissatisfied lurkers leave, the satisfied return."""
        p, s = self.params, self.state
        u = self.rng.random((5, s.n))
        unhappy = s.satisfaction < s.standard
        strategy = s.strategy
        contributor = s.present & (strategy <= PROMOTER)
        lurk = contributor & unhappy & (u[0] < p["lurk_hazard"])
        back = s.present & (strategy == LURKER) & (s.former >= 0) & ~unhappy
        back &= u[1] < p["return_rate"]
        s.former[lurk] = strategy[lurk]
        s.strategy[lurk] = LURKER
        s.strategy[back] = s.former[back]
        s.former[back] = -1
        spam = s.present & (s.strategy == SPAMMER)
        leave = s.present & (s.strategy == LURKER) & unhappy & (u[2] < p["leave_hazard"])
        leave |= s.present & (u[3] < p["churn"])
        leave |= spam & (s.reach < p["spam_quit_reach"]) & (u[4] < p["spam_quit_rate"])
        self._leave(np.flatnonzero(leave))

    def _join(self) -> None:
        """Newcomers: honest ones follow reputation and size, spammers the audience."""
        p, s, rng = self.params, self.state, self.rng
        members = int(np.count_nonzero(s.present))
        audience = int(np.count_nonzero(s.present & (s.strategy != SPAMMER)))
        room = max(0.0, 1.0 - members / (p["market_size"] * p["n_members"]))
        appeal = (self.reputation / p["reputation_ref"]) ** p["reputation_power"]
        honest = rng.poisson(p["join_rate"] * audience * room * appeal)
        spam = rng.poisson(p["spam_join_rate"] * p["share_spammers"] * audience)
        newcomers = np.concatenate(
            [
                self._draw_honest(honest),
                np.full(spam, SPAMMER, dtype=np.int8),
            ]
        )
        self._joins = len(self._spawn(newcomers))

    def _imitate(self) -> None:
        """Norm erosion: members copy a better-paying strategy of their own kind.

        Promoters and spammers compare the reach of their promotion; sharers and
        carers compare satisfaction. A revising member meets a random member of its
        kind and switches with a probability proportional to the payoff gap.
        """
        p, s = self.params, self.state
        if p["imitation_rate"] <= 0:
            return
        revise = s.present & (self.rng.random(s.n) < p["imitation_rate"])
        for kinds, payoff, scale in (
            ((PROMOTER, SPAMMER), s.reach, p["imitation_scale"]),
            ((SHARER, CARER), s.satisfaction, p["imitation_scale"] / 10.0),
        ):
            pool = np.flatnonzero(s.present & np.isin(s.strategy, kinds))
            who = pool[revise[pool]]
            if len(who) == 0 or len(pool) < 2:
                continue
            model = pool[self.rng.integers(len(pool), size=len(who))]
            gain = (payoff[model] - payoff[who]) / scale
            switch = s.strategy[model] != s.strategy[who]
            switch &= self.rng.random(len(who)) < np.clip(gain, 0.0, 1.0)
            who, model = who[switch], model[switch]
            s.strategy[who] = s.strategy[model]
            s.ever_spammer[who] |= s.strategy[who] == SPAMMER
            self.counters["imitations"] += len(who)

    # -------------------------------------------------------------- measures
    def _measure(
        self, reader: np.ndarray, post: np.ndarray, visits: int, before: Counter[str] | None = None
    ) -> dict[str, float]:
        """Today's measures (``sim.metrics.DAILY``)."""
        s, feed = self.state, self.feed
        counts = np.bincount(s.strategy[s.present], minlength=5)
        members = int(counts.sum())
        honest = members - int(counts[SPAMMER])
        reads = len(post)
        promo = feed.kind[post] == Kind.PROMOTION
        spam = feed.by_spammer[post]
        quality = float(feed.quality[post].sum() / reads) if reads else float("nan")
        w = self.params["reputation_weight"]
        seen = quality if reads else 0.0
        self.reputation = seen if self.reputation is None else (1 - w) * self.reputation + w * seen
        company = feed.company[post]
        voice = np.where(company >= 0, company, -1 - feed.author[post])
        hhi, top3 = voice_concentration(voice)
        before = before or {}
        delta = {k: self.counters[k] - before.get(k, 0) for k in _DAY_COUNTS}
        likes = self._likes_given
        comments = self._comments_given
        per = 1.0 / max(honest, 1)
        return {
            "day": self.day,
            "members": members,
            "honest_members": honest,
            "contributors": int(counts[:3].sum()),
            "lurkers": int(counts[LURKER]),
            "sharers": int(counts[SHARER]),
            "carers": int(counts[CARER]),
            "promoters": int(counts[PROMOTER]),
            "spammers": int(counts[SPAMMER]),
            "spammer_share": counts[SPAMMER] / members if members else 0.0,
            "visits": visits,
            "posts": delta["posts"],
            "promotions": delta["promotions"],
            "reads": reads,
            "quality": quality,
            "spam_share": int(np.count_nonzero(spam)) / reads if reads else 0.0,
            "promo_share": int(np.count_nonzero(promo)) / reads if reads else 0.0,
            "engagement": (likes + comments) * per,
            "visits_per_member": visits * per,
            "likes_per_member": likes * per,
            "comments_per_member": comments * per,
            "satisfaction": _mean(s.satisfaction[s.present & (s.strategy != SPAMMER)]),
            "hhi": hhi,
            "top3_share": top3,
            "promo_reach": int(np.count_nonzero(spam)),
            "joins": self._joins,
            "departures": self._departures,
            "bans": self._bans,
            "refused": delta["refused"],
            "removed": delta["removed"],
            "false_removals": delta["false_removals"],
            "reputation": self.reputation,
        }

    # ---------------------------------------------------------------- results
    def timeseries(self) -> pd.DataFrame:
        """One row per day recorded (day 0 first), one column per daily measure."""
        return self.datacollector.get_model_vars_dataframe().reset_index(drop=True)

    def summary(self) -> dict[str, Any]:
        """The run's one-row summary (``sim.metrics.SUMMARY``)."""
        return summarize(self)


def _mean(values: np.ndarray) -> float:
    """Mean of ``values`` as a float, 0 for none (cheaper than ``ndarray.mean``)."""
    return float(values.sum() / len(values)) if len(values) else 0.0


def _relevance(member_topic: np.ndarray, post_topic: np.ndarray) -> np.ndarray:
    """How relevant a post is to a reader: 1 on the reader's interest, 0 opposite."""
    return ((1.0 + np.cos(member_topic - post_topic)) / 2.0) ** 2
