"""The members' state as NumPy arrays, one row (slot) per member who ever joined.

Slots are never reused, so per-member histories (posts written, removals...) stay
readable after a member leaves; ``present`` tells who is still in the group.
"""

from __future__ import annotations

import numpy as np

from sim.model.columns import Columns

__all__ = ["NEVER", "Population"]

NEVER = -(10**9)  # last_visit of a member who has not visited yet


class Population(Columns):
    """Parallel arrays of member state; ``n`` slots are in use."""

    FIELDS = {
        "present": (np.bool_, False),
        "strategy": (np.int8, 0),
        "initial": (np.int8, 0),  # strategy on joining
        "former": (np.int8, -1),  # contributing strategy before dropping to lurking
        "company": (np.int64, -1),
        "topic": (np.float64, 0.0),  # interest on the circle of topics
        "standard": (np.float64, 0.0),
        "skill": (np.float64, 0.0),  # contribution skill, in standard deviations
        "aware": (np.bool_, False),  # knows the group's norms
        "activity": (np.float64, 1.0),
        "base_visit": (np.float64, 0.0),
        "attention": (np.int64, 1),
        "satisfaction": (np.float64, 0.0),
        "visit_chance": (np.float64, 0.0),  # follows satisfaction (sim.model.visits)
        "unhappy": (np.bool_, False),  # satisfaction below standard (sim.model.visits)
        "feedback": (np.float64, 0.0),  # moving average of likes + comments received
        "reach": (np.float64, 0.0),  # moving average of reads of own promotion per day
        "care": (np.float64, 0.0),  # likes and comments received since the last visit
        "last_visit": (np.int64, NEVER),
        "joined": (np.int64, 0),
        "left": (np.int64, -1),
        "cause": (np.int8, -1),  # why the member left (sim.model.membership.CAUSES)
        "first_post": (np.int64, -1),  # day of the first post since day 0
        "first_reply": (np.int64, -1),  # day the member's posts first got a comment
        "posts": (np.int64, 0),
        "contributions": (np.int64, 0),
        "promotions": (np.int64, 0),
        "since_promo": (np.int64, 0),  # contributions since the last promotion
        "removals": (np.int64, 0),
        "banned": (np.bool_, False),
        "ever_spammer": (np.bool_, False),
    }

    @property
    def n(self) -> int:
        """Slots in use: every member who ever joined."""
        return len(self)

    def __init__(self, capacity: int = 64) -> None:
        super().__init__(capacity)
        self._kept: dict[str, np.ndarray] = {}  # loops' room, by name (``counters``)

    def counters(self, name: str, rows: int, per_row: int) -> np.ndarray:
        """At least ``rows`` rows of ``per_row`` integer counters, all zero, for a loop
        that counts by member and sets back to zero what it touched (see
        ``sim.model.feedback.move_averages_loop``).

        The same array is handed out day after day: zeroing a million-member
        counter every day costs more than the counting, and a new one costs as much
        again in page faults.
        """
        counts = self._kept.get(name)
        if counts is None or len(counts) < rows:  # with room for the group to grow
            counts = self._kept[name] = np.zeros((2 * rows + 16, per_row), dtype=np.int64)
        return counts

    def room(self, name: str) -> np.ndarray:
        """Room for a loop's output of one float per slot (or more), kept from day to
        day for the same reason as ``counters``; it holds what was last written."""
        room = self._kept.get(name)
        if room is None or len(room) < self.n:
            room = self._kept[name] = np.empty(2 * self.n + 16)
        return room

    def add(self, **columns: np.ndarray) -> np.ndarray:
        """Append members; unspecified fields take their defaults. Returns their slots."""
        return self._append(columns)
