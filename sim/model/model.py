"""CommunityModel: a discussion group whose members share, care, promote or spam.

One step is one day; ``step`` lists the day's sub-steps in the order of
``docs/ODD.md`` ("Process overview"). The per-member arithmetic is NumPy over the
arrays of ``Population`` and ``Feed``; Python-level work per day is proportional to
events (joins, departures), never to members x posts.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim.model import allocator, budget, kernels, posting, visits
from sim.model.agents import Roster
from sim.model.clock import run_days
from sim.model.collector import DailyCollector
from sim.model.companies import Companies
from sim.model.constants import INITIAL_QUALITY_DAYS
from sim.model.draws import DrawBuffer
from sim.model.events import DayEvents
from sim.model.feed import Feed
from sim.model.logs import Logs, member_log
from sim.model.membership import (
    BANNED,
    CHANGES,
    draw_honest,
    founders,
    imitate,
    newcomer_counts,
    newcomer_traits,
    who_leaves,
)
from sim.model.metrics import DAILY, measure_day, summarize
from sim.model.params import from_scenario, resolve
from sim.model.population import Population
from sim.model.reading import read_day
from sim.model.rules import Reads, Rule, build_rules
from sim.model.strategies import HONEST, SPAMMER

__all__ = ["CommunityModel", "DailyCollector"]


class CommunityModel(mesa.Model):
    """A professional discussion group, one step per day.

    Parameters
    ----------
    rng : int or numpy.random.Generator, optional
        Seed of the model's random generator; one seed gives one result.
    scenario : mesa.experimental.scenarios.Scenario, optional
        Parameters (and ``rng``) as a Mesa scenario, checked like keyword parameters;
        a parameter given both ways must have the same value. SolaraViz's default
        scenario (no parameters, no ``rng``) changes nothing.
    **params
        Model parameters by name (``sim params`` lists them); the rest take their
        defaults. Unknown names, wrong types, values out of bounds and strategy
        shares that sum past 1 raise ``sim.model.params.ParamError``.

    Attributes
    ----------
    params : dict
        Every parameter value in force (preset applied).
    state : Population
        Member state arrays, indexed by slot.
    feed : Feed
        Posts currently in the feed.
    rules : list of Rule
        The rules switched on.
    events : DayEvents
        What happened on the last day simulated.
    today : dict
        The measures of the last day simulated (see ``sim.model.metrics.DAILY``).
    """

    def __init__(
        self,
        rng: int | np.random.Generator | None = None,
        scenario: Any = None,
        logs: bool = False,
        **params: Any,
    ) -> None:
        if scenario is not None:
            rng, params = from_scenario(scenario, rng, params)
        values = resolve(params)
        super().__init__(rng=rng)
        if scenario is not None:
            self.scenario = scenario
        self.seed = int(rng) if isinstance(rng, (int, np.integer)) else None
        self.params = values
        with allocator.small_pages(values["n_members"]):  # a large group's first touches
            self.state = Population(capacity=int(values["n_members"] * 1.25) + 16)
            self.feed = Feed()
            self.rules = build_rules(values)
            self.kernels = kernels.select(values["n_members"], self.rng)
            allocator.keep_freed_memory(values["n_members"])  # large groups: process-wide
            self._flagging = any(type(rule).flags is not Rule.flags for rule in self.rules)
            self.companies = Companies()
            self.draws = DrawBuffer(self.kernels.fill)
            self.roster = Roster(self, self.state)
            self.day = -values["warmup"]
            self.reputation: float | None = None
            self.events = DayEvents()
            self.today: dict[str, float] = {}
            self.logs = Logs() if logs else None
            self._add_members(founders(self.rng, values), founding=True)
            self._warm_up()
        self.datacollector = DailyCollector()
        self.datacollector.collect(self)
        self.running = True

    # -------------------------------------------------------------------- a day
    def step(self) -> None:
        """Advance the group by one day."""
        self.day += 1
        self._day(warm=False)
        self.datacollector.collect(self)

    def run(self, days: int) -> CommunityModel:
        """Run ``days`` days; returns the model for chaining. The same as ``days`` calls
        of ``step()``, without an event of Mesa's clock for each day when nothing else is
        scheduled meanwhile (``sim.model.clock``)."""
        run_days(self, days, type(self).step)
        return self

    def _day(self, warm: bool) -> None:
        """The day's sub-steps, in the ODD's order. The warm-up freezes membership and
        keeps spammers idle: nothing after the fact, nobody joins or leaves."""
        events = self.events = DayEvents()
        self._expire_posts()
        visitors = self._visit(warm, events)
        self._submit(self._write(visitors), events)
        self._read(visitors, self.ranked_feed(), events)
        self._flag(events)
        if not warm:
            self._enforce_rules(events)
            self._lurk_return_leave(events)
            self._join(events)
            events.imitations = imitate(self.rng, self.state, self.params)
        self.feed.close_day()
        self._update_reputation(events)
        if warm and self.day < -1:  # the warm-up needs only these until its last day
            quality = events.quality_read
            self.today = {"members": int(np.count_nonzero(self.state.present)), "quality": quality}
        else:
            self.today = measure_day(
                self.day, events, self.state, self.feed, self.reputation, self.kernels.tally
            )

    def _warm_up(self) -> None:
        """Give the feed a history: honest members only, membership frozen."""
        qualities = []
        for day in range(-self.params["warmup"], 0):
            self.day = day
            self._day(warm=True)
            qualities.append(self.today["quality"])
        self.day = 0
        recent = np.array(qualities[-INITIAL_QUALITY_DAYS:], dtype=float)
        recent = recent[np.isfinite(recent)]
        self.initial_quality = float(recent.mean()) if len(recent) else 0.0
        for name in ("posts", "contributions", "promotions", "removals"):
            getattr(self.state, name)[:] = 0
        self.state.first_post[:] = -1
        self.state.first_reply[:] = -1
        if self.reputation is None:  # no warm-up: a new group starts at the reference
            self.reputation = self.params["reputation_ref"]
            self.today = measure_day(0, self.events, self.state, self.feed, self.reputation)
        # Day 0 is the state after the warm-up: its measures are the warm-up's last
        # day's, with the quality of its last days (what the group starts from).
        self.today = {**self.today, "day": 0, "quality": self.initial_quality}

    # ----------------------------------------------------------- the sub-steps
    def _expire_posts(self) -> None:
        """Posts older than their lifetime leave the feed (to the post log, if kept)."""
        feed, lifetime = self.feed, self.params["post_lifetime"]
        if self.logs is not None:
            self.logs.archive(feed, np.flatnonzero(feed.created <= self.day - lifetime))
        feed.expire(self.day, lifetime)

    def _visit(self, warm: bool, events: DayEvents) -> np.ndarray:
        """Slots of today's visitors; satisfaction drives honest members' visits
        (``sim.model.visits.visit``, or its compiled form: the same results)."""
        visit = self.kernels.visit or visits.visit
        visitors, events.honest_visits = visit(self.rng, self.draws, self.params, self.state, warm)
        events.visits = len(visitors)
        return visitors

    def _write(self, visitors: np.ndarray) -> dict[str, np.ndarray]:
        """What today's visitors write, by strategy (candidates until the rules see them):
        ``sim.model.posting.write_posts``, or its compiled form (the same results)."""
        write = self.kernels.write_posts or posting.write_posts
        return write(self.rng, self.state, self.params, visitors, self.companies, len(self.feed))

    def _submit(self, batch: dict[str, np.ndarray], events: DayEvents) -> None:
        """Rules at submission decide; publish what they accept and colleagues like it:
        ``sim.model.posting.publish``, or its compiled form (the same results)."""
        n = len(batch["author"])
        refused = np.zeros(n, dtype=bool)
        labelled = np.zeros(n, dtype=bool)
        for verdict in [rule.at_submission(batch, self.rng) for rule in self.rules]:
            refused |= verdict.refuse
            if verdict.breaks is not None:
                batch["violation"] |= verdict.breaks
            if verdict.label is not None:
                labelled |= verdict.label
        batch["disclosed"] |= labelled
        publish = self.kernels.publish or posting.publish
        args = (self.rng, self.state, self.feed, self.companies, self.params, self.day)
        publish(*args, batch, refused, labelled, events)

    def ranked_feed(self) -> np.ndarray:
        """Rows of the visible posts in the order the feed shows them today, best first.

        Engagement ranking counts the likes the rules let count (see ``RankingDefence``).
        """
        p, feed = self.params, self.feed
        likes = feed.rank_likes
        for rule in self.rules:
            likes = rule.ranking_likes(feed, likes)
        rank = self.kernels.ranked
        return feed.ranked(self.day, p["feed_ranking"], p["comment_weight"], likes, rank)

    def _read(self, visitors: np.ndarray, ranked: np.ndarray, events: DayEvents) -> None:
        """Honest visitors read their feeds and react (``sim.model.reading.read_day``,
        or its compiled form: the same results)."""
        read = self.kernels.read_day or read_day
        members = self.today.get("members", self.state.n)
        read(
            self.rng,
            self.params,
            self.state,
            self.feed,
            self.kernels,
            self.day,
            visitors,
            ranked,
            members,
            events,
            self.logs,
        )

    def _flag(self, events: DayEvents) -> None:
        """Readers flag noise where the rules let them."""
        if not self._flagging:
            return
        honest = HONEST[self.state.strategy[events.reader]]
        reads = Reads(reader=events.reader, post=events.post, honest_reader=honest)
        for rule in self.rules:
            flagged = rule.flags(self.feed, reads, self.rng)
            if flagged is not None:
                np.add.at(self.feed.flags, reads.post[flagged], 1)
                events.flags += int(np.count_nonzero(flagged))

    def _enforce_rules(self, events: DayEvents) -> None:
        """Rules after the fact decide; hide, review and remove what they say."""
        feed = self.feed
        for rule in self.rules:
            actions = rule.after_reading(feed, self.rng)
            if actions is None:
                continue
            feed.hidden[actions.hide] = True
            feed.reviewed[actions.review] = True
            events.hidden += len(actions.hide)
            events.reviewed += len(actions.review)
            self._remove(actions.remove, events)

    def _remove(self, rows: np.ndarray, events: DayEvents) -> None:
        """Remove posts: it costs their honest authors satisfaction and teaches them the
        rules; the rules may ban."""
        if len(rows) == 0:
            return
        s, feed = self.state, self.feed
        feed.removed[rows] = True
        author = feed.author[rows]
        mistaken = ~feed.violation[rows]
        events.removed += len(rows)
        events.removed_violations += int(np.count_nonzero(~mistaken))
        events.removed_spam += int(np.count_nonzero(feed.by_spammer[rows]))
        events.false_removals += int(np.count_nonzero(mistaken))
        honest = author[~feed.by_spammer[rows]]
        np.subtract.at(s.satisfaction, honest, self.params["removal_penalty"])
        (self.kernels.refresh or visits.refresh)(self.params, s, honest)
        s.aware[author] = True
        np.add.at(s.removals, author, 1)
        for rule in self.rules:
            banned = rule.bans(author, s.removals, s.present)
            if banned is not None:
                self._ban(banned, events)

    def _ban(self, slots: np.ndarray, events: DayEvents) -> None:
        """Remove members from the group for good."""
        s = self.state
        slots = slots[s.present[slots]]
        if len(slots) == 0:
            return
        s.banned[slots] = True
        events.bans += len(slots)
        events.honest_banned += int(np.count_nonzero(~s.ever_spammer[slots]))
        self._leave(slots, np.full(len(slots), BANNED, dtype=np.int8), events)

    def _leave(self, slots: np.ndarray, cause: np.ndarray, events: DayEvents) -> None:
        s = self.state
        s.present[slots] = False
        s.left[slots] = self.day
        s.cause[slots] = cause
        events.honest_departures += int(np.count_nonzero(HONEST[s.strategy[slots]]))
        self.roster.left(slots)
        events.departures += len(slots)

    def _lurk_return_leave(self, events: DayEvents) -> None:
        """Dissatisfied contributors lurk, dissatisfied lurkers leave, the satisfied return."""
        blocks = self.draws.columns(self.rng, len(CHANGES), self.state.n)
        self._leave(*who_leaves(blocks, self.state, self.params, self.kernels.leaves), events)

    def _join(self, events: DayEvents) -> None:
        """Newcomers: honest ones follow reputation and size, spammers the audience
        (``sim.model.membership``'s functions, or their compiled forms)."""
        assert self.reputation is not None
        count = self.kernels.newcomer_counts or newcomer_counts
        honest, spam = count(self.rng, self.state, self.params, self.reputation)
        newcomers = np.concatenate(
            [draw_honest(self.rng, self.params, honest), np.full(spam, SPAMMER, dtype=np.int8)]
        )
        events.joins = len(self._add_members(newcomers))
        events.spam_joins = spam

    def _update_reputation(self, events: DayEvents) -> None:
        """The group's reputation: a moving average of the quality its members read."""
        seen = events.quality_read if len(events.post) else 0.0
        w = self.params["reputation_weight"]
        self.reputation = seen if self.reputation is None else (1 - w) * self.reputation + w * seen

    def _add_members(self, strategies: np.ndarray, founding: bool = False) -> np.ndarray:
        """Members join with the given strategies; returns their slots."""
        k = len(strategies)
        if k == 0:
            return np.zeros(0, dtype=np.int64)
        budget.check(self.params["memory_limit"], self.state.n + k, len(self.feed))
        draw = self.kernels.newcomer_traits or newcomer_traits
        traits = draw(self.rng, self.params, strategies, founding)
        assign = self.kernels.assign or Companies.assign
        company = assign(self.companies, strategies, self.state, self.params["ring_size"])
        slots = self.state.add(
            present=np.ones(k, bool), company=company, joined=np.full(k, self.day), **traits
        )
        (self.kernels.refresh or visits.refresh)(self.params, self.state, slots)
        return slots

    # ------------------------------------------------------------------ agents
    @property
    def agents(self) -> mesa.agent.AgentSet:
        """Mesa's set of agents: one ``Member`` per member present, in order of joining."""
        roster = self.__dict__.get("roster")
        if roster is not None:
            roster.sync()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, mesa.agent.AgentSet]:
        """Mesa's agents by type (members only), up to date like ``agents``."""
        self.agents  # noqa: B018 - brings the agents up to date
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """Mesa's agent types (``Member`` once there are members)."""
        return list(self.agents_by_type)

    # ---------------------------------------------------------------- results
    def timeseries(self) -> pd.DataFrame:
        """One row per day recorded (day 0 first), one column per daily measure."""
        columns = self.datacollector.model_vars  # the daily measures, not added reporters
        # as arrays first: pandas infers the same dtypes from lists, several times slower
        return pd.DataFrame({name: np.asarray(columns[name]) for name in DAILY})

    def post_log(self) -> pd.DataFrame:
        """One row per post published since day 0 (``sim.model.logs``); needs ``logs=True``."""
        return self._logs().post_frame(self.feed)

    def reply_log(self) -> pd.DataFrame:
        """One row per comment written since day 0; needs ``logs=True``."""
        return self._logs().reply_frame()

    def member_log(self) -> pd.DataFrame:
        """One row per member who was ever in the group: joined, left and why, traits."""
        return member_log(self.state)

    def _logs(self) -> Logs:
        if self.logs is None:
            raise ValueError("this run kept no post log: create the model with logs=True")
        return self.logs

    def summary(self) -> dict[str, Any]:
        """The run's one-row summary (``sim.model.metrics.SUMMARY``)."""
        columns = self.datacollector.model_vars  # the daily measures: no frame built
        return summarize(columns, self.state, self.params, self.seed, self.initial_quality)
