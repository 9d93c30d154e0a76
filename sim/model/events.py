"""The day's events: one record of everything that happened today, from which the
daily measures are computed (``sim.model.metrics``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["DayEvents"]


def _none() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


@dataclass
class DayEvents:
    """Counts of the day's events, and its reads (one entry per read).

    Every count is reported as a daily measure of the same name.
    """

    visits: int = 0
    honest_visits: int = 0
    posts: int = 0  # published
    honest_posts: int = 0
    promotions: int = 0  # published, ethical and spam
    legit_promotions: int = 0  # ethical promoters' promotions published
    refused: int = 0  # candidates refused at submission
    refused_legit: int = 0
    refused_spam: int = 0
    labelled: int = 0  # published promotions labelled by the disclosure rule
    likes: int = 0
    comments: int = 0
    flags: int = 0
    hidden: int = 0
    reviewed: int = 0
    removed: int = 0
    removed_violations: int = 0  # rule-breaking posts removed
    removed_spam: int = 0  # spammers' posts removed
    false_removals: int = 0
    bans: int = 0
    honest_banned: int = 0
    joins: int = 0
    spam_joins: int = 0
    departures: int = 0
    honest_departures: int = 0
    imitations: int = 0
    reader: np.ndarray = field(default_factory=_none)  # slot of each read's reader
    post: np.ndarray = field(default_factory=_none)  # feed row of each read's post
    # Summaries of the reads that the day computes anyway (None: not computed; the
    # measures then compute them from ``post``).
    post_reads: np.ndarray | None = None  # reads of each post, by feed row
    quality_read: float | None = None  # mean quality of the posts read (nan: none)

    def record_reads(self, reader: np.ndarray, post: np.ndarray, quality: np.ndarray) -> None:
        """Keep the day's reads (the reader's slot and the post's row of each) and the
        mean ``quality`` of the posts read (nan if none was)."""
        self.reader, self.post = reader, post
        self.quality_read = float(quality.sum() / len(post)) if len(post) else float("nan")
