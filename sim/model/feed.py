"""Posts and the feed's ranking.

Posts are stored column-wise (one row per post still in the feed); expired posts
are dropped every day, so the feed's size follows the posting rate, not the group's
history.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

import numpy as np

from sim.model import sorting
from sim.model.columns import Columns

__all__ = ["Feed", "Kind", "ranked_loop", "stable_argsort"]


def stable_argsort(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")``, from NumPy's faster unstable sort.

    The unstable sort (vectorised where the CPU allows) leaves only the order within
    runs of equal keys open; sorting each such run by position restores the stable
    order exactly. Equal scores are rare, so the runs cost next to nothing.
    """
    order = np.argsort(key)
    ordered = key[order]  # one random gather, then neighbours compared in memory order
    tied = np.flatnonzero(ordered[1:] == ordered[:-1])
    if len(tied):
        # a run of equal keys spans order[a : b + 1] for consecutive tied positions
        breaks = np.flatnonzero(np.diff(tied) > 1)
        starts = tied[np.r_[0, breaks + 1]]
        ends = tied[np.r_[breaks, len(tied) - 1]] + 2
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            order[a:b] = np.sort(order[a:b])
    return order


def ranked_loop(  # type: ignore[no-untyped-def]
    hidden, removed, created, tiebreak, likes, comments, day, comment_weight, chronological
):
    """``Feed.ranked`` in loops, for Numba: each visible post's score in the same
    arithmetic (no fused multiply-add, the same order of operations), then a stable sort
    of the negated scores, which is the order ``stable_argsort`` gives: a merge sort
    (Numba's) for a short feed, a radix sort (``sim.model.sorting``) for a long one,
    whose cost a post does not grow with the feed."""
    n = len(created)
    visible = np.empty(n, np.int64)
    m = 0
    for i in range(n):
        if not (hidden[i] or removed[i]):
            visible[m] = i
            m += 1
    key = np.empty(m)
    for j in range(m):
        i = visible[j]
        if chronological:
            key[j] = -(created[i] + tiebreak[i])
        else:
            engaged = 1.0 + likes[i] + comment_weight * comments[i]
            key[j] = -(engaged / (day - created[i] + 1.0) + 1e-6 * tiebreak[i])
    if m < sorting.RADIX_FROM:
        order = np.argsort(key, kind="mergesort")
    else:
        order = sorting.radix_argsort(key)
    if m < n:  # else every post is visible: its place is its row
        for j in range(m):
            order[j] = visible[order[j]]
    return order


class Kind(IntEnum):
    """What a post is."""

    SHARE = 0  # relevant material with the author's commentary
    QUESTION = 1  # a comment-worthy question
    PROMOTION = 2  # the author's (or its company's) own content


class Feed(Columns):
    """The posts currently in the group's feed, as parallel arrays.

    Attributes are the columns named in ``FIELDS``, each of length ``len(feed)``,
    row ``i`` being the same post in all of them. Posts arrive in order of creation
    and so always expire from the front: expiry moves the start of the rows in use,
    and a day costs no copying of the whole feed.
    """

    FIELDS = {
        "id": (np.int64, 0),  # unique over the run, in order of publication
        "author": (np.int64, 0),  # member slot
        "company": (np.int64, 0),  # author's company, -1 for none
        "kind": (np.int8, 0),
        "topic": (np.float64, 0.0),  # angle on the circle of topics; the group's topic is 0
        "quality": (np.float64, 0.0),  # intrinsic quality in [0, 1]
        "link": (np.int64, 0),  # link id: a repost shares the id of the original
        "repost": (np.bool_, False),
        "offtopic": (np.bool_, False),
        "disclosed": (np.bool_, False),  # affiliation disclosed (or labelled by the rules)
        "violation": (np.bool_, False),  # breaks a rule of the founding text
        "by_spammer": (np.bool_, False),
        "created": (np.int64, 0),  # day
        "tiebreak": (np.float64, 0.0),  # random order among posts of the same day
        "likes": (np.int64, 0),
        "likes_company": (np.int64, 0),  # likes from the author's own company
        "rank_likes": (np.float64, 0.0),  # likes as of yesterday (what ranking sees)
        "rank_comments": (np.float64, 0.0),
        "rank_likes_company": (np.float64, 0.0),
        "comments": (np.int64, 0),
        "flags": (np.int64, 0),
        "reads": (np.int64, 0),
        "hidden": (np.bool_, False),  # hidden by member flags
        "removed": (np.bool_, False),  # removed by moderators
        "reviewed": (np.bool_, False),
    }

    def __init__(self, capacity: int = 256) -> None:
        super().__init__(capacity)
        self.next_id = 0

    def add(self, **columns: np.ndarray) -> np.ndarray:
        """Publish posts (they get the next ids); returns their rows."""
        n = len(next(iter(columns.values())))
        columns["id"] = np.arange(self.next_id, self.next_id + n)
        self.next_id += n
        return self._append(columns)

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the posts where ``mask`` is true."""
        k = int(np.count_nonzero(mask))
        for buffer in self._buffers.values():
            buffer[self._start : self._start + k] = buffer[self._start : self._end][mask]
        self._truncate(self._start + k)

    def expire(self, day: int, lifetime: int) -> None:
        """Drop posts older than ``lifetime`` days."""
        old = self.created <= day - lifetime
        k = int(np.count_nonzero(old))
        if k == 0:
            return
        if old[:k].all():  # the oldest posts come first: move the start past them
            self._start += k
            self._refresh_views()
        else:
            self.keep(~old)

    def visible(self) -> np.ndarray:
        """Mask of posts that readers can see (not hidden, not removed)."""
        return ~(self.hidden | self.removed)

    def ranked(
        self,
        day: int,
        ranking: str,
        comment_weight: float,
        likes: np.ndarray | None = None,
        loop: Callable[..., np.ndarray] | None = None,
    ) -> np.ndarray:
        """Indices of the visible posts, best first.

        ``engagement`` ranks by (1 + likes + w x comments) / (age + 1) using the
        engagement counted up to yesterday (or the ``likes`` the rules let count), so
        the day's likes move the next day's ranking; ``chronological`` ranks newest
        first. ``loop``: ``ranked_loop`` compiled (``sim.model.kernels``), which gives
        the same order.
        """
        likes = self.rank_likes if likes is None else likes
        if loop is not None:
            chronological = ranking == "chronological"
            args = (self.created, self.tiebreak, likes, self.rank_comments, day, comment_weight)
            return loop(self.hidden, self.removed, *args, chronological)
        idx = np.flatnonzero(self.visible())
        whole = len(idx) == len(self)  # nothing hidden: the columns as they are, no copies
        created = self.created if whole else self.created[idx]
        tiebreak = self.tiebreak if whole else self.tiebreak[idx]
        if ranking == "chronological":
            score = created + tiebreak
        else:
            comments = self.rank_comments
            if not whole:
                likes, comments = likes[idx], comments[idx]
            engaged = 1.0 + likes + comment_weight * comments
            score = engaged / (day - created + 1.0) + 1e-6 * tiebreak
        order = stable_argsort(-score)
        return order if whole else idx[order]

    def close_day(self) -> None:
        """Freeze today's engagement as what tomorrow's ranking sees (counts copied into
        the float columns in one pass each, without a converted copy in between)."""
        np.copyto(self.rank_likes, self.likes)
        np.copyto(self.rank_comments, self.comments)
        np.copyto(self.rank_likes_company, self.likes_company)
