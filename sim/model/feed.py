"""Posts, the feed's ranking, and which posts each visiting member reads.

Posts are stored column-wise in NumPy arrays (one row per post still in the feed);
expired posts are dropped every day, so the feed's size follows the posting rate,
not the group's history. Reading is sampled as a flat list of (reader, post) pairs
whose length is the number of reads, never readers x posts.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

__all__ = ["Kind", "Feed", "sample_reads"]


class Kind(IntEnum):
    """What a post is."""

    SHARE = 0  # relevant material with the author's commentary
    QUESTION = 1  # a comment-worthy question
    PROMOTION = 2  # the author's (or its company's) own content


_FIELDS: dict[str, type] = {
    "author": np.int64,  # member slot
    "company": np.int64,  # author's company, -1 for none
    "kind": np.int8,
    "topic": np.float64,  # angle on the circle of topics; the group's topic is 0
    "quality": np.float64,  # intrinsic quality in [0, 1]
    "link": np.int64,  # link id: a repost shares the id of the original
    "repost": np.bool_,
    "offtopic": np.bool_,
    "disclosed": np.bool_,  # affiliation disclosed (or labelled by the rules)
    "violation": np.bool_,  # breaks a rule of the founding text
    "by_spammer": np.bool_,
    "created": np.int64,  # day
    "tiebreak": np.float64,  # random order among posts of the same day
    "likes": np.int64,
    "likes_company": np.int64,  # likes from the author's own company
    "rank_likes": np.float64,  # likes as of yesterday (what ranking sees)
    "rank_comments": np.float64,
    "rank_likes_company": np.float64,
    "comments": np.int64,
    "flags": np.int64,
    "reads": np.int64,
    "hidden": np.bool_,  # hidden by member flags
    "removed": np.bool_,  # removed by moderators
    "reviewed": np.bool_,
}


class Feed:
    """The posts currently in the group's feed, as parallel arrays.

    Attributes are the arrays named in ``_FIELDS`` (and ``id``), each of length
    ``len(feed)``, row ``i`` being the same post in all of them.

    The arrays are views of a window ``[start, end)`` of larger buffers: posts are
    appended at the end, and expiry moves the start, because posts arrive in order
    of creation and so always expire from the front. A day therefore costs no
    copying of the whole feed; the buffers are compacted (and grown, so that this
    stays rare) only when the end reaches their capacity. Assigning to a column
    (``feed.rank_likes = x``) writes into its buffer.
    """

    def __init__(self, capacity: int = 256) -> None:
        columns = {**_FIELDS, "id": np.int64}
        self._buffers = {name: np.zeros(capacity, dtype=dtype) for name, dtype in columns.items()}
        self._start = self._end = 0
        self.next_id = 0
        self._refresh_views()

    def __setattr__(self, name: str, value: object) -> None:
        if name in self.__dict__.get("_buffers", ()):
            self.__dict__[name][...] = value
        else:
            super().__setattr__(name, value)

    def __len__(self) -> int:
        return self._end - self._start

    def _refresh_views(self) -> None:
        """Point every column's attribute at the rows in the feed."""
        for name, buffer in self._buffers.items():
            self.__dict__[name] = buffer[self._start : self._end]

    def add(self, **columns: np.ndarray) -> np.ndarray:
        """Append posts; columns not given start at zero. Returns their row indices."""
        n = len(next(iter(columns.values())))
        start = len(self)
        self._make_room(n)
        new = slice(self._end, self._end + n)
        for name, buffer in self._buffers.items():
            buffer[new] = columns.get(name, 0)
        self._buffers["id"][new] = np.arange(self.next_id, self.next_id + n)
        self.next_id += n
        self._end += n
        self._refresh_views()
        return np.arange(start, start + n)

    def _make_room(self, n: int) -> None:
        """Make room for ``n`` more rows after the end: compact, growing if half full."""
        capacity = len(self._buffers["id"])
        if self._end + n <= capacity:
            return
        live = len(self)
        capacity = max(capacity, 2 * (live + n))
        for name, old in self._buffers.items():
            grown = np.zeros(capacity, dtype=old.dtype)
            grown[:live] = old[self._start : self._end]
            self._buffers[name] = grown
        self._start, self._end = 0, live

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the posts where ``mask`` is true."""
        k = int(np.count_nonzero(mask))
        for buffer in self._buffers.values():
            buffer[self._start : self._start + k] = buffer[self._start : self._end][mask]
        self._end = self._start + k
        self._refresh_views()

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
        self, day: int, ranking: str, comment_weight: float, likes: np.ndarray | None = None
    ) -> np.ndarray:
        """Indices of the visible posts, best first.

        ``engagement`` ranks by (1 + likes + w x comments) / (age + 1) using the
        engagement counted up to yesterday (or the ``likes`` the rules let count), so
        the day's likes move the next day's ranking; ``chronological`` ranks newest
        first.
        """
        idx = np.flatnonzero(self.visible())
        if ranking == "chronological":
            score = self.created[idx] + self.tiebreak[idx]
        else:
            likes = self.rank_likes if likes is None else likes
            engaged = 1.0 + likes[idx] + comment_weight * self.rank_comments[idx]
            score = engaged / (day - self.created[idx] + 1.0) + 1e-6 * self.tiebreak[idx]
        return idx[np.argsort(-score, kind="stable")]

    def close_day(self) -> None:
        """Freeze today's engagement as what tomorrow's ranking sees."""
        self.rank_likes = self.likes.astype(np.float64)
        self.rank_comments = self.comments.astype(np.float64)
        self.rank_likes_company = self.likes_company.astype(np.float64)


def sample_reads(
    rng: np.random.Generator,
    ranked: np.ndarray,
    created: np.ndarray,
    day: int,
    days_away: np.ndarray,
    budget: np.ndarray,
    skip: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Sample which posts each visiting reader reads.

    A reader scrolls the ranked feed from the top, looking only at posts created
    since its last visit, reads each with probability ``1 - skip`` and stops when its
    attention ``budget`` is spent or the feed ends. Readers therefore read different
    posts with a strong bias to the top, which avoids the all-or-nothing runs of a
    strict global top-k.

    Parameters
    ----------
    rng : numpy.random.Generator
        The model's generator.
    ranked : ndarray of int
        Visible post rows, best first.
    created : ndarray of int
        Creation day of every post row.
    day : int
        Today.
    days_away : ndarray of int
        For each reader, days since its last visit (large for a first visit).
    budget : ndarray of int
        For each reader, the most posts it reads.
    skip : float
        Probability of scrolling past a post.

    Returns
    -------
    reader, post : ndarray of int
        One entry per read: the reader's position in ``days_away`` and the post row.
    """
    order = np.argsort(days_away, kind="stable")  # readers grouped by days away
    away = days_away[order]
    new_group = np.ones(len(away), dtype=bool)
    new_group[1:] = away[1:] != away[:-1]
    group = np.cumsum(new_group) - 1  # group of each reader, in ``order``
    eligible, first, n_eligible = _eligible_by_group(ranked, day - created[ranked], away[new_group])
    k = np.minimum(budget[order], n_eligible[group])
    keep = k > 0
    who, group, k = order[keep], group[keep], k[keep]
    total = int(k.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    # One geometric gap per read: the reader skips ``gap - 1`` posts before each read.
    gaps = rng.geometric(1.0 - skip, size=total) if skip > 0 else np.ones(total, int)
    run = np.cumsum(gaps)  # 1 + position of each read, counted over all readers' lists
    starts = np.cumsum(k) - k
    # Where each reader's list starts in ``run`` and in ``eligible``: the read's index in
    # ``eligible`` is its group's first post plus the posts its reader scrolled past.
    shift = run[starts] - gaps[starts] + 1 - first[group]
    index = run - np.repeat(shift, k)
    ok = index < np.repeat(first[group] + n_eligible[group], k)  # not past the list's end
    return np.repeat(who, k)[ok], eligible[index[ok]]


def _eligible_by_group(
    ranked: np.ndarray, age: np.ndarray, away: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The posts each group of readers may read, as one flat array.

    Group ``j`` (readers away for ``away[j]`` days) sees the ranked posts younger
    than ``away[j]`` days, in rank order: ``eligible[first[j] : first[j] + n[j]]``.
    Building all groups at once costs a handful of array operations instead of a
    Python loop over the groups.
    """
    mask = age[None, :] < away[:, None]
    n = mask.sum(axis=1)
    eligible = np.broadcast_to(ranked, mask.shape)[mask]
    return eligible, np.cumsum(n) - n, n
