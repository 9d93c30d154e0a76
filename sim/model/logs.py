"""Traces of a run that a researcher can analyse: every post, every comment, and every
member's course.

The member log is always available (it reads the population's arrays). The post and
reply logs cost memory in proportion to the run's posts and comments, so they are kept
only when asked for (``CommunityModel(logs=True)``): a post is archived when it leaves
the feed, and a comment when it is written, a day's worth at a time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.feed import Feed, Kind
from sim.model.membership import CAUSES
from sim.model.population import Population
from sim.model.strategies import TABLE

__all__ = ["POST_COLUMNS", "Logs", "member_log"]

POST_COLUMNS = (
    "id",
    "author",
    "company",
    "kind",
    "created",
    "quality",
    "topic",
    "offtopic",
    "by_spammer",
    "disclosed",
    "violation",
    "repost",
    "likes",
    "likes_company",
    "comments",
    "reads",
    "flags",
    "hidden",
    "removed",
)
_KINDS = np.array([k.name.lower() for k in Kind])
_STRATEGIES = np.array([b.key for b in TABLE])
_CAUSES = np.array([*CAUSES, ""])  # -1 (still present) reads as ""


class Logs:
    """The post and reply logs of one run, kept in daily chunks."""

    def __init__(self) -> None:
        self._posts: list[dict[str, np.ndarray]] = []
        self._replies: list[dict[str, np.ndarray]] = []

    def archive(self, feed: Feed, rows: np.ndarray) -> None:
        """Keep the final state of posts about to leave the feed (the warm-up's excepted)."""
        rows = rows[feed.created[rows] > 0]
        if len(rows):
            self._posts.append({c: getattr(feed, c)[rows].copy() for c in POST_COLUMNS})

    def replies(
        self, day: int, commenter: np.ndarray, post_id: np.ndarray, author: np.ndarray
    ) -> None:
        """Keep the day's comments: who answered whom, on which post (after the warm-up)."""
        if len(commenter) and day > 0:
            self._replies.append(
                {
                    "day": np.full(len(commenter), day),
                    "commenter": commenter.copy(),
                    "author": author.copy(),
                    "post": post_id.copy(),
                }
            )

    def post_frame(self, feed: Feed) -> pd.DataFrame:
        """One row per post published since day 0: the archived ones and those still in
        the feed, in order of publication."""
        live = {c: getattr(feed, c).copy() for c in POST_COLUMNS}
        chunks = [*self._posts, live]
        data = {c: np.concatenate([chunk[c] for chunk in chunks]) for c in POST_COLUMNS}
        frame = pd.DataFrame(data)
        frame = frame[frame["created"] > 0].sort_values("id", kind="stable")
        frame["kind"] = _KINDS[frame["kind"].to_numpy()]
        return frame.rename(columns={"id": "post", "created": "day"}).reset_index(drop=True)

    def reply_frame(self) -> pd.DataFrame:
        """One row per comment: day, commenter, the post's author and the post."""
        columns = ("day", "commenter", "author", "post")
        if not self._replies:
            return pd.DataFrame({c: pd.Series([], dtype="int64") for c in columns})
        return pd.DataFrame({c: np.concatenate([r[c] for r in self._replies]) for c in columns})


def member_log(state: Population) -> pd.DataFrame:
    """One row per member who was ever in the group (slot order): when it joined and
    left and why, its strategy on joining and now, its traits, its first post and the
    day its posts were first answered (-1: never), and its ledger."""
    s = state
    return pd.DataFrame(
        {
            "member": np.arange(s.n),
            "joined": s.joined,
            "left": s.left,
            "cause": _CAUSES[s.cause],
            "present": s.present,
            "initial_strategy": _STRATEGIES[s.initial],
            "strategy": _STRATEGIES[s.strategy],
            "ever_spammer": s.ever_spammer,
            "standard": s.standard,
            "skill": s.skill,
            "aware": s.aware,
            "first_post": s.first_post,
            "first_reply": s.first_reply,
            "posts": s.posts,
            "contributions": s.contributions,
            "promotions": s.promotions,
            "removals": s.removals,
            "banned": s.banned,
        }
    )
