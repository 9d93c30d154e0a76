"""The group's rules, each a small object with the hook it needs.

Hooks, called by ``CommunityModel`` in the order of the day:

``on_submit(model, batch)``
    At submission; returns the mask of candidate posts that are accepted and may
    change them (a label). ``batch`` is a dict of arrays, one entry per candidate.
``ranking_likes(feed, likes)``
    The likes an engagement-ranked feed counts for each visible post.
``on_read(model, reader, post)``
    After reading, with one entry per read (reader slot, post row).
``after_reading(model)``
    Rules applied after the fact (hiding, moderation).
``on_removal(model, authors)``
    When moderators remove posts, with their authors' slots (one per removal).

The real-world rules they stand for are in ``docs/ODD.md`` (Submodels, Rules).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.feed import Feed, Kind

if TYPE_CHECKING:
    from sim.model.model import CommunityModel

__all__ = [
    "Policy",
    "GiveBeforeTake",
    "OnePostPerLink",
    "Disclosure",
    "RankingDefence",
    "Flagging",
    "Moderators",
    "Bans",
    "build_policies",
]


class Policy:
    """A rule of the group. Subclasses override the hooks they need."""

    name = "policy"

    def on_submit(self, model: CommunityModel, batch: dict[str, np.ndarray]) -> np.ndarray:
        return np.ones(len(batch["author"]), dtype=bool)

    def ranking_likes(self, feed: Feed, likes: np.ndarray) -> np.ndarray:
        return likes

    def on_read(self, model: CommunityModel, reader: np.ndarray, post: np.ndarray) -> None:
        return None

    def after_reading(self, model: CommunityModel) -> None:
        return None

    def on_removal(self, model: CommunityModel, authors: np.ndarray) -> None:
        return None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


def _detected(model: CommunityModel, breaking: np.ndarray, detection: float) -> np.ndarray:
    """Which of the rule-breaking candidates are noticed."""
    return breaking & (model.rng.random(len(breaking)) < detection)


class GiveBeforeTake(Policy):
    """A promotion needs ``ratio`` contributions since the member's last one (9:1)."""

    name = "give_before_take"

    def __init__(self, ratio: int, detection: float) -> None:
        self.ratio = ratio
        self.detection = detection

    def on_submit(self, model: CommunityModel, batch: dict[str, np.ndarray]) -> np.ndarray:
        early = (batch["kind"] == Kind.PROMOTION) & (batch["since_promo"] < self.ratio)
        batch["violation"] |= early
        return ~_detected(model, early, self.detection)


class OnePostPerLink(Policy):
    """A promotion whose link was posted before is refused."""

    name = "one_post_per_link"

    def __init__(self, detection: float) -> None:
        self.detection = detection

    def on_submit(self, model: CommunityModel, batch: dict[str, np.ndarray]) -> np.ndarray:
        return ~_detected(model, batch["repost"], self.detection)


class Disclosure(Policy):
    """Promotion must disclose the affiliation; detected hidden promotion is
    labelled (``action='label'``) or refused (``action='remove'``)."""

    name = "disclosure"

    def __init__(self, detection: float, action: str) -> None:
        self.detection = detection
        self.action = action

    def on_submit(self, model: CommunityModel, batch: dict[str, np.ndarray]) -> np.ndarray:
        hidden = (batch["kind"] == Kind.PROMOTION) & ~batch["disclosed"]
        caught = _detected(model, hidden, self.detection)
        if self.action == "remove":
            return ~caught
        batch["disclosed"] |= caught
        model.counters["labelled"] += int(caught.sum())
        return np.ones(len(caught), dtype=bool)


class RankingDefence(Policy):
    """Likes from the author's own company do not count in the ranking."""

    name = "ranking_defence"

    def ranking_likes(self, feed: Feed, likes: np.ndarray) -> np.ndarray:
        return likes - feed.rank_likes_company


class Flagging(Policy):
    """Members flag noisy promotion they read; ``threshold`` flags hide a post."""

    name = "flagging"

    def __init__(self, prob: float, threshold: int) -> None:
        self.prob = prob
        self.threshold = threshold

    def on_read(self, model: CommunityModel, reader: np.ndarray, post: np.ndarray) -> None:
        feed = model.feed
        noisy = (feed.kind[post] == Kind.PROMOTION) & (feed.offtopic[post] | ~feed.disclosed[post])
        honest_reader = model.state.strategy[reader] != model.SPAMMER
        flag = noisy & honest_reader & (model.rng.random(len(post)) < self.prob)
        np.add.at(feed.flags, post[flag], 1)

    def after_reading(self, model: CommunityModel) -> None:
        feed = model.feed
        newly = (feed.flags >= self.threshold) & ~feed.hidden & ~feed.removed
        feed.hidden |= newly
        model.counters["hidden"] += int(newly.sum())


class Moderators(Policy):
    """Moderators review up to ``capacity`` posts a day, flagged posts first.

    A reviewed rule-breaking post is removed with probability ``accuracy``; an
    honest one is removed by mistake with probability ``false_positive``.
    """

    name = "moderators"

    def __init__(self, capacity: int, accuracy: float, false_positive: float) -> None:
        self.capacity = capacity
        self.accuracy = accuracy
        self.false_positive = false_positive

    def after_reading(self, model: CommunityModel) -> None:
        feed = model.feed
        queue = np.flatnonzero(~feed.reviewed & ~feed.removed)
        if len(queue) == 0:
            return
        # Flagged posts first (most flags first), the rest in random order.
        order = np.lexsort((model.rng.random(len(queue)), -feed.flags[queue]))
        review = queue[order[: self.capacity]]
        feed.reviewed[review] = True
        model.counters["reviewed"] += len(review)
        u = model.rng.random(len(review))
        breaking = feed.violation[review]
        remove = np.where(breaking, u < self.accuracy, u < self.false_positive)
        model.remove_posts(review[remove])


class Bans(Policy):
    """A member whose posts were removed ``after`` times is banned."""

    name = "bans"

    def __init__(self, after: int) -> None:
        self.after = after

    def on_removal(self, model: CommunityModel, authors: np.ndarray) -> None:
        state = model.state
        offenders = np.unique(authors)
        offenders = offenders[state.present[offenders]]
        model.ban(offenders[state.removals[offenders] >= self.after])


def build_policies(params: dict[str, Any]) -> list[Policy]:
    """The rules switched on by resolved parameters, in the order they act."""
    p = params
    rules: list[Policy] = []
    if p["give_take_ratio"] > 0:
        rules.append(GiveBeforeTake(p["give_take_ratio"], p["rule_detection"]))
    if p["one_post_per_link"]:
        rules.append(OnePostPerLink(p["rule_detection"]))
    if p["require_disclosure"]:
        rules.append(Disclosure(p["rule_detection"], p["disclosure_action"]))
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
