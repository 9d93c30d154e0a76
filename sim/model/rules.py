"""The group's rules: each reads a narrow view of the day and returns decisions.

A rule never changes the group itself; ``CommunityModel`` applies what the rules
decide, in one place, in the order of the day (``docs/ODD.md``, Submodels, Rules).
Every rule sees the same view, so the order in which rules are listed changes
nothing but the order of their random draws.

Hooks (a rule overrides those it needs):

``at_submission(posts, rng) -> Verdict``
    The candidate posts of the day (a mapping of arrays, one entry per candidate:
    ``kind``, ``repost``, ``disclosed``, ``since_promo``...): which to refuse,
    which break a rule, which to label as promotion.
``ranking_likes(feed, likes) -> likes``
    The likes an engagement-ranked feed counts for each post.
``flags(reads, rng) -> mask``
    After reading, one entry per read: which reads end in a flag.
``after_reading(feed, rng) -> Actions``
    Rules applied after the fact: posts to hide, to review, to remove.
``bans(removed_authors, removals, present) -> slots``
    After removals: members to ban.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.model.feed import Feed, Kind

__all__ = [
    "Actions",
    "Bans",
    "Disclosure",
    "Flagging",
    "GiveBeforeTake",
    "Moderators",
    "OffTopicRemoval",
    "OnePostPerLink",
    "RankingDefence",
    "Reads",
    "Rule",
    "Verdict",
    "build_rules",
]

_NONE = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Verdict:
    """What one rule decides about the day's candidate posts (one entry per candidate)."""

    refuse: np.ndarray
    breaks: np.ndarray | None = None  # marked as breaking the founding text's rules
    label: np.ndarray | None = None  # labelled as promotion (affiliation shown)


@dataclass(frozen=True)
class Reads:
    """The day's reads, one entry per read: who read (slot, honest or not) and which post."""

    reader: np.ndarray
    post: np.ndarray
    honest_reader: np.ndarray


@dataclass(frozen=True)
class Actions:
    """Post rows a rule acts on after reading."""

    hide: np.ndarray = field(default_factory=lambda: _NONE)
    review: np.ndarray = field(default_factory=lambda: _NONE)
    remove: np.ndarray = field(default_factory=lambda: _NONE)


class Rule:
    """A rule of the group. Subclasses override the hooks they need."""

    name = "rule"

    def at_submission(self, posts: Mapping[str, np.ndarray], rng: np.random.Generator) -> Verdict:
        return Verdict(refuse=np.zeros(len(posts["author"]), dtype=bool))

    def ranking_likes(self, feed: Feed, likes: np.ndarray) -> np.ndarray:
        return likes

    def flags(self, feed: Feed, reads: Reads, rng: np.random.Generator) -> np.ndarray | None:
        return None

    def after_reading(self, feed: Feed, rng: np.random.Generator) -> Actions | None:
        return None

    def bans(
        self, removed_authors: np.ndarray, removals: np.ndarray, present: np.ndarray
    ) -> np.ndarray | None:
        return None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


def _noticed(rng: np.random.Generator, breaking: np.ndarray, detection: float) -> np.ndarray:
    """Which of the rule-breaking candidates are noticed (volunteers miss some)."""
    return breaking & (rng.random(len(breaking)) < detection)


class GiveBeforeTake(Rule):
    """A promotion needs ``ratio`` contributions since the member's last one (9:1)."""

    name = "give_before_take"

    def __init__(self, ratio: int, detection: float) -> None:
        self.ratio = ratio
        self.detection = detection

    def at_submission(self, posts: Mapping[str, np.ndarray], rng: np.random.Generator) -> Verdict:
        early = (posts["kind"] == Kind.PROMOTION) & (posts["since_promo"] < self.ratio)
        return Verdict(refuse=_noticed(rng, early, self.detection), breaks=early)


class OnePostPerLink(Rule):
    """A promotion whose link was posted before is refused."""

    name = "one_post_per_link"

    def __init__(self, detection: float) -> None:
        self.detection = detection

    def at_submission(self, posts: Mapping[str, np.ndarray], rng: np.random.Generator) -> Verdict:
        return Verdict(refuse=_noticed(rng, posts["repost"], self.detection))


class Disclosure(Rule):
    """Promotion must disclose the affiliation; detected hidden promotion is
    labelled (``action='label'``) or refused (``action='remove'``)."""

    name = "disclosure"

    def __init__(self, detection: float, action: str) -> None:
        self.detection = detection
        self.action = action

    def at_submission(self, posts: Mapping[str, np.ndarray], rng: np.random.Generator) -> Verdict:
        hidden = (posts["kind"] == Kind.PROMOTION) & ~posts["disclosed"]
        caught = _noticed(rng, hidden, self.detection)
        if self.action == "remove":
            return Verdict(refuse=caught)
        return Verdict(refuse=np.zeros(len(caught), dtype=bool), label=caught)


class OffTopicRemoval(Rule):
    """The group's topic is the rule: off-topic posts are refused when noticed."""

    name = "offtopic_removal"

    def __init__(self, detection: float) -> None:
        self.detection = detection

    def at_submission(self, posts: Mapping[str, np.ndarray], rng: np.random.Generator) -> Verdict:
        offtopic = posts["offtopic"]
        return Verdict(refuse=_noticed(rng, offtopic, self.detection), breaks=offtopic)


class RankingDefence(Rule):
    """Likes from the author's own company do not count in the ranking."""

    name = "ranking_defence"

    def ranking_likes(self, feed: Feed, likes: np.ndarray) -> np.ndarray:
        return likes - feed.rank_likes_company


class Flagging(Rule):
    """Members flag noisy promotion they read; ``threshold`` flags hide a post."""

    name = "flagging"

    def __init__(self, prob: float, threshold: int) -> None:
        self.prob = prob
        self.threshold = threshold

    def flags(self, feed: Feed, reads: Reads, rng: np.random.Generator) -> np.ndarray:
        post = reads.post
        noisy = (feed.kind[post] == Kind.PROMOTION) & (feed.offtopic[post] | ~feed.disclosed[post])
        return noisy & reads.honest_reader & (rng.random(len(post)) < self.prob)

    def after_reading(self, feed: Feed, rng: np.random.Generator) -> Actions:
        newly = (feed.flags >= self.threshold) & ~feed.hidden & ~feed.removed
        return Actions(hide=np.flatnonzero(newly))


class Moderators(Rule):
    """Moderators review up to ``capacity`` posts a day, flagged posts first.

    A reviewed rule-breaking post is removed with probability ``accuracy``; an
    honest one is removed by mistake with probability ``false_positive``.
    """

    name = "moderators"

    def __init__(self, capacity: int, accuracy: float, false_positive: float) -> None:
        self.capacity = capacity
        self.accuracy = accuracy
        self.false_positive = false_positive

    def after_reading(self, feed: Feed, rng: np.random.Generator) -> Actions | None:
        queue = np.flatnonzero(~feed.reviewed & ~feed.removed)
        if len(queue) == 0:
            return None
        # Flagged posts first (most flags first), the rest in random order.
        order = np.lexsort((rng.random(len(queue)), -feed.flags[queue]))
        review = queue[order[: self.capacity]]
        u = rng.random(len(review))
        breaking = feed.violation[review]
        remove = np.where(breaking, u < self.accuracy, u < self.false_positive)
        return Actions(review=review, remove=review[remove])


class Bans(Rule):
    """A member whose posts were removed ``after`` times is banned."""

    name = "bans"

    def __init__(self, after: int) -> None:
        self.after = after

    def bans(
        self, removed_authors: np.ndarray, removals: np.ndarray, present: np.ndarray
    ) -> np.ndarray:
        offenders = np.unique(removed_authors)
        offenders = offenders[present[offenders]]
        return offenders[removals[offenders] >= self.after]


def build_rules(params: dict[str, Any]) -> list[Rule]:
    """The rules switched on by resolved parameters, in the order they act."""
    p = params
    rules: list[Rule] = []
    if p["give_take_ratio"] > 0:
        rules.append(GiveBeforeTake(p["give_take_ratio"], p["rule_detection"]))
    if p["one_post_per_link"]:
        rules.append(OnePostPerLink(p["rule_detection"]))
    if p["require_disclosure"]:
        rules.append(Disclosure(p["rule_detection"], p["disclosure_action"]))
    if p["remove_offtopic"]:
        rules.append(OffTopicRemoval(p["rule_detection"]))
    if p["discount_company_likes"]:
        rules.append(RankingDefence())
    if p["flagging"]:
        rules.append(Flagging(p["flag_prob"], p["flag_threshold"]))
    if p["moderator_capacity"] > 0:
        rules.append(
            Moderators(p["moderator_capacity"], p["moderator_accuracy"], p["false_positive"])
        )
    if p["ban_after"] > 0:
        rules.append(Bans(p["ban_after"]))
    return rules
