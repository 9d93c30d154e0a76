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

    Attributes are the arrays named in ``_FIELDS``, each of length ``len(feed)``.
    """

    def __init__(self) -> None:
        for name, dtype in _FIELDS.items():
            setattr(self, name, np.zeros(0, dtype=dtype))
        self.next_id = 0
        self.id = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.id)

    def add(self, **columns: np.ndarray) -> np.ndarray:
        """Append posts; columns not given start at zero. Returns their row indices."""
        n = len(next(iter(columns.values())))
        start = len(self)
        for name, dtype in _FIELDS.items():
            new = columns.get(name)
            new = np.zeros(n, dtype=dtype) if new is None else np.asarray(new, dtype=dtype)
            setattr(self, name, np.concatenate([getattr(self, name), new]))
        self.id = np.concatenate([self.id, np.arange(self.next_id, self.next_id + n)])
        self.next_id += n
        return np.arange(start, start + n)

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the posts where ``mask`` is true."""
        for name in (*_FIELDS, "id"):
            setattr(self, name, getattr(self, name)[mask])

    def expire(self, day: int, lifetime: int) -> None:
        """Drop posts older than ``lifetime`` days."""
        if len(self):
            self.keep(self.created > day - lifetime)

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
    readers_out, posts_out = [], []
    age = day - created[ranked]
    for away in np.unique(days_away):
        eligible = ranked[age < away]
        if len(eligible) == 0:
            continue
        who = np.flatnonzero(days_away == away)
        k = np.minimum(budget[who], len(eligible))
        total = int(k.sum())
        if total == 0:
            continue
        gaps = rng.geometric(1.0 - skip, size=total) if skip > 0 else np.ones(total, int)
        run = np.cumsum(gaps)
        ends = np.cumsum(k)
        starts = ends - k
        offset = np.repeat(run[starts] - gaps[starts], k)
        pos = run - offset - 1
        reader = np.repeat(who, k)
        ok = pos < len(eligible)
        readers_out.append(reader[ok])
        posts_out.append(eligible[pos[ok]])
    if not readers_out:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(readers_out), np.concatenate(posts_out)
